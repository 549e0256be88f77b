/**
 * The simulator's faults against a real hub (aedes on loopback, SQLite, every node with its own
 * credential), one fault at a time and all at once, each with the counts exact: every event the
 * fleet made is stored once, with nothing besides; the hub's refusals, repeats and clock
 * corrections are exactly what the fleet injected (firmware-sim/faults.ts); each centre's live
 * occupancy is what its door counted, whatever the order.
 */
import { afterEach, describe, expect, it } from "vitest";
import { generateDeployment } from "../../bench/city.ts";
import { loadCentreFile } from "../../config/load.ts";
import { MALFORMED } from "../../firmware-sim/faults.ts";
import { Fleet, type FleetOptions, type FleetStats } from "../../firmware-sim/fleet.ts";
import type { Hub } from "../../server/hub.ts";
import type { StoredEvent } from "../../store/types.ts";
import { metric, startTestHub, tempDir } from "../fixtures/hub.ts";
import { until } from "../fixtures/wait.ts";

const CENTRES = 3;
const PER_CENTRE = 10;
const ROUNDS = 12;
const KINDS = ["rating", "queue", "occupancy"] as const;

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
	for (const f of cleanup.splice(0).reverse()) await f();
});

interface Run {
	hub: Hub;
	fleet: Fleet;
	stats: FleetStats;
	stored: StoredEvent[];
	metrics: string;
	centres: string[];
}

/**
 * A hub and a fleet of `CENTRES` × `PER_CENTRE` nodes; `ROUNDS` events from every node, with
 * `between(round)` run after each; then what the faults held sent, and everything acknowledged
 * and stored.
 */
async function run(
	o: Pick<FleetOptions, "faults" | "seed">,
	between?: (fleet: Fleet, round: number) => void,
): Promise<Run> {
	const dir = tempDir("vikno-faults-");
	cleanup.push(() => dir.remove());
	const deployment = generateDeployment(dir.path, CENTRES, PER_CENTRE, [dir.path]);
	const centres = deployment.configFiles.map((f) => loadCentreFile(f));
	const hub = await startTestHub(dir.path, { centres, allowAnonymous: false });
	cleanup.push(() => hub.close());
	const fleet = new Fleet(
		{
			nodes: deployment.nodes.map((n) => ({ ...n, url: hub.mqttUrl })),
			heartbeatS: 0,
			ratePerS: 500,
			...o,
		},
		true,
	);
	cleanup.push(() => fleet.stop());
	await fleet.open();
	const n = deployment.nodes.length;
	await until(
		() => fleet.stats(),
		(s) => s.connected === n,
		{ what: "every node connected" },
	);
	for (let round = 0; round < ROUNDS; round++) {
		fleet.burst();
		between?.(fleet, round);
		await until(
			() => fleet.stats(),
			(s) => s.eventsAcked === s.events - s.held && s.extraAcked === s.extra,
			{ what: `round ${round} acknowledged`, timeoutMs: 60_000 },
		);
	}
	fleet.flush();
	const stats = await until(
		() => fleet.stats(),
		(s) => s.held === 0 && s.eventsAcked === s.events && s.extraAcked === s.extra && s.connected === n,
		{ what: "every message acknowledged", timeoutMs: 60_000 },
	);
	const expected = fleet.eventIdList().length;
	const count = async () => (await Promise.all(KINDS.map((kind) => hub.countEvents({ kind })))).reduce((a, b) => a + b);
	await until(count, (c) => c >= expected, { what: `${expected} events stored` });
	await until(
		() => hub.spool.depth,
		(d) => d === 0,
		{ what: "the spool forwarded" },
	);
	const stored: StoredEvent[] = [];
	for (const c of centres)
		for (const kind of KINDS) stored.push(...(await hub.store.readRange(c.id, 0, Date.now() + 86_400_000, kind)));
	const metrics = await (await fetch(`${hub.httpUrl}/metrics`)).text();
	return { hub, fleet, stats, stored, metrics, centres: centres.map((c) => c.id) };
}

const rejected = (m: string, reason: string) => metric(m, `vikno_messages_total{result="rejected",reason="${reason}"}`);
const duplicates = (m: string) => metric(m, 'vikno_messages_total{result="duplicate",reason=""}');
const ahead = (m: string) => metric(m, 'vikno_clock_corrections_total{reason="ahead"}');

/** Every event made stored once, nothing besides. */
function expectExactlyOnce(r: Run): void {
	const ids = r.stored.map((e) => e.id).sort();
	expect(new Set(ids).size).toBe(ids.length);
	expect(ids).toEqual(r.fleet.eventIdList().sort());
}

/** Each centre's live count of its hall: one net person per door event (two in, one out). */
async function expectOccupancy(r: Run): Promise<void> {
	for (const c of r.centres) {
		const doors = r.stored.filter((e) => e.centre === c && e.kind === "occupancy").length;
		expect(doors).toBeGreaterThan(0);
		expect(r.hub.live.view(c)?.zones.find((z) => z.id === "hall")?.count).toBe(doors);
	}
}

function expectNoRejections(m: string): void {
	for (const reason of [...MALFORMED, "too_old"]) expect(rejected(m, reason)).toBe(0);
}

describe("the fleet's faults against a real hub: the counts stay exact", () => {
	it("duplicates: every repeat counted as one, stored once", async () => {
		const r = await run({ faults: { duplicates: 0.3 } });
		expect(r.stats.faults.duplicates).toBeGreaterThan(50);
		expectExactlyOnce(r);
		expect(duplicates(r.metrics)).toBe(r.stats.faults.duplicates);
		expect(metric(r.metrics, 'vikno_messages_total{result="accepted",reason=""}')).toBe(
			r.stored.length + r.stats.heartbeatsKept,
		);
		expectNoRejections(r.metrics);
		await expectOccupancy(r);
	});

	it("out-of-order delivery: each event stored with its own time, the hall as counted", async () => {
		const r = await run({ faults: { outOfOrder: 0.3 } });
		expect(r.stats.faults.reordered).toBeGreaterThan(50);
		expectExactlyOnce(r);
		// Kept as sent: an older time after newer ones is not moved (core/clock.ts).
		for (const e of r.stored) expect(e.ts).toBe((e.data as { ts: number }).ts);
		// Some node's events reached the hub out of their time order.
		const byNode = new Map<string, StoredEvent[]>();
		for (const e of r.stored) byNode.set(`${e.centre}/${e.node}`, [...(byNode.get(`${e.centre}/${e.node}`) ?? []), e]);
		let inversions = 0;
		for (const list of byNode.values()) {
			// In the order the node made them (UUIDv7 ids), an event that arrived before an earlier one.
			list.sort((a, b) => a.id.localeCompare(b.id));
			for (let k = 1; k < list.length; k++)
				if ((list[k] as StoredEvent).rxTs < (list[k - 1] as StoredEvent).rxTs) inversions++;
		}
		expect(inversions).toBeGreaterThan(0);
		expect(duplicates(r.metrics)).toBe(0);
		expectNoRejections(r.metrics);
		await expectOccupancy(r);
	});

	it("malformed payloads: each refused with its reason, none stored, the nodes go on", async () => {
		const r = await run({ faults: { malformed: 0.3 } });
		for (const reason of MALFORMED) {
			expect(r.stats.faults.malformed[reason], reason).toBeGreaterThan(5);
			expect(rejected(r.metrics, reason), reason).toBe(r.stats.faults.malformed[reason]);
		}
		expectExactlyOnce(r);
		expect(duplicates(r.metrics)).toBe(0);
		await expectOccupancy(r);
	});

	it("clock skew: ahead set to arrival and counted, behind kept, far behind refused", async () => {
		const skews = [
			{ share: 0.25, ms: 10 * 60_000 },
			{ share: 0.25, ms: -2 * 3_600_000 },
			{ share: 0.15, ms: -40 * 86_400_000 },
		];
		const r = await run({ faults: { skews }, seed: 7 });
		const skew = new Map(r.fleet.skews().map((ms, i) => [i, ms]));
		expect(new Set(skew.values()).size).toBe(4);
		expect(r.stats.faults.ahead).toBeGreaterThan(0);
		expect(r.stats.faults.tooOld).toBeGreaterThan(0);
		expectExactlyOnce(r);
		expect(ahead(r.metrics)).toBe(r.stats.faults.ahead);
		expect(rejected(r.metrics, "too_old")).toBe(r.stats.faults.tooOld);
		// Each stored event's time: an ahead clock's set to its arrival, any other kept as sent.
		const nodes = r.fleet.skews();
		const skewOf = new Map<string, number>();
		const deployment = r.fleet.nodeList();
		deployment.forEach((n, i) => {
			skewOf.set(`${n.centre}/${n.node}`, nodes[i] ?? 0);
		});
		let moved = 0;
		for (const e of r.stored) {
			const s = skewOf.get(`${e.centre}/${e.node}`) ?? 0;
			const sent = (e.data as { ts: number }).ts;
			if (s > 0) {
				expect(e.ts).toBe(e.rxTs);
				moved++;
			} else expect(e.ts).toBe(sent);
			if (s < 0) expect(e.rxTs - e.ts).toBeGreaterThanOrEqual(-s - 1000);
		}
		expect(moved).toBeGreaterThan(0);
		// Each node's offset measured from its statuses (the one at connect), as /metrics exports it.
		for (const [i, n] of deployment.entries()) {
			const s = nodes[i] ?? 0;
			if (s < -30 * 86_400_000) continue;
			const offset = metric(r.metrics, `vikno_node_clock_offset_seconds{centre="${n.centre}",node="${n.node}"}`);
			expect(Math.abs(offset - s / 1000), `${n.centre}/${n.node}`).toBeLessThan(5);
		}
	});

	it("disconnect storms: every event stored once though connections broke with messages in flight", async () => {
		const r = await run({}, (fleet, round) => {
			if (round % 3 === 1) fleet.sever(0.5);
		});
		expect(r.stats.faults.severed).toBeGreaterThan(10);
		expect(r.stats.connacks).toBe(r.stats.nodes + r.stats.faults.severed);
		expectExactlyOnce(r);
		// Resent after a break is a repeat, never a second event; each broken connection's Will is one status.
		const statuses = await r.hub.countEvents({ kind: "status" });
		expect(statuses).toBe(r.stats.heartbeatsKept + r.stats.faults.severed);
		expect(metric(r.metrics, 'vikno_messages_total{result="accepted",reason=""}')).toBe(r.stored.length + statuses);
		expectNoRejections(r.metrics);
		await expectOccupancy(r);
	});

	it("all at once: every event stored once, every fault seen at least as often as injected", async () => {
		const skews = [
			{ share: 0.2, ms: 5 * 60_000 },
			{ share: 0.2, ms: -3_600_000 },
			{ share: 0.1, ms: -35 * 86_400_000 },
		];
		const r = await run(
			{ faults: { duplicates: 0.2, outOfOrder: 0.2, malformed: 0.2, skews }, seed: 3 },
			(fleet, round) => {
				if (round % 4 === 2) fleet.sever(0.4);
			},
		);
		expectExactlyOnce(r);
		// A message in flight when its connection broke may come twice (refused, repeated or placed
		// in time once more): never fewer than injected.
		for (const reason of MALFORMED)
			expect(rejected(r.metrics, reason), reason).toBeGreaterThanOrEqual(r.stats.faults.malformed[reason]);
		expect(rejected(r.metrics, "too_old")).toBeGreaterThanOrEqual(r.stats.faults.tooOld);
		expect(duplicates(r.metrics)).toBeGreaterThanOrEqual(r.stats.faults.duplicates);
		expect(ahead(r.metrics)).toBeGreaterThanOrEqual(r.stats.faults.ahead);
	});
});
