import { describe, expect, it } from "vitest";
import { type Centre, indexCentre } from "../../core/centre.ts";
import type { WireEvent } from "../../core/contract.ts";
import { addHold, emptyHoldStats, type HoldStats, noShowChance, observe, priorityShare } from "../../core/holdTimes.ts";
import { apply, emptyLive, type LiveState } from "../../core/live.ts";
import {
	baselineWait,
	type EstimateOptions,
	estimateAll,
	estimateWait,
	tailIndex,
	windowPaces,
} from "../../core/waitEstimate.ts";
import { wireEvent } from "../fixtures/events.ts";

const names = (en: string) => ({ uk: en, en });
const centre: Centre = {
	id: "t",
	name: names("Test"),
	timeZone: "Europe/Kyiv",
	ratingScale: 5,
	hours: { mon: ["09:00-16:00"], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] },
	priorityCategories: ["idp", "military"],
	services: [
		{ id: "passport", name: names("Passport"), prefix: "A", targetWaitMin: 20, meanServiceMin: 10 },
		{ id: "social", name: names("Social"), prefix: "C", targetWaitMin: 15, meanServiceMin: 10 },
		{ id: "consult", name: names("Consult"), prefix: "K", targetWaitMin: 10 },
	],
	windows: [
		{ id: "w1", services: ["passport", "social"], priority: false },
		{ id: "w2", services: ["social"], priority: false },
		{ id: "w3", services: ["passport"], priority: false },
		{ id: "w4", services: ["consult"], priority: false },
	],
	zones: [],
	nodes: [
		{ id: "win-1", role: "window", window: "w1" },
		{ id: "win-2", role: "window", window: "w2" },
		{ id: "win-3", role: "window", window: "w3" },
		{ id: "win-4", role: "window", window: "w4" },
		{ id: "terminal", role: "terminal" },
	],
};
const index = indexCentre(centre);

// Monday 2026-11-23 10:00 Europe/Kyiv.
const T0 = Date.UTC(2026, 10, 23, 8, 0);
const MIN = 60_000;
let n = 0;
const ev = (kind: WireEvent["kind"], node: string, data: Record<string, unknown>, ts: number) =>
	wireEvent(kind, "t", node, { id: `e${++n}`, ts, ...data });
const online = (w: string, ts = T0 - 60 * MIN, on = true) => ev("status", `win-${w.slice(1)}`, { online: on }, ts);
const issued = (ticket: string, service: string, ts: number, priority?: string) =>
	ev("queue", "terminal", { event: "issued", ticket, service, ...(priority ? { priority } : {}) }, ts);
const q = (event: string, ticket: string, service: string, window: string, ts: number) =>
	ev("queue", `win-${window.slice(1)}`, { event, ticket, service, window }, ts);
const fold = (events: WireEvent[]): LiveState => events.reduce((s, e) => apply(s, e, index), emptyLive(index));

/** Every hold exactly 10 minutes, no gaps, no reaction, no doubt: the replay becomes arithmetic. */
function tenMinuteHolds(): HoldStats {
	const stats = emptyHoldStats();
	for (const s of ["passport", "social"]) for (let i = 0; i < 8; i++) addHold(stats, s, 10 * MIN);
	return stats;
}
const exact: EstimateOptions = { defaultGapMs: 0, defaultReactionMs: 0, paceSigma: 0, runs: 20 };

describe("estimateWait: known answers with fixed hold times", () => {
	it.each([
		{
			name: "one idle window, two tickets ahead: 2 × 10 min",
			events: [online("w3"), issued("A001", "passport", T0 - 3 * MIN), issued("A002", "passport", T0 - 2 * MIN)],
			service: "passport",
			options: {},
			want: 20,
		},
		{
			name: "two windows share the queue",
			events: [
				online("w1"),
				online("w3"),
				issued("A001", "passport", T0 - 3 * MIN),
				issued("A002", "passport", T0 - 2 * MIN),
			],
			service: "passport",
			options: {},
			want: 10,
		},
		{
			// w1 (passport + social) calls the priority social ticket first; w2 (social) is busy for
			// 6 more minutes and then finds nothing; so A001 goes at 10 and the visitor at 20.
			name: "a priority ticket of another service goes first at a shared window",
			events: [
				online("w1"),
				online("w2"),
				issued("C000", "social", T0 - 20 * MIN),
				q("called", "C000", "social", "w2", T0 - 4 * MIN),
				issued("A001", "passport", T0 - 5 * MIN),
				issued("C001", "social", T0 - MIN, "idp"),
			],
			service: "passport",
			options: {},
			want: 20,
		},
		{
			name: "a priority visitor is called before the regular ticket",
			events: [
				online("w1"),
				online("w2"),
				issued("C000", "social", T0 - 20 * MIN),
				q("called", "C000", "social", "w2", T0 - 4 * MIN),
				issued("A001", "passport", T0 - 5 * MIN),
				issued("C001", "social", T0 - MIN, "idp"),
			],
			service: "passport",
			options: { priority: true },
			want: 10,
		},
		{
			// w3 goes offline while serving: only w1 is left, free in 5 min, then A001, A002, the visitor.
			name: "a window going offline mid-service no longer counts",
			events: [
				online("w1"),
				online("w3"),
				issued("A000", "passport", T0 - 30 * MIN),
				issued("A009", "passport", T0 - 29 * MIN),
				q("called", "A000", "passport", "w1", T0 - 5 * MIN),
				q("called", "A009", "passport", "w3", T0 - 5 * MIN),
				issued("A001", "passport", T0 - 3 * MIN),
				issued("A002", "passport", T0 - 2 * MIN),
				online("w3", T0 - MIN, false),
			],
			service: "passport",
			options: {},
			want: 25,
		},
		{
			name: "for a ticket already waiting: the tickets before it only",
			events: [online("w3"), issued("A001", "passport", T0 - 3 * MIN), issued("A002", "passport", T0 - 2 * MIN)],
			service: "passport",
			options: { ticket: "A001" },
			want: 0,
		},
		{
			name: "a call in progress longer than every hold seen ends now where holds never vary",
			events: [
				online("w3"),
				issued("A000", "passport", T0 - 40 * MIN),
				q("called", "A000", "passport", "w3", T0 - 30 * MIN),
			],
			service: "passport",
			options: {},
			want: "≤1",
		},
	])("$name", ({ events, service, options, want }) => {
		const got = estimateWait(tenMinuteHolds(), fold(events), index, service, T0, { ...exact, ...options });
		expect(got.ok).toBe(true);
		if (!got.ok) return;
		if (want === "≤1") expect(got.high).toBeLessThanOrEqual(1);
		else expect(got).toMatchObject({ minutes: want, low: want, high: want, basis: "observed" });
	});

	it("reports the queue and the open windows with the figure", () => {
		const live = fold([online("w1"), online("w3"), issued("A001", "passport", T0 - MIN)]);
		expect(estimateWait(tenMinuteHolds(), live, index, "passport", T0, exact)).toMatchObject({
			service: "passport",
			waiting: 1,
			windowsOpen: 2,
		});
		// A window on a break counts as closed: one window left, the wait no shorter.
		const before = estimateWait(tenMinuteHolds(), live, index, "passport", T0, exact);
		const onBreak = fold([
			online("w1"),
			online("w3"),
			issued("A001", "passport", T0 - MIN),
			ev("status", "win-1", { online: true, paused: true }, T0 - MIN),
		]);
		const after = estimateWait(tenMinuteHolds(), onBreak, index, "passport", T0, exact);
		expect(after).toMatchObject({ windowsOpen: 1 });
		if (!before.ok || !after.ok) throw new Error("no estimate");
		expect(after.minutes).toBeGreaterThanOrEqual(before.minutes);
	});
});

describe("estimateWait: no estimate rather than a guess", () => {
	it.each([
		{ name: "unknown service", events: [online("w1")], service: "pets", reason: "unknown_service" },
		{ name: "no window serving it online", events: [online("w2")], service: "passport", reason: "no_window_open" },
		{
			name: "its only window went offline",
			events: [online("w3"), online("w3", T0 - MIN, false)],
			service: "passport",
			reason: "no_window_open",
		},
		{
			name: "its only window is on a break",
			events: [online("w3"), ev("status", "win-3", { online: true, paused: true }, T0 - MIN)],
			service: "passport",
			reason: "no_window_open",
		},
		{
			name: "no service time observed nor configured",
			events: [online("w4")],
			service: "consult",
			reason: "no_service_times",
		},
	])("$name", ({ events, service, reason }) => {
		const got = estimateWait(emptyHoldStats(), fold(events), index, service, T0);
		expect(got).toMatchObject({ ok: false, reason });
	});
});

describe("estimateWait: ranges", () => {
	it("uses the configured mean service time before any is observed, with a range around it", () => {
		const live = fold([online("w3"), issued("A001", "passport", T0 - MIN)]);
		const got = estimateWait(emptyHoldStats(), live, index, "passport", T0);
		if (!got.ok) throw new Error(got.reason);
		expect(got.basis).toBe("configured");
		expect(got.minutes).toBeGreaterThan(6);
		expect(got.minutes).toBeLessThan(12);
		expect(got.low).toBeLessThan(got.minutes);
		expect(got.high).toBeGreaterThan(got.minutes);
	});

	it("mixes observed and configured times while few were observed", () => {
		const stats = emptyHoldStats();
		addHold(stats, "passport", 12 * MIN);
		const live = fold([online("w3"), issued("A001", "passport", T0 - MIN)]);
		expect(estimateWait(stats, live, index, "passport", T0)).toMatchObject({ ok: true, basis: "mixed" });
	});

	it("is the same for the same inputs (seeded)", () => {
		const live = fold([online("w3"), issued("A001", "passport", T0 - MIN), issued("A002", "passport", T0)]);
		const a = estimateWait(emptyHoldStats(), live, index, "passport", T0 + 1000);
		const b = estimateWait(emptyHoldStats(), live, index, "passport", T0 + 1000);
		expect(a).toEqual(b);
	});

	/** Four passport tickets waiting at `at`, one window: 4 × 10 min with nobody coming ahead. */
	const fourWaiting = (at: number) =>
		fold([
			online("w3", at - 60 * MIN),
			...["A001", "A002", "A003", "A004"].map((t, i) => issued(t, "passport", at - i * MIN)),
		]);
	/** Holds of 10 min, `perHour` passport tickets issued in the last hour, `share` of all tickets priority. */
	function arrivals(at: number, perHour: number, share: number): HoldStats {
		const stats = tenMinuteHolds();
		for (let i = perHour; i > 0; i--)
			stats.issuedRecent.push({ at: at - (i * 60 * MIN) / (perHour + 1), service: "passport" });
		for (let i = 0; i < 100; i++) stats.priorityFlags.push(i < share * 100 ? 1 : 0);
		return stats;
	}

	it("counts priority visitors still to come: the service's recent rate × the centre's priority share", () => {
		const live = fourWaiting(T0);
		const quiet = estimateWait(tenMinuteHolds(), live, index, "passport", T0, exact);
		const none = estimateWait(arrivals(T0, 12, 0), live, index, "passport", T0, exact);
		const some = estimateWait(arrivals(T0, 12, 0.25), live, index, "passport", T0, exact);
		const more = estimateWait(arrivals(T0, 12, 0.5), live, index, "passport", T0, exact);
		if (!quiet.ok || !none.ok || !some.ok || !more.ok) throw new Error("no estimate");
		expect(quiet.minutes).toBe(40);
		// Twelve tickets an hour, none of them priority: nobody will come ahead.
		expect(none.minutes).toBe(40);
		// Three priority visitors an hour (12 × ¼) come ahead within the 40 min; six, more of them.
		expect(some.minutes).toBeGreaterThan(40);
		expect(more.minutes).toBeGreaterThan(some.minutes);
	});

	it("expects no priority visitor after the centre closes", () => {
		// Six priority visitors an hour; at 10:00 the centre is open for six more hours, at 15:59 for one minute.
		const morning = T0;
		const lastMinute = T0 + 359 * MIN;
		const early = estimateWait(arrivals(morning, 12, 0.5), fourWaiting(morning), index, "passport", morning, exact);
		const late = estimateWait(
			arrivals(lastMinute, 12, 0.5),
			fourWaiting(lastMinute),
			index,
			"passport",
			lastMinute,
			exact,
		);
		if (!early.ok || !late.ok) throw new Error("no estimate");
		expect(early.minutes).toBeGreaterThanOrEqual(60);
		// At most one priority visitor in the last minute: 40 or 50 min, not the morning's.
		expect(late.minutes).toBeLessThanOrEqual(50);
	});
});

describe("hold times: the estimate's fold", () => {
	it("learns holds, gaps, reactions and today's service time from queue events", () => {
		const events = [
			issued("A001", "passport", T0),
			q("called", "A001", "passport", "w3", T0 + MIN),
			q("started", "A001", "passport", "w3", T0 + 2 * MIN),
			issued("A002", "passport", T0 + 5 * MIN),
			q("finished", "A001", "passport", "w3", T0 + 12 * MIN),
			q("called", "A002", "passport", "w3", T0 + 12.5 * MIN),
			q("no_show", "A002", "passport", "w3", T0 + 15.5 * MIN),
			issued("A003", "passport", T0 + 20 * MIN, "military"),
			q("called", "A003", "passport", "w3", T0 + 20.25 * MIN),
		];
		const stats = events.reduce((s, e) => observe(s, e, index), emptyHoldStats());
		// Served holds per service; a no-show's hold is the hall's grace, kept apart.
		expect(stats.holds.get("passport")).toEqual([11 * MIN]);
		expect(stats.noShowHolds).toEqual([3 * MIN]);
		expect(stats.windowHolds.get("w3")).toEqual([{ service: "passport", ms: 11 * MIN }]);
		// Each call that ended, with how long its ticket had waited when called.
		expect(stats.callOutcomes).toEqual([
			{ waitedMs: MIN, noShow: false },
			{ waitedMs: 7.5 * MIN, noShow: true },
		]);
		expect(stats.gaps).toEqual([0.5 * MIN]);
		expect(stats.reactions).toEqual([0.25 * MIN]);
		expect(stats.today).toEqual({ serviceSumMs: 10 * MIN, served: 1 });
		expect(stats.issuedRecent).toEqual([
			{ at: T0, service: "passport" },
			{ at: T0 + 5 * MIN, service: "passport" },
			{ at: T0 + 20 * MIN, service: "passport" },
		]);
		expect(stats.priorityFlags).toEqual([0, 0, 1]);
		expect(priorityShare(stats)).toBeCloseTo(1 / 3);
		expect(stats.calls.get("w3")).toMatchObject({ ticket: "A003", calledAt: T0 + 20.25 * MIN, waitedMs: 0.25 * MIN });
	});

	it("tells the chance of a no-show by how long the ticket waited, never less for a longer wait", () => {
		const stats = emptyHoldStats();
		// 200 calls after 0–10 min: 4 % no-shows; 100 after 45–60 min: 20 %; 3 after 90 min and more: all no-shows.
		for (let i = 0; i < 200; i++) stats.callOutcomes.push({ waitedMs: (i % 10) * MIN, noShow: i % 25 === 0 });
		for (let i = 0; i < 100; i++) stats.callOutcomes.push({ waitedMs: (45 + (i % 15)) * MIN, noShow: i % 5 === 0 });
		for (let i = 0; i < 3; i++) stats.callOutcomes.push({ waitedMs: 100 * MIN, noShow: true });
		const chance = noShowChance(stats);
		const all = 31 / 303;
		// The first band: its own share shrunk towards the centre's with the weight of 20 calls.
		expect(chance(5 * MIN)).toBeCloseTo((8 + 20 * all) / 220, 9);
		// Bands with no calls take the band below them.
		expect(chance(15 * MIN)).toBeCloseTo(chance(5 * MIN), 9);
		expect(chance(50 * MIN)).toBeCloseTo((20 + 20 * chance(40 * MIN)) / 120, 9);
		expect(chance(50 * MIN)).toBeLessThan(0.2);
		// Three calls are not enough to say all are gone: shrunk towards the band below.
		expect(chance(100 * MIN)).toBeGreaterThan(chance(50 * MIN));
		expect(chance(100 * MIN)).toBeLessThan(0.35);
		// A band with fewer no-shows than the one below it is not taken as likelier to come.
		stats.callOutcomes.push(...Array.from({ length: 50 }, () => ({ waitedMs: 70 * MIN, noShow: false })));
		expect(noShowChance(stats)(70 * MIN)).toBeCloseTo(noShowChance(stats)(50 * MIN), 9);
		expect(noShowChance(emptyHoldStats())(60 * MIN)).toBe(0);
	});

	it("starts today's figures again on a new local day and keeps the recent holds", () => {
		const day1 = [
			issued("A001", "passport", T0),
			q("called", "A001", "passport", "w3", T0),
			q("finished", "A001", "passport", "w3", T0 + 10 * MIN),
		];
		const next = T0 + 24 * 60 * MIN;
		const stats = [...day1, issued("A001", "passport", next)].reduce((s, e) => observe(s, e, index), emptyHoldStats());
		expect(stats.today).toEqual({ serviceSumMs: 0, served: 0 });
		expect(stats.holds.get("passport")).toEqual([10 * MIN]);
		expect(stats.day).toBe("2026-11-24");
	});
});

describe("baselineWait: the naive display", () => {
	it("waiting × today's mean service time ÷ windows open", () => {
		const events = [
			online("w1"),
			online("w3"),
			issued("A001", "passport", T0),
			q("called", "A001", "passport", "w3", T0),
			q("finished", "A001", "passport", "w3", T0 + 6 * MIN),
			issued("A002", "passport", T0 + 7 * MIN),
			issued("A003", "passport", T0 + 7 * MIN),
			issued("A004", "passport", T0 + 7 * MIN),
		];
		const stats = events.reduce((s, e) => observe(s, e, index), emptyHoldStats());
		expect(baselineWait(stats, fold(events), index, "passport")).toBe((3 * 6) / 2);
		expect(baselineWait(emptyHoldStats(), fold(events), index, "passport")).toBe((3 * 10) / 2);
		expect(baselineWait(stats, fold(events), index, "consult")).toBeNull();
	});
});

describe("estimateAll", () => {
	it("gives one estimate per configured service, in order", () => {
		const live = fold([online("w1"), online("w3")]);
		const all = estimateAll(tenMinuteHolds(), live, index, T0, exact);
		expect(all.map((e) => [e.service, e.ok])).toEqual([
			["passport", true],
			["social", true],
			["consult", false],
		]);
		expect(all[0]).toMatchObject({ minutes: 0, windowsOpen: 2 });
	});
});

describe("estimateWait at a closed centre", () => {
	// Monday 2026-11-23 16:30 Kyiv: the test centre closed at 16:00 with a ticket still waiting.
	const after = T0 + 6.5 * 60 * MIN;
	const live = fold([online("w1"), online("w3"), issued("A001", "passport", T0 + 5.9 * 60 * MIN)]);

	it("gives no estimate for a ticket taken now, with the reason closed (never 0 min)", () => {
		const w = estimateWait(tenMinuteHolds(), live, index, "passport", after, exact);
		expect(w).toMatchObject({ ok: false, reason: "closed", waiting: 1 });
		for (const e of estimateAll(tenMinuteHolds(), live, index, after, exact)) expect(e.ok).toBe(false);
	});

	it("still estimates a ticket already waiting: the visitors in the hall at closing are served", () => {
		const w = estimateWait(tenMinuteHolds(), live, index, "passport", after, { ...exact, ticket: "A001" });
		expect(w.ok).toBe(true);
	});
});

describe("service times as distributions: per window, heavy tails, the range with the queue", () => {
	/** Holds of a service spread as a hall has them: 4..16 min, mean 10. */
	const spread = (stats: HoldStats, service: string, n = 40) => {
		for (let i = 0; i < n; i++) addHold(stats, service, (4 + (12 * i) / (n - 1)) * MIN);
		return stats;
	};
	const waitingPassports = (k: number) =>
		Array.from({ length: k }, (_, i) => issued(`A${String(i).padStart(3, "0")}`, "passport", T0 - (k - i) * MIN));

	it("expects fewer of the tickets that waited long to come when called, where visitors leave after their ticket", () => {
		// Six tickets waiting for over an hour at one window; holds of 10 min, a no-show's 3 min.
		const live = fold([
			online("w3"),
			...Array.from({ length: 6 }, (_, i) => issued(`A${String(i).padStart(3, "0")}`, "passport", T0 - (90 - i) * MIN)),
		]);
		const stats = tenMinuteHolds();
		for (let i = 0; i < 8; i++) stats.noShowHolds.push(3 * MIN);
		const stays = estimateWait(stats, live, index, "passport", T0, { ...exact, runs: 400 });
		// Of the calls after an hour, half found nobody; of the quick ones, none.
		for (let i = 0; i < 100; i++) stats.callOutcomes.push({ waitedMs: (i % 10) * MIN, noShow: false });
		for (let i = 0; i < 100; i++) stats.callOutcomes.push({ waitedMs: (60 + (i % 20)) * MIN, noShow: i % 2 === 0 });
		const leaves = estimateWait(stats, live, index, "passport", T0, { ...exact, runs: 400 });
		if (!stays.ok || !leaves.ok) throw new Error("no estimate");
		expect(stays.minutes).toBe(60);
		// Six calls at about 0.45 × 3 + 0.55 × 10 min each: about 41 min, not 60.
		expect(leaves.minutes).toBeGreaterThan(35);
		expect(leaves.minutes).toBeLessThan(48);
		// A visitor who just took a ticket is no likelier to be gone: the same answer for one ahead of the window.
		const fresh = fold([online("w3"), issued("A001", "passport", T0 - MIN)]);
		const e = estimateWait(stats, fresh, index, "passport", T0, exact);
		expect(e.ok && e.minutes).toBe(10);
	});

	it("learns a window's pace from its own holds, shrunk towards the hall's while it has few, within ⅓..3", () => {
		const table = [...(spread(emptyHoldStats(), "passport").holds.get("passport") ?? [])].sort((x, y) => x - y);
		// The hall's usual hold: the geometric mean of the service's holds.
		const usual = Math.exp(table.reduce((sum, x) => sum + Math.log(x), 0) / table.length);
		const stats = emptyHoldStats();
		const paced = (window: string, n: number, factor: number) => {
			stats.windowHolds.set(
				window,
				Array.from({ length: n }, () => ({ service: "passport", ms: usual * factor })),
			);
		};
		paced("w1", 40, 2);
		paced("w2", 2, 2);
		paced("w3", 40, 50);
		const paces = windowPaces(stats, () => table, 8);
		expect(paces.get("w1")).toBeCloseTo(2 ** (40 / 48), 5);
		expect(paces.get("w2")).toBeCloseTo(2 ** (2 / 10), 5);
		expect(paces.get("w3")).toBe(3);
		expect(paces.has("w4")).toBe(false);
	});

	it("takes every window of a hall with a few very long visits at the hall's pace", () => {
		// One visit in ten is six times the usual; every window has served the same mix.
		const holds = Array.from({ length: 40 }, (_, i) => (i % 10 === 9 ? 60 : 8 + (i % 10) / 3) * MIN);
		const table = [...holds].sort((x, y) => x - y);
		const stats = emptyHoldStats();
		for (const w of ["w1", "w2", "w3"])
			stats.windowHolds.set(
				w,
				holds.map((ms) => ({ service: "passport", ms })),
			);
		const paces = windowPaces(stats, () => table, 8);
		// Measured against the median (9.5 min), each came out 1.15 × slower than the hall it is.
		for (const w of ["w1", "w2", "w3"]) expect(paces.get(w)).toBeCloseTo(1, 9);
	});

	it("estimates longer at a window whose administrator is slower than the hall", () => {
		const live = fold([online("w3"), ...waitingPassports(3)]);
		const hall = spread(emptyHoldStats(), "passport");
		const slow = spread(emptyHoldStats(), "passport");
		for (let i = 0; i < 30; i++) addHold(slow, "passport", 20 * MIN, "w3");
		const a = estimateWait(hall, live, index, "passport", T0, { paceSigma: 0 });
		const b = estimateWait(slow, live, index, "passport", T0, { paceSigma: 0 });
		if (!a.ok || !b.ok) throw new Error("no estimate");
		// Four holds (three ahead, then the visitor is called after the third): ~30 min at the hall's pace.
		expect(a.minutes).toBeGreaterThan(25);
		expect(a.minutes).toBeLessThan(36);
		expect(b.minutes).toBeGreaterThan(a.minutes * 1.4);
	});

	it("widens the range with the number of tickets ahead", () => {
		const stats = spread(emptyHoldStats(), "passport");
		const width = (k: number) => {
			const e = estimateWait(stats, fold([online("w3"), ...waitingPassports(k)]), index, "passport", T0, {
				paceSigma: 0,
			});
			if (!e.ok) throw new Error("no estimate");
			return e.high - e.low;
		};
		const [one, five, fifteen] = [width(1), width(5), width(15)];
		expect(five).toBeGreaterThan(one);
		expect(fifteen).toBeGreaterThan(five);
	});

	it("draws the long visits it has seen, and leaves room for them before it has seen any", () => {
		const live = fold([online("w3"), ...waitingPassports(1)]);
		// Seen: most visits 8 min, one in ten 48 min (six times as long).
		const seen = emptyHoldStats();
		for (let i = 0; i < 36; i++) addHold(seen, "passport", (i % 10 === 9 ? 48 : 8) * MIN);
		const heavy = estimateWait(seen, live, index, "passport", T0, { paceSigma: 0, coverage: 0.9 });
		if (!heavy.ok) throw new Error("no estimate");
		// The range's top reaches the long visits: over four times the usual one.
		expect(heavy.high).toBeGreaterThanOrEqual(4 * 8);
		// A new centre: only the configured mean (10 min); the prior's 90th percentile is about twice it.
		const prior = estimateWait(emptyHoldStats(), live, index, "passport", T0, { paceSigma: 0 });
		if (!prior.ok) throw new Error("no estimate");
		expect(prior.basis).toBe("configured");
		expect(prior.high).toBeGreaterThanOrEqual(19);
	});

	/** 40 holds in minutes, 4..16, and with one in twenty six times the usual (60 min): a heavy tail. */
	const lightMinutes = Array.from({ length: 40 }, (_, i) => 4 + (12 * i) / 39);
	const heavyMinutes = lightMinutes.map((m, i) => (i % 20 === 19 ? 60 : m));
	/** The estimate for a visitor now, with w3 the only window, on A000 for `minutesIn` minutes. */
	const duringCall = (stats: HoldStats, minutesIn: number) => {
		const live = fold([
			online("w3"),
			issued("A000", "passport", T0 - (minutesIn + 5) * MIN),
			q("called", "A000", "passport", "w3", T0 - minutesIn * MIN),
		]);
		const e = estimateWait(stats, live, index, "passport", T0, { paceSigma: 0 });
		if (!e.ok) throw new Error("no estimate");
		return e;
	};

	it("tells a heavy tail from a light one by the longest holds", () => {
		const sorted = (minutes: number[]) => minutes.map((m) => m * MIN).sort((a, b) => a - b);
		const [light, heavy] = [sorted(lightMinutes), sorted(heavyMinutes)];
		expect(tailIndex(heavy)).toBeLessThan(2.5);
		expect(tailIndex(light)).toBeGreaterThan(2 * tailIndex(heavy));
		expect(tailIndex(sorted(Array(40).fill(10)))).toBe(Number.POSITIVE_INFINITY);
		// Never so heavy that the tail's mean is endless.
		expect(tailIndex(sorted([...Array(36).fill(1), 500, 800, 900, 1000]))).toBe(1.5);
	});

	it("takes a call that has outlasted nearly every hold seen as a long one where a few visits are long", () => {
		const seen = emptyHoldStats();
		for (const m of heavyMinutes) addHold(seen, "passport", m * MIN);
		const e = duringCall(seen, 70);
		// Longer than every hold seen: not "within a tenth of the longest" (6 min) but likely as long
		// again as a long visit goes; the median of a Pareto rest with index 1.5 is 0.59 × 70 min.
		expect(e.minutes).toBeGreaterThan(20);
		expect(e.high).toBeGreaterThan(60);
		// Never past the centre's closing (16:00, six hours on), however heavy the tail.
		expect(e.high).toBeLessThanOrEqual(6 * 60);
		// Holds spread 4..16 min without long ones: a call at 20 min ends within minutes.
		const calm = emptyHoldStats();
		for (const m of lightMinutes) addHold(calm, "passport", m * MIN);
		expect(duringCall(calm, 20).minutes).toBeLessThan(4);
	});
});
