/**
 * The simulator's rough-hall behaviours (firmware-sim/behaviour.ts): each one visible in the
 * timeline it makes, and the default hall unchanged by their being there.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { localClock } from "../../core/time.ts";
import { MINUTE } from "../../firmware-sim/behaviour.ts";
import { simulateWeek, type TimelineAction, type WeekOptions } from "../../firmware-sim/week.ts";
import { configCentre } from "../fixtures/centres.ts";

const demo = configCentre("demo");
const clock = localClock(demo.timeZone);
const DAYS = { startDay: "2026-11-09", days: 2, seed: 7 } as const;
const week = (hall: WeekOptions["hall"] = {}, load?: number) =>
	simulateWeek(demo, { ...DAYS, hall, ...(load ? { load } : {}) });
const digest = (actions: readonly TimelineAction[]) =>
	createHash("sha256").update(JSON.stringify(actions)).digest("hex");

/** Per window: the gaps between one end (finish / no-show) and its next call while a ticket it serves waited. */
function idleWithWork(actions: readonly TimelineAction[]): number[] {
	const waiting = new Map<string, { service: string; at: number }>();
	const lastEnd = new Map<string, number>();
	const serves = new Map(demo.windows.map((w) => [w.id, new Set(w.services)]));
	const gaps: number[] = [];
	for (const a of actions) {
		if (a.kind !== "queue") continue;
		const q = a.data;
		if (q.event === "issued") waiting.set(q.ticket, { service: q.service, at: a.at });
		if (q.event === "called" && q.window) {
			waiting.delete(q.ticket);
			const end = lastEnd.get(q.window);
			if (end !== undefined) {
				// The time a ticket it serves had been waiting while this window sat free.
				let oldest = Number.POSITIVE_INFINITY;
				for (const t of waiting.values())
					if (serves.get(q.window)?.has(t.service)) oldest = Math.min(oldest, Math.max(t.at, end));
				if (Number.isFinite(oldest)) gaps.push(a.at - oldest);
			}
		}
		if ((q.event === "finished" || q.event === "no_show") && q.window) lastEnd.set(q.window, a.at);
	}
	return gaps;
}

describe("rough-hall behaviours", () => {
	const calm = week();

	it("leave the default hall as it was: the same seed gives the same timeline", () => {
		// The digest of this timeline made by the simulator before the rough-hall options existed
		// (7 524 actions): with every option off, not one draw or event may differ.
		expect(calm.actions).toHaveLength(7524);
		expect(digest(calm.actions)).toBe("481dc36c46c89fc25d381e4e908d39009c5b8831bdbaad6a1ea47506f1dea8e0");
		expect(digest(week({}).actions)).toBe(digest(calm.actions));
		// An option switched off explicitly draws nothing either.
		expect(digest(week({ silentBreak: undefined, lunchPeak: undefined }).actions)).toBe(digest(calm.actions));
	});

	it("silent breaks: windows sit online and idle for 10–20 min while tickets they serve wait", () => {
		const rough = week({ silentBreak: { chance: 0.1, ms: [10 * MINUTE, 20 * MINUTE] } });
		const long = (gaps: number[]) => gaps.filter((g) => g >= 9 * MINUTE).length;
		expect(long(idleWithWork(calm.actions))).toBe(0);
		expect(long(idleWithWork(rough.actions))).toBeGreaterThan(10);
		// No event says so: the nodes publish nothing new.
		const kinds = (r: typeof calm) => new Set(r.actions.map((a) => (a.kind === "queue" ? a.data.event : a.kind)));
		expect(kinds(rough)).toEqual(kinds(calm));
	});

	it("late starts and early closings: no call in a window's first minutes, nor in its last ones", () => {
		const firstCalls = (r: typeof calm) => {
			const first = new Map<string, number>();
			for (const a of r.actions)
				if (a.kind === "queue" && a.data.event === "called" && a.data.window) {
					const key = `${clock.at(a.at).minuteOfDay < 12 * 60 ? new Date(a.at).toISOString().slice(0, 10) : "pm"}/${a.data.window}`;
					if (!first.has(key)) first.set(key, clock.at(a.at).minuteOfDay);
				}
			return [...first].filter(([k]) => !k.startsWith("pm")).map(([, m]) => m);
		};
		const late = week({ lateStartMs: [15 * MINUTE, 25 * MINUTE] });
		expect(Math.min(...firstCalls(calm))).toBeLessThan(9 * 60 + 10);
		expect(Math.min(...firstCalls(late))).toBeGreaterThanOrEqual(9 * 60 + 15);

		const lastCall = (r: typeof calm) =>
			Math.max(
				...r.actions
					.filter((a) => a.kind === "queue" && a.data.event === "called" && clock.at(a.at).weekday === "mon")
					.map((a) => clock.at(a.at).minuteOfDay),
			);
		const early = week({ earlyClose: { share: 1, ms: [60 * MINUTE, 60 * MINUTE] } });
		// Monday closes at 16:00: every window stops calling at 15:00.
		expect(lastCall(calm)).toBeGreaterThan(15 * 60);
		expect(lastCall(early)).toBeLessThan(15 * 60);
	});

	it("early closings: whoever no window on duty serves goes home at closing, not called the next morning", () => {
		const issuedDay = (r: typeof calm) => {
			const day = new Map<string, string>();
			const overnight: string[] = [];
			for (const a of r.actions) {
				if (a.kind !== "queue") continue;
				const today = clock.at(a.at).day;
				if (a.data.event === "issued") day.set(a.data.ticket, today);
				if (a.data.event === "called" && day.get(a.data.ticket) !== today) overnight.push(a.data.ticket);
				if (a.data.event === "called") day.delete(a.data.ticket);
			}
			return { overnight, neverCalled: day.size };
		};
		// Every window leaves 60–90 min before closing, with tickets still waiting.
		const early = week({ earlyClose: { share: 1, ms: [60 * MINUTE, 90 * MINUTE] } }, 1.3);
		const { overnight, neverCalled } = issuedDay(early);
		expect(overnight).toEqual([]);
		expect(neverCalled).toBeGreaterThan(10);
		// The truth agrees: those visitors were never called.
		expect(early.tickets.filter((t) => t.calledAt === undefined).length).toBeGreaterThanOrEqual(neverCalled);
	});

	it("heavy tails: long visits take their factor × the time, the mean kept, the spread raised", () => {
		const cv = (r: typeof calm) => {
			const xs = r.tickets.flatMap((t) => (t.serviceS !== undefined ? [t.serviceS] : []));
			const m = xs.reduce((s, x) => s + x, 0) / xs.length;
			const sd = Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / xs.length);
			return sd / m;
		};
		const heavy = week({ longVisits: { share: 0.05, timesMean: 6 } });
		const mean = (r: typeof calm) => {
			const xs = r.tickets.flatMap((t) => (t.serviceS !== undefined ? [t.serviceS] : []));
			return xs.reduce((s, x) => s + x, 0) / xs.length;
		};
		expect(mean(heavy) / mean(calm)).toBeGreaterThan(0.85);
		expect(mean(heavy) / mean(calm)).toBeLessThan(1.15);
		// The calm hall's spread comes from its services' different means and a log-normal of σ 0.5.
		expect(cv(heavy)).toBeGreaterThan(cv(calm) + 0.3);
	});

	it("heavy tails: the coefficient of variation the mixture is chosen for, within tolerance", () => {
		// Each visit's time over its service's configured mean, pooled: the calm log-normal has
		// CV c0; a share p taking k × and the rest (1 − pk)/(1 − p) × gives
		// CV² = (1 + c0²)·(p k² + (1 − p) r²) − 1 with r that shortening factor.
		const means = new Map(demo.services.map((s) => [s.id, (s.meanServiceMin ?? 8) * 60]));
		const cv = (r: typeof calm) => {
			const xs = r.tickets.flatMap((t) => (t.serviceS !== undefined ? [t.serviceS / (means.get(t.service) ?? 1)] : []));
			const m = xs.reduce((s, x) => s + x, 0) / xs.length;
			return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / xs.length) / m;
		};
		const whole = (hall: WeekOptions["hall"]) => simulateWeek(demo, { startDay: "2026-11-09", days: 7, seed: 7, hall });
		const c0 = cv(whole({}));
		for (const [p, k] of [
			[0.05, 6],
			[0.1, 4],
		] as const) {
			const r = (1 - p * k) / (1 - p);
			const expected = Math.sqrt((1 + c0 ** 2) * (p * k ** 2 + (1 - p) * r ** 2) - 1);
			expect(Math.abs(cv(whole({ longVisits: { share: p, timesMean: k } })) - expected)).toBeLessThan(0.15);
		}
	});

	it("a lunch peak: more tickets issued between 12:00 and 14:00", () => {
		const share = (r: typeof calm) => {
			const issued = r.tickets.map((t) => clock.at(t.issuedAt).minuteOfDay);
			return issued.filter((m) => m >= 12 * 60 && m < 14 * 60).length / issued.length;
		};
		const lunch = week({ lunchPeak: { fromMin: 12 * 60, toMin: 14 * 60, factor: 2 } });
		expect(share(lunch)).toBeGreaterThan(share(calm) * 1.4);
	});

	it("visitors who leave after their ticket: called in vain, marked no-shows", () => {
		const leaving = week({ leaveAfterTicket: { share: 0.3, ms: [5 * MINUTE, 15 * MINUTE] } });
		const noShows = (r: typeof calm) => r.tickets.filter((t) => t.outcome === "no_show").length;
		expect(noShows(leaving)).toBeGreaterThan(noShows(calm) * 2);
	});

	it("a heavier load: 1.3 × the default share of the staffed capacity", () => {
		const heavier = week({}, 0.8 * 1.3);
		expect(heavier.centres[0]?.arrivalsPerHour).toBeCloseTo((calm.centres[0]?.arrivalsPerHour ?? 0) * 1.3, -1);
		// More visitors come; some of the extra ones read the longer queue and leave without a ticket.
		expect(heavier.tickets.length).toBeGreaterThan(calm.tickets.length * 1.08);
		expect(heavier.centres[0]?.balked).toBeGreaterThan(calm.centres[0]?.balked ?? 0);
	});
});
