/**
 * A ticket sent on to another service (`transferred`, `to`): the live hall, the ticket's status,
 * the derived wait, the hold times and the service-level report, in every order its events can
 * arrive in.
 */
import { describe, expect, it } from "vitest";
import { indexCentre } from "../../core/centre.ts";
import type { WireEvent } from "../../core/contract.ts";
import { derive } from "../../core/derive.ts";
import { emptyHoldStats, observe } from "../../core/holdTimes.ts";
import { apply, emptyLive, type LiveState } from "../../core/live.ts";
import { liveView } from "../../core/liveView.ts";
import { queueRecord, serviceLevels } from "../../core/serviceLevels.ts";
import { anomalies } from "../../core/ticketLedger.ts";
import { ticketStatus } from "../../core/ticketStatus.ts";
import { wireEvent } from "../fixtures/events.ts";
import { demoCentre } from "../fixtures/hub.ts";

const centre = demoCentre();
const index = indexCentre(centre);
const DAY = "2026-11-10";
const T0 = Date.parse(`${DAY}T10:00:00+02:00`);
const MIN = 60_000;

let n = 0;
const q = (node: string, at: number, data: Record<string, unknown>): WireEvent =>
	wireEvent("queue", "demo", node, { id: `e${String(++n).padStart(3, "0")}`, ts: T0 + at * MIN, ...data });

// A017 for passports: called and served at w03, sent on to social, called and served at w05.
// B002 for social was issued after A017 and waits.
const course = [
	q("terminal-1", 0, { event: "issued", ticket: "A017", service: "passports" }),
	q("terminal-1", 5, { event: "issued", ticket: "B002", service: "social" }),
	q("win-03", 10, { event: "called", ticket: "A017", service: "passports", window: "w03" }),
	q("win-03", 11, { event: "started", ticket: "A017", service: "passports", window: "w03" }),
	q("win-03", 15, { event: "transferred", ticket: "A017", service: "passports", window: "w03", to: "social" }),
	q("win-05", 22, { event: "called", ticket: "A017", service: "social", window: "w05" }),
	q("win-05", 23, { event: "started", ticket: "A017", service: "social", window: "w05" }),
	q("win-05", 30, { event: "finished", ticket: "A017", service: "social", window: "w05" }),
];
// Both windows' nodes are online.
const online = ["win-03", "win-05"].map((node) =>
	wireEvent("status", "demo", node, { id: `s-${node}`, ts: T0 - MIN, online: true }),
);
const fold = (events: readonly WireEvent[]): LiveState =>
	[...online, ...events].reduce((s, e) => apply(s, e, index), emptyLive(index, DAY));
const view = (s: LiveState, at: number) => liveView(s, index, T0 + at * MIN);
const service = (s: LiveState, at: number, id: string) => view(s, at).services.find((x) => x.id === id);
const win = (s: LiveState, at: number, id: string) => view(s, at).windows.find((x) => x.id === id);

/** Every order of `xs` (8! = 40 320 for the whole course: the fold is cheap). */
function* orders<T>(xs: readonly T[]): Generator<T[]> {
	if (xs.length <= 1) {
		yield [...xs];
		return;
	}
	for (let i = 0; i < xs.length; i++)
		for (const rest of orders([...xs.slice(0, i), ...xs.slice(i + 1)])) yield [xs[i] as T, ...rest];
}

describe("a ticket transferred to another service", () => {
	const afterTransfer = fold(course.slice(0, 5));

	it("waits again, in the new service's queue, in its place by issue time; the window it left is free", () => {
		expect(service(afterTransfer, 16, "passports")).toMatchObject({ waiting: 0 });
		expect(service(afterTransfer, 16, "social")).toMatchObject({ waiting: 2 });
		// Issued before B002: it goes first (it has waited already).
		expect([...afterTransfer.waiting.values()].map((t) => [t.ticket, t.service])).toEqual([
			["A017", "social"],
			["B002", "social"],
		]);
		expect(win(afterTransfer, 16, "w03")).toMatchObject({ state: "idle", ticket: null });
		expect(view(afterTransfer, 16).tickets).toMatchObject({ waiting: 2, served: 0 });
	});

	it("is shown to its holder as waiting for the new service, since the transfer, nobody ahead", () => {
		expect(ticketStatus(afterTransfer, "A017")).toEqual({
			ticket: "A017",
			service: "social",
			stage: "waiting",
			ahead: 0,
			issuedAt: T0,
			since: T0 + 15 * MIN,
		});
		expect(ticketStatus(afterTransfer, "B002")).toMatchObject({ service: "social", stage: "waiting", ahead: 1 });
	});

	it("measures the wait of its second call from the transfer, and the first window's hold up to it", () => {
		const call = course[5] as WireEvent;
		expect(derive(afterTransfer, call, index)).toEqual({ wait_s: 7 * 60 });
		const stats = course.slice(0, 5).reduce((s, e) => observe(s, e, index), emptyHoldStats());
		expect(stats.holds.get("passports")).toEqual([5 * MIN]);
		expect(stats.calls.has("w03")).toBe(false);
	});

	it("counts once in the report: issued, called and transferred for its first service, served for the last", () => {
		const rows = serviceLevels(
			course.map((e) => queueRecord(e.data.ts, e.data as unknown as Record<string, unknown>)),
			centre,
		);
		const row = (s: string) => rows.find((r) => r.service === s);
		expect(row("passports")).toMatchObject({ issued: 1, called: 1, transferred: 1, served: 0 });
		expect(row("social")).toMatchObject({ issued: 1, called: 0, transferred: 0, served: 1 });
		expect(row("*")).toMatchObject({ issued: 2, called: 1, transferred: 1, served: 1 });
		expect(row("social")?.serviceTime.meanS).toBe(7 * 60);
	});

	it("gives the same hall in every order its events arrive in, with no anomaly", () => {
		const end = (s: LiveState) => JSON.stringify(view(s, 31));
		const expected = end(fold(course));
		const done = fold(course);
		expect(win(done, 31, "w05")).toMatchObject({ state: "idle", served: 1 });
		expect(win(done, 31, "w03")).toMatchObject({ state: "idle", served: 0 });
		expect(view(done, 31).tickets).toMatchObject({ waiting: 1, served: 1 });
		expect(Object.values(anomalies(done.tickets)).every((x) => x === 0)).toBe(true);
		let folds = 0;
		for (const order of orders(course)) {
			expect(end(fold(order))).toBe(expected);
			folds++;
		}
		expect(folds).toBe(40_320);
	});

	it("still counts a second call elsewhere without a transfer as called twice", () => {
		const twice = fold([
			course[0] as WireEvent,
			course[2] as WireEvent,
			q("win-04", 12, { event: "called", ticket: "A017", service: "passports", window: "w04" }),
		]);
		expect(anomalies(twice.tickets).called_twice).toBe(1);
	});
});
