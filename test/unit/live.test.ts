import { describe, expect, it } from "vitest";
import { indexCentre } from "../../core/centre.ts";
import type { WireEvent } from "../../core/contract.ts";
import { apply, emptyLive, type LiveState, windowOpen } from "../../core/live.ts";
import { liveView } from "../../core/liveView.ts";
import { wireEvent } from "../fixtures/events.ts";
import { demoCentre } from "../fixtures/hub.ts";

const index = indexCentre(demoCentre());
// 2026-11-23 10:00 Europe/Kyiv (UTC+2)
const T0 = Date.UTC(2026, 10, 23, 8, 0, 0);
const MIN = 60_000;
let n = 0;

function ev(kind: WireEvent["kind"], node: string, data: Record<string, unknown>, ts: number): WireEvent {
	return wireEvent(kind, "demo", node, { id: `e${++n}`, ts, ...data });
}
const issued = (ticket: string, service: string, ts: number, priority?: string) =>
	ev("queue", "terminal-1", { event: "issued", ticket, service, ...(priority ? { priority } : {}) }, ts);
const q = (event: string, ticket: string, service: string, window: string, ts: number) =>
	ev("queue", `win-${window.slice(1)}`, { event, ticket, service, window }, ts);
const fold = (events: WireEvent[], from: LiveState = emptyLive(index)) =>
	events.reduce((s, e) => apply(s, e, index), from);

describe("live model", () => {
	it("follows a ticket from issue to finish", () => {
		const s = fold([
			issued("A001", "passports", T0),
			issued("A002", "passports", T0 + MIN),
			q("called", "A001", "passports", "w01", T0 + 5 * MIN),
			q("started", "A001", "passports", "w01", T0 + 6 * MIN),
		]);
		const v = liveView(s, index, T0 + 10 * MIN);
		expect(v.services.find((x) => x.id === "passports")).toMatchObject({ waiting: 1, longestWaitS: 9 * 60 });
		expect(v.tickets).toMatchObject({ issued: 2, served: 0, waiting: 1 });
		expect(Object.values(v.tickets.anomalies).every((n) => n === 0)).toBe(true);
		const s2 = fold([q("finished", "A001", "passports", "w01", T0 + 12 * MIN)], s);
		expect(s2.windows.get("w01")).toMatchObject({
			activity: "idle",
			served: 1,
			lastServed: { ticket: "A001", service: "passports" },
		});
		expect(s2.servedToday).toBe(1);
	});

	it("shows window states, offline from node status", () => {
		const s = fold([
			ev("status", "win-01", { online: true }, T0),
			ev("status", "win-02", { online: true }, T0),
			issued("A001", "passports", T0),
			q("called", "A001", "passports", "w01", T0 + MIN),
			ev("status", "win-02", { online: false }, T0 + 2 * MIN),
		]);
		const v = liveView(s, index, T0 + 3 * MIN);
		expect(v.windows.find((w) => w.id === "w01")).toMatchObject({ state: "calling", ticket: "A001", sinceS: 120 });
		expect(v.windows.find((w) => w.id === "w02")?.state).toBe("offline");
		// A window whose node never reported is offline, not idle.
		expect(v.windows.find((w) => w.id === "w03")?.state).toBe("offline");
	});

	it("puts a window on a break from its node's status, ends the break, and an offline node has none", () => {
		const status = (online: boolean, paused: boolean | undefined, ts: number) =>
			ev("status", "win-02", { online, ...(paused === undefined ? {} : { paused }) }, ts);
		const on = fold([status(true, undefined, T0)]);
		expect(on.windows.get("w02")).toMatchObject({ online: true, paused: false });
		const paused = fold([status(true, true, T0 + MIN)], on);
		expect(paused.windows.get("w02")).toMatchObject({ paused: true, pausedSince: T0 + MIN });
		expect(windowOpen(paused.windows.get("w02"))).toBe(false);
		const w02 = liveView(paused, index, T0 + 7 * MIN).windows.find((w) => w.id === "w02");
		expect(w02).toMatchObject({ state: "paused", pausedS: 6 * 60 });
		// A repeat of the same break keeps when it began.
		const again = fold([status(true, true, T0 + 2 * MIN)], paused);
		expect(again.windows.get("w02")?.pausedSince).toBe(T0 + MIN);
		const back = fold([status(true, false, T0 + 3 * MIN)], again);
		expect(back.windows.get("w02")).toMatchObject({ paused: false, pausedSince: undefined });
		expect(windowOpen(back.windows.get("w02"))).toBe(true);
		// Its Last Will (offline) ends the break with the connection.
		const gone = fold([status(false, true, T0 + 4 * MIN)], paused);
		expect(gone.windows.get("w02")).toMatchObject({ online: false, paused: false });
		expect(liveView(gone, index, T0 + 5 * MIN).windows.find((w) => w.id === "w02")?.state).toBe("offline");
	});

	it("ignores a status older than the one it has (late retained replay)", () => {
		const s = fold([ev("status", "win-01", { online: true }, T0 + MIN), ev("status", "win-01", { online: false }, T0)]);
		expect(s.nodes.get("win-01")?.online).toBe(true);
	});

	it("never lets door counts go below zero", () => {
		const s = fold([
			ev("occupancy", "door-main", { zone: "hall", in: 2, out: 0 }, T0),
			ev("occupancy", "door-main", { zone: "hall", in: 0, out: 5 }, T0 + MIN),
			ev("occupancy", "door-main", { zone: "hall", in: 1, out: 0 }, T0 + 2 * MIN),
		]);
		expect(s.zones.get("hall")?.count).toBe(1);
		const counted = fold([ev("occupancy", "door-main", { zone: "hall", count: 40 }, T0 + 3 * MIN)], s);
		expect(counted.zones.get("hall")?.count).toBe(40);
	});

	it("never lets increments carry a door count past three times the zone's capacity", () => {
		const capacity = index.zones.get("hall")?.capacity ?? 0;
		const steps = Array.from({ length: 30 }, (_, i) =>
			ev("occupancy", "door-main", { zone: "hall", in: capacity, out: 0 }, T0 + i * 1000),
		);
		const s = fold(steps);
		expect(s.zones.get("hall")?.count).toBe(3 * capacity);
		// Step by step: those leaving then count from the cap, not from 30 × capacity.
		const left = fold([ev("occupancy", "door-main", { zone: "hall", in: 0, out: capacity }, T0 + 60_000)], s);
		expect(left.zones.get("hall")?.count).toBe(2 * capacity);
	});

	it("tallies ratings and keeps extra presses apart", () => {
		const s = fold([
			ev("rating", "win-01", { score: 5 }, T0),
			ev("rating", "win-01", { score: 5, extra: true }, T0 + 1000),
			ev("rating", "win-02", { score: 2 }, T0 + MIN),
		]);
		const v = liveView(s, index, T0 + 2 * MIN);
		expect(v.ratings).toEqual({ count: 2, mean: 3.5, distribution: [0, 1, 0, 0, 1], extra: 1, scale: 5 });
	});

	it("starts a new local day at Kyiv midnight, not UTC midnight", () => {
		// 23:30 Kyiv on the 23rd is 21:30 UTC; 00:30 Kyiv on the 24th is 22:30 UTC on the 23rd.
		const lateEvening = Date.UTC(2026, 10, 23, 21, 30);
		const afterMidnight = Date.UTC(2026, 10, 23, 22, 30);
		const s = fold([issued("A001", "passports", lateEvening), ev("rating", "win-01", { score: 4 }, lateEvening)]);
		expect(s.day).toBe("2026-11-23");
		const next = fold([issued("A001", "passports", afterMidnight)], s);
		expect(next.day).toBe("2026-11-24");
		expect(next.issuedToday).toBe(1);
		expect(next.ratings.count).toBe(0);
		expect(next.waiting.size).toBe(1);
	});

	it("keeps node presence across the day change", () => {
		const s = fold([ev("status", "win-01", { online: true }, Date.UTC(2026, 10, 23, 21, 0))]);
		const next = fold([issued("A001", "passports", Date.UTC(2026, 10, 23, 23, 0))], s);
		expect(next.windows.get("w01")?.online).toBe(true);
	});

	it("counts priority tickets per service", () => {
		const s = fold([issued("A001", "passports", T0), issued("A002", "passports", T0 + 1, "idp")]);
		expect(liveView(s, index, T0 + MIN).services.find((x) => x.id === "passports")).toMatchObject({
			waiting: 2,
			priorityWaiting: 1,
		});
	});

	it("removes no-shows and cancellations from the queue", () => {
		const s = fold([
			issued("A001", "passports", T0),
			issued("A002", "passports", T0 + 1),
			q("called", "A001", "passports", "w01", T0 + MIN),
			q("no_show", "A001", "passports", "w01", T0 + 3 * MIN),
			q("cancelled", "A002", "passports", "w02", T0 + 4 * MIN),
		]);
		expect(s.waiting.size).toBe(0);
		expect(s.windows.get("w01")?.activity).toBe("idle");
		expect(s.servedToday).toBe(0);
	});

	it("gives the same state whether folded at once or in two parts", () => {
		const events = [
			issued("A001", "passports", T0),
			issued("B001", "residence", T0 + 1),
			q("called", "A001", "passports", "w01", T0 + MIN),
			ev("rating", "win-01", { score: 3 }, T0 + 2 * MIN),
		];
		const whole = liveView(fold(events), index, T0 + 5 * MIN);
		const parts = liveView(fold(events.slice(2), fold(events.slice(0, 2))), index, T0 + 5 * MIN);
		expect(parts).toEqual(whole);
	});
});

describe("events of an earlier day", () => {
	it("are kept out of today's hall (an outbox replayed after midnight)", () => {
		const today = Date.UTC(2026, 10, 24, 8); // 10:00 Kyiv on the 24th
		const yesterday = Date.UTC(2026, 10, 23, 12);
		const s = fold([issued("A001", "passports", today)]);
		const after = fold(
			[
				issued("A050", "passports", yesterday),
				ev("rating", "win-01", { score: 1 }, yesterday),
				ev("occupancy", "door-main", { zone: "hall", in: 9, out: 0 }, yesterday),
				ev("status", "win-01", { online: true }, yesterday),
			],
			s,
		);
		expect([...after.waiting.keys()]).toEqual(["A001"]);
		expect(after.ratings.count).toBe(0);
		expect(after.zones.get("hall")?.count).toBe(0);
		expect(after.nodes.get("win-01")?.online).toBe(true);
	});
});
