import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { attachKeyboard, keyLegend } from "../../edge/drivers/keyboard.ts";
import { SimDriver } from "../../edge/drivers/sim.ts";

describe("keyboard mode", () => {
	it("gives the inputs keys in the order they are configured", () => {
		expect([...keyLegend(["r1", "r2", "r3", "r4", "r5", "next", "finish", "no-show", "pause", "x", "y"])]).toEqual([
			["1", "r1"],
			["2", "r2"],
			["3", "r3"],
			["4", "r4"],
			["5", "r5"],
			["6", "next"],
			["7", "finish"],
			["8", "no-show"],
			["9", "pause"],
			["0", "x"],
			["q", "y"],
		]);
	});

	it("turns keys into presses, prints outputs, and hands Ctrl+C on", () => {
		const sim = new SimDriver();
		const edges: string[] = [];
		for (const name of ["r1", "r5", "next"]) {
			sim.input({ name, pin: 0 } as never, (active) => edges.push(`${name}:${active ? "down" : "up"}`));
		}
		const led = sim.output({ name: "thanks", pin: 1 } as never);
		const input = new PassThrough();
		const output = new PassThrough();
		let printed = "";
		output.on("data", (b: Buffer) => {
			printed += b.toString();
		});
		let interrupted = 0;
		const detach = attachKeyboard(sim, ["r1", "r5", "next"], { input, output, interrupt: () => interrupted++ });
		input.write("2z3");
		led.set(true);
		input.write("\u0003");
		detach();
		expect(edges).toEqual(["r5:down", "r5:up", "next:down", "next:up"]);
		expect(interrupted).toBe(1);
		expect(printed).toContain("keyboard: 1=r1  2=r5  3=next");
		expect(printed).toContain("▶ r5");
		expect(printed).toContain("● thanks on");
		// Detached: keys do nothing any more.
		input.write("1");
		expect(edges).toHaveLength(4);
	});
});
