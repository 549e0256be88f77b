import { describe, expect, it } from "vitest";
import {
	ALL_SERVICES,
	AT_ONCE,
	type CalibrationState,
	calibrate,
	calibrationSummary,
	emptyCalibration,
	forget,
	levelAt,
	observeCall,
	onQueueEvent,
	remember,
	score,
	type WaitRange,
} from "../../core/calibration.ts";
import { mulberry32, type Rng } from "../../core/stats.ts";

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 23, 7, 0);

/** One ticket: issued at `at` with the raw estimate `raw`, called after `waitMin`. */
function ticket(cal: CalibrationState, name: string, service: string, raw: WaitRange, waitMin: number, at: number) {
	const shown = calibrate(cal, service, raw);
	remember(cal, name, { service, issuedAt: at, raw, shown, by: shown.by }, at);
	return { shown, observed: observeCall(cal, name, at + waitMin * MIN) };
}

/** Feeds `n` tickets of `service` with the same raw range and real waits from `wait()`. */
function feed(cal: CalibrationState, service: string, raw: WaitRange, n: number, wait: () => number) {
	for (let i = 0; i < n; i++) ticket(cal, `${service}${i}`, service, raw, wait(), T0 + i * MIN);
}

const normal = (rng: Rng) => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());

describe("calibrate: hand-made sequences", () => {
	it("shows the raw range until enough tickets were called", () => {
		const cal = emptyCalibration();
		const raw = { minutes: 10, low: 8, high: 12 };
		feed(cal, "a", raw, 19, () => 30);
		expect(calibrate(cal, "a", raw)).toEqual({ ...raw, by: null });
		expect(calibrationSummary(cal, "a")).toMatchObject({ tickets: 19, coverage: 0, biasMin: 20, active: false });
	});

	it("widens a range that was too narrow", () => {
		const cal = emptyCalibration();
		const raw = { minutes: 10, low: 8, high: 12 };
		let i = 0;
		// Real waits spread evenly from 0 to 20 minutes: the raw range holds a fifth of them.
		feed(cal, "a", raw, 63, () => (i++ * 8) % 21);
		const shown = calibrate(cal, "a", raw);
		expect(shown.by).toBe("a");
		expect(shown.low).toBeLessThan(4);
		expect(shown.high).toBeGreaterThan(16);
		const sum = calibrationSummary(cal, "a");
		expect(sum.correction.low).toBeGreaterThan(3);
		expect(sum.correction.high).toBeGreaterThan(3);
	});

	it("narrows a range that was too wide", () => {
		const cal = emptyCalibration();
		const raw = { minutes: 10, low: 2, high: 30 };
		let i = 0;
		feed(cal, "a", raw, 60, () => 9 + ((i++ * 3) % 5) / 2); // 9 … 11 minutes
		const shown = calibrate(cal, "a", raw);
		expect(shown.low).toBeGreaterThanOrEqual(8.9);
		expect(shown.high).toBeLessThanOrEqual(11.1);
		expect(shown.low).toBeLessThanOrEqual(shown.minutes);
		expect(calibrationSummary(cal, "a").correction.high).toBeLessThan(0.1);
	});

	it("moves the median of an estimate that was always optimistic", () => {
		const cal = emptyCalibration();
		const raw = { minutes: 10, low: 6, high: 14 };
		const rng = mulberry32(7);
		feed(cal, "a", raw, 100, () => 12 + normal(rng) * 2); // 2 minutes more than estimated
		const shown = calibrate(cal, "a", raw);
		expect(shown.minutes).toBeGreaterThan(11.4);
		expect(shown.minutes).toBeLessThan(12.6);
		// The bias of the last tickets, shown with the correction, is near 0.
		const after = emptyCalibration();
		feed(after, "a", raw, 300, () => 12 + normal(rng) * 2);
		after.services.get("a")?.recent.splice(0, 100);
		expect(Math.abs(calibrationSummary(after, "a").biasMin ?? 9)).toBeLessThan(0.5);
	});

	it("drives the mean error to 0 where waits are skewed, which the median of the scores does not", () => {
		// Most waits near the estimate, one in twenty six times as long: the median is right,
		// the mean 2.5 minutes above it.
		const raw = { minutes: 10, low: 6, high: 14 };
		const skewed = (seed: number) => {
			const rng = mulberry32(seed);
			return () => (rng() < 0.05 ? 60 : 10 + normal(rng));
		};
		const lastBias = (settings: { biasStep?: number }) => {
			const cal = emptyCalibration();
			const wait = skewed(11);
			for (let i = 0; i < 3000; i++) {
				const at = T0 + i * MIN;
				const shown = calibrate(cal, "a", raw, settings);
				remember(cal, `a${i}`, { service: "a", issuedAt: at, raw, shown, by: shown.by }, at, settings);
				observeCall(cal, `a${i}`, at + wait() * MIN, settings);
			}
			return calibrationSummary(cal, "a", settings);
		};
		const withMedianOnly = lastBias({ biasStep: 0 });
		expect(withMedianOnly.biasMin ?? 0).toBeGreaterThan(1.5);
		expect(withMedianOnly.offsetMin).toBe(0);
		const learnt = lastBias({});
		expect(Math.abs(learnt.biasMin ?? 9)).toBeLessThan(1);
		expect(learnt.offsetMin).toBeGreaterThan(1);
		// Still a range of 80 %: the offset moves the median, the bounds stay the quantiles.
		expect(learnt.coverage).toBeGreaterThan(0.72);
		expect(learnt.coverage).toBeLessThan(0.88);
	});

	it("never makes the range negative nor low above high, whatever the waits", () => {
		const rng = mulberry32(42);
		for (let round = 0; round < 40; round++) {
			const cal = emptyCalibration();
			for (let i = 0; i < 80; i++) {
				const m = rng() * 60;
				const raw = { minutes: m, low: m * rng(), high: m + rng() * 30 };
				// Waits wildly off: 0, far below, far above.
				const wait = [0, m * 0.1, m * 5 + 30, rng() * 120][i % 4] as number;
				const { shown } = ticket(cal, `t${i}`, "a", raw, wait, T0 + i * MIN);
				expect(shown.low).toBeGreaterThanOrEqual(0);
				expect(shown.minutes).toBeGreaterThanOrEqual(0);
				expect(shown.low).toBeLessThanOrEqual(shown.minutes);
				expect(shown.minutes).toBeLessThanOrEqual(shown.high);
			}
			// A raw estimate of nothing at all, against all those waits.
			const zero = calibrate(cal, "a", { minutes: 0, low: 0, high: 0 });
			expect(zero.low).toBeGreaterThanOrEqual(0);
			expect(zero.low).toBeLessThanOrEqual(zero.minutes);
			expect(zero.minutes).toBeLessThanOrEqual(zero.high);
		}
	});

	it("tickets called at once do not narrow the ranges of real queues: they are calibrated apart", () => {
		const cal = emptyCalibration();
		const rng = mulberry32(11);
		const queue = { minutes: 20, low: 14, high: 26 };
		const atOnce = { minutes: 0.5, low: 0, high: 1.5 };
		// A quiet hall: two tickets called at once for every one that queued; the queue's raw
		// range holds about 80 % of its real waits (σ 4.7 min: ±1.28 σ = ±6 min).
		for (let i = 0; i < 300; i++) {
			const at = T0 + i * MIN;
			if (i % 3 === 2) ticket(cal, `q${i}`, "a", queue, Math.max(0, 20 + normal(rng) * 4.7), at);
			else ticket(cal, `n${i}`, "a", atOnce, 0.5 * rng(), at);
		}
		const shown = calibrate(cal, "a", queue);
		expect(shown.by).toBe("a");
		// The queue's range keeps about its width (12.5–26.5). With the scores of those called at
		// once among its own, about 0 on any scale, it shrank to 17.2–21.3.
		expect(shown.low).toBeLessThan(16);
		expect(shown.high).toBeGreaterThan(24);
		expect(calibrate(cal, "a", atOnce).by).toBe(AT_ONCE);
		// The running figures of the service still count every ticket called.
		expect(calibrationSummary(cal, "a").tickets).toBe(200);
	});

	it("after a run of misses past the largest score, the range widens beyond it", () => {
		// Waits that grow ticket after ticket (a hall falling behind): each one past all before.
		const cal = emptyCalibration();
		const raw = { minutes: 10, low: 8, high: 12 };
		const inside: boolean[] = [];
		for (let i = 0; i < 150; i++) {
			const { observed } = ticket(cal, `t${i}`, "a", raw, i < 40 ? 9 + (i % 3) : 10 + (i - 40) * 0.4, T0 + i * MIN);
			if (i >= 100) inside.push(observed?.inside ?? false);
		}
		// With the miss rate kept at 0 or above, the high stayed at the largest score seen, and
		// every one of the last 50 was above it.
		expect(inside.filter(Boolean).length).toBeGreaterThan(25);
		expect(calibrationSummary(cal, "a").miss.high).toBeLessThan(0);
	});

	it("draws a level beyond the scores on with the slope of their last tenth", () => {
		const sorted = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
		expect(levelAt(sorted, 0.5)).toBe(5);
		expect(levelAt(sorted, 1.1)).toBeCloseTo(11);
		expect(levelAt(sorted, 1.3)).toBeCloseTo(13);
		expect(levelAt(sorted, -0.2)).toBeCloseTo(-2);
		expect(levelAt([3, 3, 3], 1.5)).toBe(3);
	});

	it("scores a wait in half-widths of the raw range, each side on its own scale", () => {
		const raw = { minutes: 10, low: 6, high: 20 };
		expect(score(raw, 6)).toBe(-1);
		expect(score(raw, 20)).toBe(1);
		expect(score(raw, 15)).toBe(0.5);
		expect(score({ minutes: 0.2, low: 0.2, high: 0.2 }, 2.2)).toBe(2); // a side of at least a minute
	});
});

describe("calibrate: converges on a stream whose spread differs from the one shown", () => {
	/**
	 * A hall the estimate misjudges: the real wait of a ticket is log-normal around 1.2 × the
	 * estimate (optimistic) with a spread `spread` times the one the raw range assumes; queues of
	 * every length, so raw ranges of every width. Tickets are called in the order of their waits,
	 * after others were issued (the answer comes late, as in a hall).
	 */
	function stream(spread: number | ((i: number) => number), seed: number, tickets: number, from = 300) {
		const spreadOf = typeof spread === "number" ? () => spread : spread;
		const rng = mulberry32(seed);
		const cal = emptyCalibration();
		const pending: { name: string; at: number }[] = [];
		const results: { inside: boolean; rawInside: boolean; error: number; rawError: number }[] = [];
		const truth = new Map<string, { wait: number; shown: WaitRange; raw: WaitRange }>();
		for (let i = 0; i < tickets; i++) {
			const at = T0 + i * 1.5 * MIN; // ~300 tickets a service in a 8-hour day with 5 services
			const m = 2 + rng() * 50;
			const sigma = 0.25; // the range the estimate shows: ±1.28 σ of a log-normal
			const raw = { minutes: m, low: m * Math.exp(-1.28 * sigma), high: m * Math.exp(1.28 * sigma) };
			const wait = 1.2 * m * Math.exp(spreadOf(i) * sigma * normal(rng));
			const name = `t${i}`;
			const shown = calibrate(cal, "a", raw);
			remember(cal, name, { service: "a", issuedAt: at, raw, shown, by: shown.by }, at);
			truth.set(name, { wait, shown, raw });
			pending.push({ name, at: at + wait * MIN });
			pending.sort((x, y) => x.at - y.at);
			// Every ticket whose call came before the next issue is called now.
			while (pending.length && (pending[0]?.at ?? 0) <= at + 1.5 * MIN) {
				const p = pending.shift() as { name: string; at: number };
				const t = truth.get(p.name) as { wait: number; shown: WaitRange; raw: WaitRange };
				observeCall(cal, p.name, p.at);
				results.push({
					inside: t.wait >= t.shown.low && t.wait <= t.shown.high,
					rawInside: t.wait >= t.raw.low && t.wait <= t.raw.high,
					error: t.wait - t.shown.minutes,
					rawError: t.wait - t.raw.minutes,
				});
			}
		}
		const share = (list: typeof results, f: (r: (typeof results)[number]) => boolean) =>
			list.filter(f).length / list.length;
		const mean = (list: typeof results, f: (r: (typeof results)[number]) => number) =>
			list.reduce((s, r) => s + f(r), 0) / list.length;
		const middle = (list: typeof results, f: (r: (typeof results)[number]) => number) =>
			list.map(f).sort((a, b) => a - b)[list.length >> 1] as number;
		// After the first day (~300 tickets): what the next days see.
		const later = results.slice(from);
		return {
			cal,
			coverage: share(later, (r) => r.inside),
			rawCoverage: share(later, (r) => r.rawInside),
			bias: mean(later, (r) => r.error),
			rawBias: mean(later, (r) => r.rawError),
			medianError: middle(later, (r) => r.error),
			rawMedianError: middle(later, (r) => r.rawError),
		};
	}

	for (const [spread, seed] of [
		[2, 1],
		[3, 2],
		[0.4, 3],
		[1.5, 4],
	] as const) {
		it(`a true spread ${spread} × the shown one: 80 % ± 3 % inside after a day`, () => {
			const r = stream(spread, seed, 2_000);
			expect(Math.abs(r.rawCoverage - 0.8)).toBeGreaterThan(0.1); // the raw range misses it
			expect(r.coverage).toBeGreaterThanOrEqual(0.77);
			expect(r.coverage).toBeLessThanOrEqual(0.83);
			// The optimism of the raw median (20 %) is taken out too: the mean error (real − shown),
			// which the median's offset learns from, falls to under half the raw one's (to about 0
			// for the narrower spreads); the median error, pushed below 0 by the long right tail the
			// offset answers, stays smaller than the raw one's.
			expect(Math.abs(r.bias)).toBeLessThan(Math.abs(r.rawBias) * 0.5);
			expect(Math.abs(r.medianError)).toBeLessThan(Math.abs(r.rawMedianError));
			expect(calibrationSummary(r.cal, "a").active).toBe(true);
		});
	}

	it("a hall twice as erratic from its third day on is back to 80 % ± 4 % the day after", () => {
		// Days of ~300 tickets: two calm ones, then the spread doubles (breaks, heavy-tailed visits).
		const r = stream((i) => (i < 600 ? 1 : 2), 5, 1_500, 900);
		expect(r.coverage).toBeGreaterThanOrEqual(0.76);
		expect(r.coverage).toBeLessThanOrEqual(0.84);
	});

	it("and one that calms down narrows again", () => {
		const r = stream((i) => (i < 600 ? 2.5 : 1), 6, 1_500, 900);
		expect(r.coverage).toBeGreaterThanOrEqual(0.76);
		expect(r.coverage).toBeLessThanOrEqual(0.84);
	});
});

describe("calibration state: what is remembered and for how long", () => {
	const raw = { minutes: 10, low: 8, high: 12 };
	const shown = (at: number, service = "a") => ({ service, issuedAt: at, raw, shown: raw, by: null });

	it("takes only called tickets, once: a cancelled one and a second call teach nothing", () => {
		const cal = emptyCalibration();
		remember(cal, "A001", shown(T0), T0);
		remember(cal, "A002", shown(T0), T0);
		forget(cal, "A002");
		expect(observeCall(cal, "A002", T0 + 5 * MIN)).toBeUndefined();
		expect(observeCall(cal, "A001", T0 + 9 * MIN)).toMatchObject({ service: "a", waitMin: 9, inside: true });
		expect(observeCall(cal, "A001", T0 + 30 * MIN)).toBeUndefined();
		expect(calibrationSummary(cal, "a")).toMatchObject({ tickets: 1, coverage: 1, biasMin: -1 });
		expect(calibrationSummary(cal, ALL_SERVICES).tickets).toBe(1);
	});

	it("a queue event's rule: called learns, a no-show keeps its ticket, any other end forgets", () => {
		const cal = emptyCalibration();
		for (const t of ["A1", "A2", "A3", "A4"]) onQueueEvent(cal, { event: "issued", ticket: t, ts: T0 }, shown(T0));
		onQueueEvent(cal, { event: "issued", ticket: "A5", ts: T0 }); // no estimate shown: nothing kept
		onQueueEvent(cal, { event: "cancelled", ticket: "A2", ts: T0 + MIN });
		onQueueEvent(cal, { event: "transferred", ticket: "A3", ts: T0 + MIN });
		onQueueEvent(cal, { event: "no_show", ticket: "A4", ts: T0 + MIN });
		expect([...cal.shown.keys()]).toEqual(["A1", "A4"]);
		expect(onQueueEvent(cal, { event: "called", ticket: "A1", ts: T0 + 9 * MIN })).toMatchObject({ waitMin: 9 });
		expect(onQueueEvent(cal, { event: "called", ticket: "A4", ts: T0 + 12 * MIN })).toMatchObject({ waitMin: 12 });
		expect(calibrationSummary(cal, "a").tickets).toBe(2);
	});

	it("forgets shown ranges of tickets never called after the hours kept, and past the most kept", () => {
		const cal = emptyCalibration();
		remember(cal, "A001", shown(T0), T0);
		remember(cal, "A002", shown(T0 + 60 * MIN), T0 + 60 * MIN);
		remember(cal, "A003", shown(T0 + 13 * 60 * MIN), T0 + 13 * 60 * MIN);
		expect([...cal.shown.keys()]).toEqual(["A002", "A003"]);
		for (let i = 0; i < 50; i++)
			remember(cal, `B${i}`, shown(T0 + 14 * 60 * MIN), T0 + 14 * 60 * MIN, { shownMax: 10 });
		expect(cal.shown.size).toBe(10);
		expect(cal.shown.has("B49")).toBe(true);
	});

	it("a ticket number issued again (the next day) replaces the old one and goes last", () => {
		const cal = emptyCalibration();
		remember(cal, "A001", shown(T0), T0);
		remember(cal, "A002", shown(T0), T0);
		remember(cal, "A001", shown(T0 + 10 * MIN), T0 + 10 * MIN);
		expect([...cal.shown.keys()]).toEqual(["A002", "A001"]);
		expect(observeCall(cal, "A001", T0 + 20 * MIN)?.waitMin).toBe(10);
	});

	it("keeps at most `window` scores per service", () => {
		const cal = emptyCalibration();
		feed(cal, "a", raw, 250, () => 10);
		expect(calibrationSummary(cal, "a").tickets).toBe(200);
		expect(cal.services.get("a")?.recent.length).toBe(200);
	});

	it("a service with few tickets of its own is corrected by the centre's pool", () => {
		const cal = emptyCalibration();
		let i = 0;
		feed(cal, "busy", raw, 63, () => (i++ * 8) % 21);
		feed(cal, "rare", raw, 3, () => 10);
		const own = calibrate(cal, "rare", raw);
		expect(own.by).toBe(ALL_SERVICES);
		expect(own.high).toBeGreaterThan(14);
		expect(calibrationSummary(cal, "rare")).toMatchObject({ tickets: 3, active: true });
	});
});
