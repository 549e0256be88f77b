/**
 * The live hall does not depend on the order events arrive in (core/live.ts): a day of the demo
 * centre, with each node's clock skewed and its events delayed as outboxes and networks do, is
 * folded in many random arrival orders; every fold gives the same state, the same as the events
 * folded in time order (the state a restarted hub rebuilds), and the same ticket figures as the
 * service-level report. The hub folds batches as they are written, some of them turning out to
 * hold events the store already had: it ends in the state of the events that were taken in.
 */
import { describe, expect, it } from "vitest";
import { indexCentre } from "../../core/centre.ts";
import { DEFAULT_CLOCK_POLICY, stamp } from "../../core/clock.ts";
import type { WireEvent } from "../../core/contract.ts";
import { apply, emptyLive, type LiveState } from "../../core/live.ts";
import { liveView } from "../../core/liveView.ts";
import { queueRecord, serviceLevels } from "../../core/serviceLevels.ts";
import { mulberry32, type Rng } from "../../core/stats.ts";
import { localDay } from "../../core/time.ts";
import { simulateWeek } from "../../firmware-sim/week.ts";
import { LiveHub } from "../../hub/liveHub.ts";
import { wireEvent } from "../fixtures/events.ts";
import { demoCentre } from "../fixtures/hub.ts";

const centre = demoCentre();
const index = indexCentre(centre);
const DAY = "2026-11-10"; // a Tuesday, open 09:00–20:00

/** The day's events as the hub would store them: stamped on arrival with skewed clocks and delays. */
function arrivals(rng: Rng): { event: WireEvent; arrival: number }[] {
	const week = simulateWeek(centre, { startDay: DAY, days: 1, seed: 11 });
	// Per node: a clock up to 2 minutes off either way, and now and then an outage that holds its
	// events back for up to 40 minutes (a terminal's outbox delivering `issued` after the call).
	const skew = new Map(centre.nodes.map((n) => [n.id, Math.round((rng() - 0.5) * 240_000)]));
	let n = 0;
	return week.actions.map((a) => {
		const late = rng() < 0.05 ? rng() * 40 * 60_000 : rng() * 2_000;
		// Whole milliseconds, as a clock gives them (the contract's `ts` is an integer).
		const arrival = Math.round(a.at + late);
		const ts = a.at + (skew.get(a.node) ?? 0);
		const placed = stamp(ts, arrival, DEFAULT_CLOCK_POLICY);
		if (!placed.ok) throw new Error(placed.detail);
		const id = `e${String(++n).padStart(6, "0")}`;
		return {
			event: wireEvent(a.kind, centre.id, a.node, { ...a.data, id, ts: placed.ts }),
			arrival,
		};
	});
}

function shuffle<T>(xs: T[], rng: Rng): T[] {
	const out = [...xs];
	for (let i = out.length - 1; i > 0; i--) {
		const j = Math.floor(rng() * (i + 1));
		[out[i], out[j]] = [out[j] as T, out[i] as T];
	}
	return out;
}

const fold = (events: readonly WireEvent[]): LiveState =>
	events.reduce((s, e) => apply(s, e, index), emptyLive(index, DAY));

/** The state as plain data (Maps and Sets by sorted key). */
const plain = (s: LiveState) =>
	JSON.parse(
		JSON.stringify(s, (_k, v) =>
			v instanceof Map
				? Object.fromEntries([...v].sort(([a], [b]) => (a < b ? -1 : 1)))
				: v instanceof Set
					? [...v].sort()
					: v,
		),
	);

describe("the live hall, whatever the arrival order", () => {
	const rng = mulberry32(2026);
	const day = arrivals(rng);
	const events = day.map((d) => d.event);
	const byTime = [...events].sort((a, b) => a.data.ts - b.data.ts || (a.data.id < b.data.id ? -1 : 1));
	const byArrival = [...day].sort((a, b) => a.arrival - b.arrival).map((d) => d.event);
	const rebuilt = fold(byTime);
	const end = Date.parse(`${DAY}T20:30:00+02:00`);

	it("is a real day with out-of-order arrivals", () => {
		expect(rebuilt.issuedToday).toBeGreaterThan(200);
		expect(rebuilt.servedToday).toBeGreaterThan(150);
		let inversions = 0;
		for (let i = 1; i < byArrival.length; i++)
			if ((byArrival[i]?.data.ts ?? 0) < (byArrival[i - 1]?.data.ts ?? 0)) inversions++;
		expect(inversions).toBeGreaterThan(100);
	});

	it("folds to the state of the events in time order, in arrival order and in 30 random orders", () => {
		expect(plain(fold(byArrival))).toEqual(plain(rebuilt));
		for (let i = 0; i < 30; i++) expect(plain(fold(shuffle(events, rng)))).toEqual(plain(rebuilt));
		expect(liveView(fold(byArrival), index, end)).toEqual(liveView(rebuilt, index, end));
	});

	it("counts tickets as the service-level report of the same events does", () => {
		const queue = events.filter((e) => e.kind === "queue");
		const report = serviceLevels(
			queue.map((e) => queueRecord(e.data.ts, e.data as unknown as Record<string, unknown>)),
			centre,
		).find((r) => r.day === DAY && r.service === "*");
		const live = fold(byArrival);
		expect(report?.issued).toBe(live.issuedToday);
		expect(report?.served).toBe(live.servedToday);
		for (const svc of centre.services) {
			const row = serviceLevels(
				queue.map((e) => queueRecord(e.data.ts, e.data as unknown as Record<string, unknown>)),
				centre,
			).find((r) => r.day === DAY && r.service === svc.id);
			const issued = [...live.tickets.values()].filter((t) => t.issued > 0 && t.service === svc.id).length;
			expect(row?.issued ?? 0).toBe(issued);
		}
		expect(localDay(end, centre.timeZone)).toBe(DAY);
	});
});

describe("the hub's live state, batch by batch", () => {
	const rng = mulberry32(7);
	const day = arrivals(rng);
	const byArrival = [...day].sort((a, b) => a.arrival - b.arrival).map((d) => d.event);
	const end = Date.parse(`${DAY}T20:30:00+02:00`);

	it("is the fold of the events taken in, when some batches hold duplicates or are refused", () => {
		const hub = new LiveHub(new Map([[centre.id, index]]), () => end);
		// Up to three batches in flight, as the ingest pipelines them; each settles in order.
		const inFlight: { commit(fresh: readonly boolean[]): void; fresh: boolean[] }[] = [];
		const taken: WireEvent[] = [];
		let takenBack = 0;
		for (let i = 0; i < byArrival.length; ) {
			const batch = byArrival.slice(i, i + 1 + Math.floor(rng() * 40));
			i += batch.length;
			const refused = rng() < 0.03;
			const fresh = batch.map(() => !refused && rng() > 0.02);
			for (const [j, e] of batch.entries()) if (fresh[j]) taken.push(e);
			takenBack += fresh.filter((f) => !f).length;
			inFlight.push({ ...hub.prepare(batch), fresh });
			while (inFlight.length > (rng() < 0.5 ? 0 : 2)) {
				const b = inFlight.shift();
				b?.commit(b.fresh);
			}
		}
		for (const b of inFlight) b.commit(b.fresh);
		expect(takenBack).toBeGreaterThan(20);
		const state = hub.state(centre.id);
		if (!state) throw new Error("no state");
		expect(plain(state)).toEqual(plain(fold(taken)));
		expect(hub.view(centre.id)).toEqual(liveView(fold(taken), index, end));
	});
});
