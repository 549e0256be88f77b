/**
 * The measuring code of `npm run bench -- e2e`, run briefly so the bench cannot rot unseen: a
 * second at 50 ratings a second through a real hub (aedes, ingest, SQLite, live model, the SSE
 * stream) — every event stored once and in every latency array; and the child-process load
 * generator for a second, its acknowledgements matching the rows stored; and the same presses
 * through mosquitto and two hubs sharing its stream; and the sustained load through mosquitto to two
 * `vikno hub --broker` processes, every event mosquitto took stored once. mosquitto is one of the
 * test command's packages (test/setup/system-packages.sh), so those two run wherever the suite does.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeBenchCentre } from "../../bench/e2eCentre.ts";
import { externalPresses } from "../../bench/e2eExternal.ts";
import { externalSustained } from "../../bench/e2eExternalLoad.ts";
import { measurePresses } from "../../bench/e2eLatency.ts";
import { runLoad } from "../../bench/e2eLoad.ts";
import { benchHub } from "../../bench/hub.ts";
import type { Hub } from "../../server/hub.ts";
import { signedIn } from "../fixtures/auth.ts";
import { tempDir } from "../fixtures/hub.ts";
import { until } from "../fixtures/wait.ts";

let dir: ReturnType<typeof tempDir>;
let hub: Hub;
let big: ReturnType<typeof writeBenchCentre>;
let quiet: ReturnType<typeof writeBenchCentre>;

beforeAll(async () => {
	dir = tempDir("vikno-bench-e2e-test-");
	big = writeBenchCentre(dir.path, "big", 5);
	quiet = writeBenchCentre(dir.path, "quiet", 1);
	hub = await benchHub(big.centre, dir.path, { centres: [big.centre, quiet.centre], nodeRate: false });
});

afterAll(async () => {
	await hub?.close();
	dir?.remove();
});

describe("the e2e bench's measurements", () => {
	it("times every press to stored, to PUBACK and to the stream, each stored once", async () => {
		const agent = await signedIn(hub);
		const r = await measurePresses({ hub, centre: big, probe: quiet, cookie: agent.cookie, rate: 50, seconds: 1 });
		expect(r.sent).toBe(50);
		expect(r.acceptedTwice).toBe(0);
		expect(await hub.countEvents({ centre: "big", kind: "rating" })).toBe(50);
		for (const xs of [r.stored, r.acked, r.sse]) {
			expect(xs).toHaveLength(50);
			for (const x of xs) expect(x).toBeGreaterThan(0);
		}
		expect(r.probe.length).toBeGreaterThan(0);
	});

	it("loads the hub from a child process, every acknowledged event stored", async () => {
		const before = await hub.countEvents({ centre: "big" });
		const load = await runLoad({
			url: hub.mqttUrl,
			centre: "big",
			nodes: big.windowNodes,
			children: 1,
			window: 2,
			seconds: 1,
		});
		expect(load.acked).toBeGreaterThan(0);
		expect(load.acked).toBe(load.sent);
		expect(load.children).toHaveLength(1);
		expect(load.latency.p99).toBeGreaterThan(0);
		await until(
			() => hub.countEvents({ centre: "big" }),
			(n) => n === before + load.acked,
			{ what: "every acknowledged event in the store" },
		);
	});

	it("times presses through mosquitto and two hubs, each event stored once", async () => {
		const r = await externalPresses(big, { rate: 50, seconds: 1, connections: 2 });
		expect(r.sent).toBe(50);
		expect(r.acceptedTwice).toBe(0);
		expect(r.stored).toHaveLength(50);
		expect(r.perHub.reduce((a, b) => a + b, 0)).toBe(50);
		expect(r.sse).toHaveLength(0);
	});

	it("loads mosquitto from a child process, two hub processes storing every event it took once", async () => {
		const r = await externalSustained(big, {
			children: 1,
			window: 2,
			seconds: 1,
			connections: 2,
			ratePerS: 200,
			warmupS: 1,
		});
		// The offered rate holds: 200 a second for a second, not as many as mosquitto takes.
		expect(r.load.acked).toBeGreaterThan(100);
		expect(r.load.acked).toBeLessThanOrEqual(201);
		// A second of warm-up before it, stored too, but left out of the figures and reported apart.
		expect(r.measured).toBe(r.load.acked);
		expect(r.perHub.reduce((a, b) => a + b, 0)).toBeGreaterThan(r.load.acked + 100);
		expect(r.warmupArrival?.p99).toBeGreaterThanOrEqual(r.warmupArrival?.p50 ?? Number.NaN);
		expect(r.perHub.every((n) => n > 0)).toBe(true);
		expect(r.perS).toBeGreaterThan(0);
		expect(r.arrival.p99).toBeGreaterThanOrEqual(r.arrival.p50);
		expect(r.hubCpuPct).toHaveLength(2);
		expect(r.mosquittoCpuPct).toBeGreaterThanOrEqual(0);
	}, 60_000);
});
