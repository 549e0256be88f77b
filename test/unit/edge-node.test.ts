/**
 * The node above the driver, with fake timers: scripted bounce on the sim driver's pins, the
 * rating lockout, tickets and door increments, observed in the real outbox file on disk.
 * The broker address is a closed loopback port: the node must work while the hub is away.
 */
import { fdatasyncSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { EdgeConfig } from "../../edge/config.ts";
import { SimDriver } from "../../edge/drivers/sim.ts";
import { parseEdgeConfig } from "../../edge/load-config.ts";
import { type EdgeNode, startEdge } from "../../edge/node.ts";
import { scanRecords } from "../../edge/outbox-file.ts";

let dir: string;
let node: EdgeNode | undefined;
beforeEach(() => {
	vi.useFakeTimers({ now: new Date("2026-11-24T08:00:00Z") });
	dir = mkdtempSync(join(tmpdir(), "vikno-edge-"));
});
afterEach(async () => {
	await node?.close();
	node = undefined;
	vi.useRealTimers();
	rmSync(dir, { recursive: true, force: true });
});

function config(extra: Record<string, unknown>): Readonly<EdgeConfig> {
	return parseEdgeConfig(
		{ centre: "test-hall", broker: { url: "mqtt://127.0.0.1:1", reconnectMinMs: 1000 }, dataDir: dir, ...extra },
		"test.yaml",
	);
}

function events(n: EdgeNode): { topic: string; data: Record<string, unknown> }[] {
	const out = [];
	let seq = 0;
	for (let e = n.outbox.nextAfter(0); e; e = n.outbox.nextAfter(seq)) {
		out.push({ topic: e.topic, data: JSON.parse(e.payload) });
		seq = e.seq;
	}
	return out;
}

const ratingButtons = ["r1", "r2", "r3", "r4", "r5"];
const windowConfig = () =>
	config({
		node: "win-01",
		role: "window",
		driver: { type: "sim", debounceMs: 30 },
		inputs: [...ratingButtons, "next", "finish"].map((name, i) => ({ name, pin: i + 2 })),
		outputs: [
			{ name: "thanks", pin: 20 },
			{ name: "buzzer", pin: 21 },
		],
		window: {
			window: "w01",
			ratingButtons,
			thanksLed: "thanks",
			buzzer: "buzzer",
			lockoutS: 10,
			admin: { next: "next", finish: "finish" },
		},
	});

/** A press with contact bounce on both edges, as a cheap button gives. */
function bouncyPress(sim: SimDriver, name: string) {
	for (const level of [true, false, true, false, true]) {
		sim.set(name, level);
		vi.advanceTimersByTime(1);
	}
	vi.advanceTimersByTime(80);
	for (const level of [false, true, false]) {
		sim.set(name, level);
		vi.advanceTimersByTime(2);
	}
	vi.advanceTimersByTime(50);
}

describe("window node", () => {
	it("sends one rating per bouncy press, extra presses inside the lockout, and acknowledges after the disk", async () => {
		const sim = new SimDriver();
		node = await startEdge(windowConfig(), { driver: sim });
		const n = node;
		const depthWhenLit: number[] = [];
		sim.onOutput((c) => {
			if (c.name === "thanks" && c.on) depthWhenLit.push(n.outbox.depth);
		});

		bouncyPress(sim, "r5");
		expect(sim.outputs.get("thanks")).toBe(true);
		vi.advanceTimersByTime(3_000);
		bouncyPress(sim, "r2");
		vi.advanceTimersByTime(7_000);
		bouncyPress(sim, "r4"); // 10.3 s after the first: a new rating

		const got = events(n).map((e) => e.data);
		expect(got.map((d) => [d.score, d.extra ?? false])).toEqual([
			[5, false],
			[2, true],
			[4, false],
		]);
		expect(new Set(got.map((d) => d.id)).size).toBe(3);
		expect(events(n)[0]?.topic).toBe("vikno/v1/test-hall/win-01/rating");
		// The light came on only once the event was in the outbox.
		expect(depthWhenLit).toEqual([1, 2, 3]);
		// Sound as well as light, and both go off again.
		expect(sim.changes.filter((c) => c.name === "buzzer" && c.on)).toHaveLength(3);
		vi.advanceTimersByTime(2_000);
		expect(sim.outputs.get("thanks")).toBe(false);
		expect(sim.outputs.get("buzzer")).toBe(false);
	});

	it("syncs each rating to disk before the light and sound say thank you", async () => {
		const sim = new SimDriver();
		const order: string[] = [];
		// The real fdatasync, wrapped: it notes which events are in the file when it runs.
		const syncData = (fd: number) => {
			const inFile = scanRecords(readFileSync(join(dir, "outbox.log"))).records.filter((r) => r.kind === "event");
			order.push(`sync ${inFile.length}`);
			fdatasyncSync(fd);
		};
		node = await startEdge(windowConfig(), { driver: sim, syncData });
		sim.onOutput((c) => {
			if (c.on) order.push(c.name);
		});
		bouncyPress(sim, "r5");
		vi.advanceTimersByTime(3_000);
		bouncyPress(sim, "r2"); // an extra press inside the lockout: stored and thanked the same way
		expect(order).toEqual(["sync 1", "thanks", "buzzer", "sync 2", "thanks", "buzzer"]);
		expect(events(node).map((e) => e.data.score)).toEqual([5, 2]);
	});

	it("asks the hub for the next ticket once, and waits for the answer", async () => {
		const sim = new SimDriver();
		node = await startEdge(windowConfig(), { driver: sim });
		bouncyPress(sim, "next");
		vi.advanceTimersByTime(1_000);
		bouncyPress(sim, "next"); // still waiting for the answer: a "please wait" beep, no second request
		const got = events(node);
		expect(got.map((e) => [e.topic.split("/").pop(), e.data.action])).toEqual([["request", "next"]]);
	});
});

describe("terminal node", () => {
	it("issues tickets per service prefix, priority ones on their own button", async () => {
		const sim = new SimDriver();
		node = await startEdge(
			config({
				node: "terminal-1",
				role: "terminal",
				driver: { type: "sim", debounceMs: 30 },
				inputs: [
					{ name: "a", pin: 2 },
					{ name: "b", pin: 3 },
					{ name: "p", pin: 4 },
				],
				terminal: {
					buttons: [
						{ input: "a", service: "passport", prefix: "A" },
						{ input: "b", service: "residence", prefix: "B" },
						{ input: "p", service: "passport", prefix: "P", priority: "military" },
					],
				},
			}),
			{ driver: sim },
		);
		for (const b of ["a", "a", "b", "p", "a"]) bouncyPress(sim, b);
		expect(events(node).map((e) => [e.data.event, e.data.ticket, e.data.service, e.data.priority])).toEqual([
			["issued", "A001", "passport", undefined],
			["issued", "A002", "passport", undefined],
			["issued", "B001", "residence", undefined],
			["issued", "P001", "passport", "military"],
			["issued", "A003", "passport", undefined],
		]);
		// The counters survive a restart of the node on the same day.
		await node.close();
		const sim2 = new SimDriver();
		node = await startEdge(node.config, { driver: sim2 });
		bouncyPress(sim2, "a");
		expect(events(node).at(-1)?.data.ticket).toBe("A004");
	});
});

describe("door node", () => {
	it("publishes in/out increments at most every publishEveryS", async () => {
		const sim = new SimDriver();
		node = await startEdge(
			config({
				node: "door-main",
				role: "door",
				driver: { type: "sim", debounceMs: 20 },
				inputs: [
					{ name: "outer", pin: 2, activeLow: false },
					{ name: "inner", pin: 3, activeLow: false },
				],
				door: { zone: "hall", beams: { outer: "outer", inner: "inner" }, publishEveryS: 5 },
			}),
			{ driver: sim },
		);
		const pass = (first: string, second: string) => {
			sim.set(first, true);
			vi.advanceTimersByTime(300);
			sim.set(second, true);
			vi.advanceTimersByTime(300);
			sim.set(first, false);
			sim.set(second, false);
			vi.advanceTimersByTime(500);
		};
		pass("outer", "inner");
		pass("outer", "inner");
		pass("inner", "outer");
		expect(events(node)).toEqual([]);
		vi.advanceTimersByTime(5_000);
		vi.advanceTimersByTime(10_000); // nothing new: nothing published
		expect(events(node).map((e) => [e.data.zone, e.data.in, e.data.out])).toEqual([["hall", 2, 1]]);
	});
});
