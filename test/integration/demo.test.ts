/** `vikno demo` as a user starts it: a child process on free ports; live figures must move. */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import type { LiveView } from "../../core/liveView.ts";
import { tempDir } from "../fixtures/hub.ts";
import { until } from "../fixtures/wait.ts";

const BIN = fileURLToPath(new URL("../../bin/vikno.js", import.meta.url));
const dir = tempDir();
let child: ChildProcess | undefined;

afterAll(() => {
	child?.kill("SIGKILL");
	dir.remove();
});

describe("vikno demo", () => {
	it("comes up, prints its URLs, and the live figures change within 30 s", async () => {
		// The promise is "within 30 s" of starting it: one budget, spent by the two waits below.
		const deadline = Date.now() + 30_000;
		const left = () => Math.max(0, deadline - Date.now());
		child = spawn(
			process.execPath,
			[BIN, "demo", "--data", dir.path, "--http-port", "0", "--mqtt-port", "0", "--speed", "120"],
			{
				stdio: ["ignore", "pipe", "pipe"],
			},
		);
		let out = "";
		child.stdout?.on("data", (b: Buffer) => {
			out += b.toString();
		});
		child.stderr?.on("data", (b: Buffer) => {
			out += b.toString();
		});
		await until(
			() => out,
			(o) => o.includes("MQTT:"),
			{ timeoutMs: Math.min(20_000, left()), what: "the demo banner" },
		);
		const live = out.match(/live API:\s+(\S+)/)?.[1];
		expect(out).toMatch(/dashboard:\s+http:\/\/127\.0\.0\.1:\d+\/\?centre=demo/);
		expect(out).toMatch(/MQTT:\s+mqtt:\/\/127\.0\.0\.1:\d+/);
		// The residents' page and the widget's demo, served by the same hub.
		const residents = out.match(/residents:\s+(\S+)/)?.[1];
		expect(residents).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/c\/demo$/);
		expect((await fetch(residents ?? "")).status).toBe(200);
		if (!live) throw new Error(`no live URL in:\n${out}`);
		const read = async () => (await (await fetch(live)).json()) as LiveView;
		const first = await read();
		const fingerprint = (v: LiveView) =>
			JSON.stringify([v.tickets, v.ratings.count, v.zones, v.windows.map((w) => w.ticket)]);
		const moved = await until(read, (v) => v.tickets.issued > 0 && fingerprint(v) !== fingerprint(first), {
			timeoutMs: left(),
			intervalMs: 250,
			what: "live figures to change within 30 s of the start",
		});
		expect(moved.tickets.issued).toBeGreaterThan(0);

		child.kill("SIGTERM");
		const [code] = await once(child, "exit");
		expect(code).toBe(0);
		child = undefined;
	});
});
