/**
 * What the hub publishes for the ticket terminals every few seconds (`$hub/live`) is made without
 * the whole live view, and a node's heartbeat no longer has a centre's estimates made afresh:
 * - `Insights.liveSummary` is exactly the summary of the live view, through a simulated morning;
 * - a heartbeat that opens or closes no window keeps the estimates made; a status that takes a
 *   window offline, or pauses it, has them made again at once, and the estimate follows;
 * - ratings and door counts keep them too (nothing an estimate is made of); a queue event has them
 *   made again.
 */
import { describe, expect, it } from "vitest";
import { indexCentre } from "../../core/centre.ts";
import type { WireEvent } from "../../core/contract.ts";
import { liveSummary } from "../../core/hubState.ts";
import { silentLog } from "../../core/log.ts";
import { instantOf } from "../../core/time.ts";
import { simulateWeek } from "../../firmware-sim/week.ts";
import { Insights } from "../../hub/insights.ts";
import { LiveHub } from "../../hub/liveHub.ts";
import { SqliteStore } from "../../store/sqlite.ts";
import { wireEvent } from "../fixtures/events.ts";
import { demoCentre } from "../fixtures/hub.ts";
import { until } from "../fixtures/wait.ts";

const centre = demoCentre();
const index = indexCentre(centre);
const DAY = "2026-11-10"; // a Tuesday, open 09:00–20:00

function hall(startAt: number) {
	let now = startAt;
	const centres = new Map([["demo", index]]);
	const live = new LiveHub(centres, () => now);
	const store = new SqliteStore(":memory:");
	const insights = new Insights({
		centres,
		live,
		store,
		log: silentLog,
		now: () => now,
		publishRetained: () => {},
	});
	let n = 0;
	const feed = (events: WireEvent[]) => {
		live.prepare(events).commit(events.map(() => true));
		insights.onEvents(events);
	};
	return {
		insights,
		setNow: (t: number) => {
			now = t;
		},
		feed,
		status(node: string, data: { online: boolean; paused?: boolean }) {
			feed([wireEvent("status", "demo", node, { id: `st-${++n}`, ts: now, version: "1.0.0", buffered: 0, ...data })]);
		},
		close: () => store.close(),
	};
}

describe("the terminals' summary and the estimates after a status", () => {
	it("is the summary of the live view, moment by moment through a morning", () => {
		const week = simulateWeek(centre, { startDay: DAY, days: 1, seed: 5 });
		const h = hall(instantOf(DAY, 8 * 60 + 50, centre.timeZone));
		for (const nd of centre.nodes) h.status(nd.id, { online: true });
		let n = 0;
		let compared = 0;
		const noon = instantOf(DAY, 12 * 60, centre.timeZone);
		for (const a of week.actions) {
			if (a.at > noon) break;
			h.setNow(a.at);
			h.feed([wireEvent(a.kind, "demo", a.node, { ...a.data, id: `e${++n}`, ts: a.at })]);
			if (n % 50 !== 0) continue;
			const view = h.insights.liveView("demo");
			if (!view) throw new Error("no live view");
			const summary = h.insights.liveSummary("demo");
			expect(summary).toEqual(liveSummary(view));
			if (summary?.services.some((s) => s.waiting > 0 && s.estimate !== null)) compared++;
		}
		// Compared while people waited and estimates were shown, not only in an empty hall.
		expect(compared).toBeGreaterThan(10);
		h.close();
	});

	it("keeps the estimates through heartbeats and makes them again when a window closes", () => {
		const h = hall(instantOf(DAY, 10 * 60, centre.timeZone));
		const windowNodes = centre.nodes.filter((nd) => nd.window !== undefined);
		for (const nd of windowNodes) h.status(nd.id, { online: true });
		// Tickets waiting for the first service, so its estimate depends on its windows.
		const service = centre.services[0]?.id ?? "";
		const terminal = centre.nodes.find((nd) => nd.role === "terminal")?.id ?? "";
		h.feed(
			Array.from({ length: 12 }, (_, i) =>
				wireEvent("queue", "demo", terminal, {
					id: `q-${i}`,
					ts: instantOf(DAY, 10 * 60, centre.timeZone),
					event: "issued",
					ticket: `A${String(i + 1).padStart(3, "0")}`,
					service,
				}),
			),
		);
		const first = h.insights.waits("demo");
		if (!first) throw new Error("no estimates");
		// Heartbeats: the same statuses again from every node; the estimates made before are kept.
		for (const nd of windowNodes) h.status(nd.id, { online: true });
		expect(h.insights.waits("demo")).toBe(first);

		// One window serving the service goes offline: made again at once, and longer.
		const serving = windowNodes.filter((nd) =>
			centre.windows.find((w) => w.id === nd.window)?.services.includes(service),
		);
		expect(serving.length).toBeGreaterThan(1);
		const before = first[0];
		h.status(serving[0]?.id ?? "", { online: false });
		const afterOffline = h.insights.waits("demo");
		expect(afterOffline).not.toBe(first);
		if (!before?.ok || !afterOffline?.[0]?.ok) throw new Error("expected estimates for the service");
		expect(afterOffline[0].minutes).toBeGreaterThan(before.minutes);

		// Its heartbeat while offline changes nothing; a pause of another window does.
		h.status(serving[0]?.id ?? "", { online: false });
		expect(h.insights.waits("demo")).toBe(afterOffline);
		h.status(serving[1]?.id ?? "", { online: true, paused: true });
		expect(h.insights.waits("demo")).not.toBe(afterOffline);
		h.close();
	});

	it("keeps the estimates through ratings and door counts, and makes them again after a queue event", async () => {
		const start = instantOf(DAY, 10 * 60, centre.timeZone);
		const h = hall(start);
		const windowNodes = centre.nodes.filter((nd) => nd.window !== undefined);
		for (const nd of windowNodes) h.status(nd.id, { online: true });
		const service = centre.services[0]?.id ?? "";
		const terminal = centre.nodes.find((nd) => nd.role === "terminal")?.id ?? "";
		const door = centre.nodes.find((nd) => nd.role === "door")?.id ?? "";
		const issue = (i: number) =>
			wireEvent("queue", "demo", terminal, {
				id: `q-${i}`,
				ts: start,
				event: "issued",
				ticket: `A${String(i + 1).padStart(3, "0")}`,
				service,
			});
		h.feed(Array.from({ length: 5 }, (_, i) => issue(i)));
		const first = h.insights.waits("demo");
		if (!first?.[0]?.ok) throw new Error("expected estimates for the service");
		// Two seconds of ratings at every window and a door count: read, and read again after the
		// turns of the loop a refresh would take, the estimates made are the same.
		h.setNow(start + 2_000);
		h.feed(
			windowNodes.map((nd, i) =>
				wireEvent("rating", "demo", nd.id, { id: `r-${i}`, ts: start + 2_000, score: 1 + (i % 5) }),
			),
		);
		h.feed([wireEvent("occupancy", "demo", door, { id: "o-1", ts: start + 2_000, zone: "hall", in: 3 })]);
		expect(h.insights.waits("demo")).toBe(first);
		for (let turn = 0; turn < 3 * centre.services.length; turn++) await new Promise((r) => setImmediate(r));
		expect(h.insights.waits("demo")).toBe(first);

		// A ticket issued: made again, with it waiting too.
		h.feed([issue(5)]);
		const again = await until(
			() => h.insights.waits("demo"),
			(list) => list !== first,
			{ timeoutMs: 5_000, intervalMs: 10, what: "the estimates made again" },
		);
		if (!again?.[0]?.ok) throw new Error("expected estimates for the service");
		expect(again[0].waiting).toBe(first[0].waiting + 1);
		h.close();
	});
});
