import { describe, expect, it } from "vitest";
import { type AlertState, emptyAlerts, evaluate } from "../../core/alerts.ts";
import { type Centre, indexCentre } from "../../core/centre.ts";
import type { WireEvent } from "../../core/contract.ts";
import { addHold, emptyHoldStats, type HoldStats, observe } from "../../core/holdTimes.ts";
import { apply, emptyLive, type LiveState } from "../../core/live.ts";
import { liveView, withSilence } from "../../core/liveView.ts";
import { awayChance, SILENCE_DEFAULTS, silentWindows, usualReaction } from "../../core/silence.ts";
import { estimateWait } from "../../core/waitEstimate.ts";
import { wireEvent } from "../fixtures/events.ts";

const names = (en: string) => ({ uk: en, en });
const centre: Centre = {
	id: "t",
	name: names("Test"),
	timeZone: "Europe/Kyiv",
	ratingScale: 5,
	hours: { mon: ["09:00-18:00"], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] },
	priorityCategories: [],
	services: [
		{ id: "passport", name: { uk: "Паспорт", en: "Passport" }, prefix: "A", targetWaitMin: 60, meanServiceMin: 10 },
		{ id: "social", name: { uk: "Соціальні", en: "Social" }, prefix: "C", targetWaitMin: 60, meanServiceMin: 10 },
	],
	windows: [
		{ id: "w1", name: "Вікно 1", services: ["passport"], priority: false },
		{ id: "w2", services: ["social"], priority: false },
	],
	zones: [],
	nodes: [
		{ id: "win-1", role: "window", window: "w1" },
		{ id: "win-2", role: "window", window: "w2" },
		{ id: "terminal", role: "terminal" },
	],
};
const index = indexCentre(centre);

// Monday 2026-11-23 10:00 Europe/Kyiv.
const T0 = Date.UTC(2026, 10, 23, 8, 0);
const S = 1000;
const MIN = 60_000;
let n = 0;
const ev = (kind: WireEvent["kind"], node: string, data: Record<string, unknown>, ts: number) =>
	wireEvent(kind, "t", node, { id: `e${++n}`, ts, ...data });
const status = (w: string, ts: number, extra: Record<string, unknown> = {}) =>
	ev("status", `win-${w.slice(1)}`, { online: true, ...extra }, ts);
const issued = (ticket: string, service: string, ts: number) =>
	ev("queue", "terminal", { event: "issued", ticket, service }, ts);
const q = (event: string, ticket: string, service: string, window: string, ts: number) =>
	ev("queue", `win-${window.slice(1)}`, { event, ticket, service, window }, ts);

/** Folds the events into a live hall and the hold stats, as the hub does. */
function hall(events: WireEvent[]): { live: LiveState; stats: HoldStats } {
	let live = emptyLive(index);
	const stats = emptyHoldStats();
	for (const e of events) {
		live = apply(live, e, index);
		observe(stats, e, index);
	}
	return { live, stats };
}

/**
 * A morning at w1: `count` visitors, each called `delayMs` after the previous one finished (the
 * next ticket already waiting), each served 5 minutes. Ends with w1 idle, at the returned time.
 */
function history(count: number, delayMs: number, from = T0 - 100 * MIN, w = "w1", service = "passport") {
	const events: WireEvent[] = [status(w, from - MIN)];
	let t = from;
	for (let i = 1; i <= count + 1; i++) events.push(issued(`H${w}${i}`, service, from - MIN));
	for (let i = 1; i <= count; i++) {
		t += delayMs;
		events.push(q("called", `H${w}${i}`, service, w, t), q("started", `H${w}${i}`, service, w, t + 10 * S));
		t += 5 * MIN;
		events.push(q("finished", `H${w}${i}`, service, w, t));
	}
	// The spare ticket is cancelled at the terminal so nothing of the history still waits.
	events.push(ev("queue", "terminal", { event: "cancelled", ticket: `H${w}${count + 1}`, service }, t));
	return { events, end: t };
}

describe("hold times: a window's own delays", () => {
	it("learns the delay from becoming free with a ticket waiting to the next call, per window", () => {
		const { stats } = hall(history(5, 3 * MIN).events);
		// The first call comes 3 min after the node came online with tickets waiting; then 3 min after each end.
		expect(stats.delays.get("w1")).toEqual({
			gaps: [3 * MIN + MIN, 3 * MIN, 3 * MIN, 3 * MIN, 3 * MIN],
			reactions: [],
		});
		expect(stats.delays.get("w2")).toBeUndefined();
	});

	it("does not count a break as a delay: the window is free again from the status that reopens it", () => {
		const t = T0 - 60 * MIN;
		const { stats } = hall([
			status("w1", t - 10 * MIN),
			issued("A001", "passport", t - 5 * MIN),
			q("called", "A001", "passport", "w1", t),
			q("finished", "A001", "passport", "w1", t + 5 * MIN),
			status("w1", t + 6 * MIN, { paused: true }),
			issued("A002", "passport", t + 7 * MIN),
			status("w1", t + 30 * MIN, { paused: false }),
			q("called", "A002", "passport", "w1", t + 30 * MIN + 20 * S),
		]);
		// Its first call is a reaction (the ticket came while it was free); back from the break with a
		// ticket waiting, it calls after a gap counted from its return, not from before the break.
		expect(stats.delays.get("w1")).toEqual({ gaps: [20 * S], reactions: [5 * MIN] });
		expect(stats.openSince.get("w1")).toBe(t + 30 * MIN);
	});

	it("ignores a status older than the latest one (a retained one replayed late)", () => {
		const { stats } = hall([status("w1", T0, { paused: true }), status("w1", T0 - MIN)]);
		expect(stats.openSince.has("w1")).toBe(false);
	});
});

describe("usualReaction: the window's own history, the hall's as prior", () => {
	const stats = (own: number[], others: number[]) => {
		const s = emptyHoldStats();
		s.delays.set("w1", { gaps: own, reactions: [] });
		s.delays.set("w2", { gaps: [], reactions: others });
		return s;
	};
	it.each([
		{ name: "too little history in the hall: unknown", own: [], others: [MIN, MIN], want: undefined },
		{ name: "a window that never called: the hall's", own: [], others: Array(10).fill(3 * MIN), want: 3 * MIN },
		{
			name: "a window with much history: its own",
			own: Array(40).fill(5 * MIN),
			others: Array(40).fill(2 * MIN),
			want: 5 * MIN,
		},
		{ name: "never below the floor", own: Array(20).fill(5 * S), others: [], want: SILENCE_DEFAULTS.floorMs },
	])("$name", ({ own, others, want }) => {
		expect(usualReaction(stats(own, others), "w1")).toBe(want);
	});

	it("moves from the hall's figure to the window's own as it calls", () => {
		const slowHall = Array(40).fill(6 * MIN);
		const few = usualReaction(stats(Array(2).fill(2 * MIN), slowHall), "w1") ?? 0;
		const many = usualReaction(stats(Array(40).fill(2 * MIN), slowHall), "w1") ?? 0;
		expect(few).toBe(6 * MIN);
		expect(many).toBe(2 * MIN);
	});

	it("gives a chance of being away growing past the usual reaction, never a switch", () => {
		expect(awayChance(MIN, 2 * MIN)).toBe(0);
		expect(awayChance(2 * MIN, 2 * MIN)).toBe(0);
		expect(awayChance(4 * MIN, 2 * MIN)).toBe(0.5);
		expect(awayChance(8 * MIN, 2 * MIN)).toBe(0.75);
		expect(awayChance(1000 * MIN, 2 * MIN)).toBe(SILENCE_DEFAULTS.maxChance);
		expect(awayChance(1000 * MIN, undefined)).toBe(0);
	});
});

describe("silentWindows: a window idle with waiting tickets is flagged after its learned reaction and not before", () => {
	// w1 usually calls 3 minutes after becoming free with a ticket waiting.
	const h = history(12, 3 * MIN);
	const idleFrom = h.end;
	const base = [...h.events, issued("A001", "passport", idleFrom - 2 * MIN), issued("A002", "passport", idleFrom)];
	const w1 = (events: WireEvent[], at: number) => {
		const { live, stats } = hall(events);
		return silentWindows(live, index, stats, at).find((s) => s.window === "w1");
	};

	it.each([
		{ after: 0, away: false },
		{ after: 2 * MIN, away: false },
		{ after: 3 * MIN, away: false },
		{ after: 3 * MIN + 5 * S, away: true },
		{ after: 10 * MIN, away: true },
	])("silent $after ms: possibly away $away", ({ after, away }) => {
		const s = w1(base, idleFrom + after);
		expect(s).toMatchObject({ since: idleFrom, silentMs: after, waiting: 2, usualMs: 3 * MIN, possiblyAway: away });
		expect((s?.awayChance ?? 0) > 0).toBe(away);
	});

	it("is not silent while calling or serving, on a break, offline, or with nobody it serves waiting", () => {
		const at = idleFrom + 30 * MIN;
		expect(w1([...base, q("called", "A001", "passport", "w1", idleFrom + MIN)], at)).toBeUndefined();
		expect(w1([...base, status("w1", idleFrom + MIN, { paused: true })], at)).toBeUndefined();
		expect(w1([...base, status("w1", idleFrom + MIN, { online: false })], at)).toBeUndefined();
		expect(w1([...h.events, issued("C001", "social", idleFrom)], at)).toBeUndefined();
	});

	it("counts from the latest of: idle, reopened after a break, the oldest ticket's issue", () => {
		const back = [
			...h.events,
			status("w1", idleFrom + MIN, { paused: true }),
			issued("A001", "passport", idleFrom + 2 * MIN),
			status("w1", idleFrom + 20 * MIN, { paused: false }),
		];
		expect(w1(back, idleFrom + 22 * MIN)).toMatchObject({ since: idleFrom + 20 * MIN, possiblyAway: false });
		const later = [...h.events, issued("A001", "passport", idleFrom + 10 * MIN)];
		expect(w1(later, idleFrom + 12 * MIN)).toMatchObject({ since: idleFrom + 10 * MIN, possiblyAway: false });
	});

	it("judges nothing while the hall has too little history", () => {
		const few = history(3, 3 * MIN);
		const s = w1([...few.events, issued("A001", "passport", few.end)], few.end + 60 * MIN);
		expect(s).toMatchObject({ usualMs: undefined, possiblyAway: false, awayChance: 0 });
	});

	it("shows in the live view: silentS, its usual reaction, possibly away", () => {
		const { live, stats } = hall(base);
		const at = idleFrom + 6 * MIN;
		const view = withSilence(liveView(live, index, at), silentWindows(live, index, stats, at));
		expect(view.windows.find((w) => w.id === "w1")).toMatchObject({
			state: "idle",
			silentS: 360,
			usualReactionS: 180,
			possiblyAway: true,
			awayChance: 0.5,
		});
		expect(view.windows.find((w) => w.id === "w2")).toMatchObject({
			silentS: null,
			usualReactionS: null,
			possiblyAway: false,
			awayChance: 0,
		});
	});
});

describe("the silentWindow alert rule", () => {
	const h = history(12, 3 * MIN);
	const idleFrom = h.end;

	function run(steps: { at: number; events?: WireEvent[] }[], rules?: Centre["alerts"]) {
		const ix = rules ? indexCentre({ ...centre, alerts: rules }) : index;
		let live = emptyLive(ix);
		const stats = emptyHoldStats();
		let state: AlertState = emptyAlerts();
		const fold = (events: WireEvent[]) => {
			for (const e of events) {
				live = apply(live, e, ix);
				observe(stats, e, ix);
			}
		};
		fold([...h.events, issued("A001", "passport", idleFrom)]);
		return steps.map(({ at, events = [] }) => {
			fold(events);
			const r = evaluate(state, { live, index: ix, holds: stats }, at);
			state = r.state;
			return r;
		});
	}

	it("raises after the window's usual reaction, not before, and resolves when it calls", () => {
		const steps = run([
			{ at: idleFrom + 2 * MIN },
			{ at: idleFrom + 3 * MIN },
			{ at: idleFrom + 6 * MIN },
			{ at: idleFrom + 7 * MIN },
			{ at: idleFrom + 8 * MIN, events: [q("called", "A001", "passport", "w1", idleFrom + 8 * MIN)] },
		]);
		const silent = steps.map((r) => r.state.alerts.filter((a) => a.rule === "silentWindow").map((a) => a.key));
		expect(silent).toEqual([[], [], ["silent:w1"], ["silent:w1"], []]);
		expect(steps[2]?.raised.map((a) => a.key)).toContain("silent:w1");
		expect(steps[2]?.state.alerts.find((a) => a.key === "silent:w1")).toMatchObject({
			severity: "warning",
			subject: { window: "w1" },
			since: idleFrom + 3 * MIN,
			value: 360,
			threshold: 180,
			message: {
				uk: "Вікно 1 не викликає 6 хв (чекають: 1; зазвичай викликає за 3 хв)",
				en: "Вікно 1 has not called for 6 min (1 waiting; it usually calls within 3 min)",
			},
		});
		expect(steps[4]?.resolved.map((a) => a.key)).toEqual(["silent:w1"]);
	});

	it("takes the rule's minS as the least usual reaction, and can be switched off", () => {
		const slow = run([{ at: idleFrom + 6 * MIN }, { at: idleFrom + 11 * MIN }], {
			silentWindow: { enabled: true, minS: 600 },
		});
		expect(slow.map((r) => r.state.alerts.some((a) => a.rule === "silentWindow"))).toEqual([false, true]);
		expect(slow[1]?.state.alerts.find((a) => a.rule === "silentWindow")?.threshold).toBe(600);
		const off = run([{ at: idleFrom + 60 * MIN }], { silentWindow: { enabled: false, minS: 60 } });
		expect(off[0]?.state.alerts.some((a) => a.rule === "silentWindow")).toBe(false);
	});

	it("raises nothing without the hold stats", () => {
		const live = hall([...h.events, issued("A001", "passport", idleFrom)]).live;
		const r = evaluate(emptyAlerts(), { live, index }, idleFrom + 60 * MIN);
		expect(r.state.alerts.some((a) => a.rule === "silentWindow")).toBe(false);
	});
});

describe("the wait estimate with a silent window", () => {
	const h = history(12, 3 * MIN);
	const idleFrom = h.end;
	/** Hold times of exactly 10 min at the hall's pace, so only the window's presence moves the figure. */
	const withHolds = (stats: HoldStats) => {
		stats.windowHolds.clear();
		for (let i = 0; i < 20; i++) addHold(stats, "passport", 10 * MIN);
		return stats;
	};
	const queue = [1, 2, 3].map((i) => issued(`A00${i}`, "passport", idleFrom - 10 * MIN + i * S));
	const estimateAt = (at: number) => {
		const { live, stats } = hall([...h.events, ...queue]);
		return estimateWait(withHolds(stats), live, index, "passport", at, { paceSigma: 0 });
	};

	it("grows and widens when its only window has been silent far past its usual reaction", () => {
		const fresh = estimateAt(idleFrom + 10 * S);
		const silent = estimateAt(idleFrom + 30 * MIN);
		if (!fresh.ok || !silent.ok) throw new Error("no estimate");
		// Three tickets ahead, 10 min each, and the window's 3 min between them.
		expect(fresh.minutes).toBeGreaterThanOrEqual(30);
		expect(fresh.minutes).toBeLessThanOrEqual(40);
		expect(silent.minutes).toBeGreaterThan(fresh.minutes + 5);
		expect(silent.high - silent.low).toBeGreaterThan(fresh.high - fresh.low + 10);
	});

	it("is unchanged for a window silent for less than its usual reaction", () => {
		const a = estimateAt(idleFrom + 2 * MIN);
		const { live, stats } = hall([...h.events, ...queue]);
		stats.delays.clear(); // no history: nothing judged
		const b = estimateWait(withHolds(stats), live, index, "passport", idleFrom + 2 * MIN, { paceSigma: 0 });
		expect(a).toEqual(b);
	});

	it("waits until closing in the runs where the window does not come back, never for ever", () => {
		const silent = estimateAt(idleFrom + 6 * 60 * MIN);
		if (!silent.ok) throw new Error("no estimate");
		expect(Number.isFinite(silent.high)).toBe(true);
		// The centre closes at 18:00 local, i.e. 16:00 UTC.
		expect(silent.high).toBeLessThanOrEqual((Date.UTC(2026, 10, 23, 16, 0) - (idleFrom + 6 * 60 * MIN)) / MIN + 0.1);
	});
});

describe("the wait estimate draws each window's own gaps, the hall's as prior", () => {
	it("is longer at a window that takes 5 min between visitors than at one as quick as the hall", () => {
		const { live } = hall([
			status("w1", T0 - 60 * MIN),
			...[1, 2, 3].map((i) => issued(`A00${i}`, "passport", T0 - 10 * MIN + i * 1000)),
		]);
		const stats = (ownGapMs: number | undefined, count = 40) => {
			const s = emptyHoldStats();
			for (let i = 0; i < 20; i++) addHold(s, "passport", 10 * MIN);
			s.gaps = Array(40).fill(30 * S);
			s.reactions = Array(40).fill(10 * S);
			if (ownGapMs !== undefined) s.delays.set("w1", { gaps: Array(count).fill(ownGapMs), reactions: [] });
			return s;
		};
		const at = (s: HoldStats) => {
			const e = estimateWait(s, live, index, "passport", T0, { paceSigma: 0 });
			if (!e.ok) throw new Error("no estimate");
			return e.minutes;
		};
		const hallOnly = at(stats(undefined));
		// Three holds of 10 min and three 30 s gaps after them, the visitor called after the third.
		expect(hallOnly).toBeCloseTo(3 * 10 + 2 * 0.5 + 0.5 + 1 / 6, 0);
		const slow = at(stats(5 * MIN));
		expect(slow).toBeGreaterThan(hallOnly + 10);
		// With two of its own against the hall's prior, it moves a little only.
		const few = at(stats(5 * MIN, 2));
		expect(few).toBeGreaterThanOrEqual(hallOnly);
		expect(few).toBeLessThan(slow);
	});
});
