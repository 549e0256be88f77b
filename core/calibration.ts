/**
 * A range that calibrates itself: the wait estimate's range (`core/waitEstimate.ts`, a Monte Carlo
 * replay) corrected online, per service, by how the ranges shown before held against the waits
 * tickets really had.
 *
 *   const cal = emptyCalibration();
 *   const shown = calibrate(cal, service, raw);                      // what is shown instead of raw
 *   remember(cal, ticket, { service, issuedAt, raw, shown }, now);   // the ticket's, when issued
 *   observeCall(cal, ticket, calledAt);                              // when called: learn from it
 *   forget(cal, ticket);                                             // cancelled: not a wait
 *   calibrationSummary(cal, service);                                // coverage, bias, correction
 *
 * Method: adaptive conformal inference (Gibbs & Candès, "Adaptive Conformal Inference Under
 * Distribution Shift", NeurIPS 2021) over a normalised residual, as in locally weighted split
 * conformal prediction:
 * - Each called ticket gives one score `u`: where its real wait fell against the raw estimate it
 *   was shown at issue, in half-widths of that raw range — (real − median) / (median − low) below
 *   the median, (real − median) / (high − median) above it (each side at least `floorMin`). So a
 *   raw range that holds its share maps to u ≈ −1 … +1, whatever the length of the queue: a long
 *   queue's wide range and a short one's narrow range are judged on one scale.
 * - The last `window` scores of the service are the calibration set. The range shown is the raw
 *   one with its low, median and high moved to the scores' quantiles at `missLow`, ½ and
 *   1 − `missHigh` (`levelAt`: drawn on beyond the largest or smallest score when a rate is below
 *   0), mapped back through the same ticket's raw scale: a range that was too narrow
 *   (real waits beyond ±1) widens, one too wide narrows, one shifted moves — the median too, which
 *   corrects a bias (the median of absolute errors' best point). The map is monotone, so
 *   low ≤ median ≤ high always holds; low and the median are never below 0.
 * - The median of a skewed wait is not its mean: where a few visits take six times the usual, the
 *   median of the scores leaves the estimate short on average (0.5–1.3 min in the heavy-tailed rows
 *   of the bench's matrix). So the median shown has an offset in minutes on top, learnt the way the
 *   miss rates are: after each called ticket it moves by `biasStep`·(real − shown), each error
 *   clipped at ±`biasClipMin` (one wait that ran into hours must not drag it) and the offset
 *   itself kept within ±`biasClipMin`. The long-run mean of real − shown is driven to 0, the bias
 *   goal, while the range's bounds stay the calibrated quantiles (widened only if the offset
 *   pushes the median past one of them).
 * - `missLow` and `missHigh` are the working miss rates of ACI: after each called ticket whose
 *   range they corrected, each moves by γ·(target − missed), target (1 − coverage) / 2, so
 *   if the quantiles of the recent past stop fitting the present (a new hall, a slower afternoon)
 *   the long-run share of misses on each side is still driven to its target. As in ACI proper a
 *   rate may go below 0 (down to −0.5): after a run of misses past the largest score the range
 *   goes on widening beyond it, rather than stopping there and forgetting the misses past it
 *   (with a floor of 0, a busier day's misses above were forgotten and its ranges stayed too
 *   narrow: docs/benchmarks.md, estimate). γ = 0.03: on the
 *   demo week (`npm run bench -- calibration`) each day's share inside stays within 77–83 %
 *   (raw: 75–89 %), where 0.005 (the paper's) let it spread over 72–84 % — a hall's day is a few
 *   hundred tickets, not thousands.
 * - Until a service has `minObservations` scores, the centre's pooled scores (every service, on
 *   the same normalised scale) stand in; until those are enough too, the raw range is shown.
 * - A ticket expected to be called at once (a raw median under `atOnceMin`: nobody ahead, a window
 *   free) is calibrated apart, by the centre's pool of such tickets (`AT_ONCE`). Its real wait
 *   is about its estimate whatever the range, so its score is about 0 on any scale; in the
 *   service's set such scores narrowed every real queue's range, and most of all after a quiet
 *   day (a third of a calm day's tickets: docs/benchmarks.md, estimate).
 *
 * Only `called` is a wait observed: a cancelled ticket (the visitor left) says nothing of the wait,
 * and is forgotten; a no-show was called first, and that call counted. A ticket that ends without
 * a call seen (started or finished from another source) is forgotten too. Shown ranges of tickets
 * never called are forgotten after `shownKeptMs`, and at most `shownMax` are kept; scores are at
 * most `window` per service: the state is bounded.
 *
 * The running figures — share of real waits inside the range shown, mean of real − shown median —
 * are over the last `window` called tickets of the service, those called at once included (what
 * was really shown, before the correction started too).
 *
 * Pure: the functions update the state they are given (as `core/holdTimes.ts`); time is an
 * argument.
 */
import { quantileSorted } from "./stats.ts";

/** A wait estimate in minutes: the median and the range. */
export interface WaitRange {
	minutes: number;
	low: number;
	high: number;
}

export interface CalibrationSettings {
	/** Share of real waits the range should hold. */
	coverage: number;
	/** ACI step γ of the working miss rates, per called ticket. */
	gamma: number;
	/** Called tickets remembered per service: the calibration set and the running figures. */
	window: number;
	/** Scores a service (else the centre) needs before its range is corrected. */
	minObservations: number;
	/** The least half-width a side of a raw range is measured in, minutes. */
	floorMin: number;
	/** A raw median under this, minutes, is a ticket expected to be called at once (`AT_ONCE`). */
	atOnceMin: number;
	/** The step of the median's offset, per called ticket, against its error (real − shown). */
	biasStep: number;
	/** A called ticket's error counts at most this much for the offset, minutes, and the offset too. */
	biasClipMin: number;
	/** Shown ranges of tickets not yet called are forgotten after this, ms. */
	shownKeptMs: number;
	/** At most this many shown ranges are kept (the oldest go first). */
	shownMax: number;
}

export const CALIBRATION_DEFAULTS: CalibrationSettings = {
	coverage: 0.8,
	gamma: 0.03,
	window: 200,
	minObservations: 20,
	floorMin: 1,
	atOnceMin: 2,
	biasStep: 0.015,
	biasClipMin: 30,
	shownKeptMs: 12 * 3_600_000,
	shownMax: 20_000,
};

/** The pooled calibration of a whole centre, where a service has too few scores of its own. */
export const ALL_SERVICES = "*";

/** The centre's pool of tickets expected to be called at once, calibrated apart from the queues. */
export const AT_ONCE = "*at-once";

interface Observation {
	/** The real wait was inside the range shown. */
	inside: boolean;
	/** Real wait − shown median, minutes. */
	errorMin: number;
}

export interface ServiceCalibration {
	/** ACI working miss rates below low and above high. */
	missLow: number;
	missHigh: number;
	/** The last `window` called tickets, oldest first: the running figures. */
	recent: Observation[];
	/**
	 * The last `window` scores (the real wait against the raw range, in its half-widths), oldest
	 * first: the calibration set. A service's and the centre's (`ALL_SERVICES`) leave out the
	 * tickets called at once; `AT_ONCE`'s has only those.
	 */
	scores: number[];
	/** `scores` sorted (made when needed, dropped on each new one). */
	sorted?: number[];
	/** Minutes added to the median shown, learnt from the errors of the tickets it corrected. */
	offsetMin: number;
}

/** What was shown for a ticket when it was issued. */
export interface ShownRange {
	service: string;
	issuedAt: number;
	/** The estimate as computed (`core/waitEstimate.ts`). */
	raw: WaitRange;
	/** The range shown: `raw` corrected, or `raw` while there was nothing to correct it with. */
	shown: WaitRange;
	/**
	 * The calibration `shown` was corrected by (the service, or `ALL_SERVICES`), null if none: only
	 * its miss rates learn from this ticket.
	 */
	by: string | null;
}

export interface CalibrationState {
	/** Per service, and the centre's pool under `ALL_SERVICES`. */
	services: Map<string, ServiceCalibration>;
	/** ticket → what was shown when it was issued, oldest first. */
	shown: Map<string, ShownRange>;
}

export function emptyCalibration(): CalibrationState {
	return { services: new Map(), shown: new Map() };
}

/** The working miss rates' bounds: below 0 the range is drawn on beyond the scores (`levelAt`). */
const clampMiss = (a: number) => Math.min(0.45, Math.max(-0.5, a));

/** The share of the scores at each end whose spread draws a level on beyond them. */
const TAIL = 0.1;

/**
 * The scores' quantile at `p`, and beyond them for `p` outside 0–1: the quantile function drawn
 * on past the last score with the slope of its last `TAIL` (at p = 1 + TAIL, one more such spread
 * beyond the largest score). NaN for no scores.
 */
export function levelAt(sorted: readonly number[], p: number): number {
	if (p > 1) {
		const top = quantileSorted(sorted, 1);
		return top + ((p - 1) / TAIL) * (top - quantileSorted(sorted, 1 - TAIL));
	}
	if (p < 0) {
		const bottom = quantileSorted(sorted, 0);
		return bottom - (-p / TAIL) * (quantileSorted(sorted, TAIL) - bottom);
	}
	return quantileSorted(sorted, p);
}

/** The two half-widths of a raw range, each at least `floor`. */
function sides(raw: WaitRange, floor: number) {
	return { down: Math.max(raw.minutes - raw.low, floor), up: Math.max(raw.high - raw.minutes, floor) };
}

/** Where `wait` falls against `raw`, in its half-widths (0 = the median, ±1 = its bounds). */
export function score(raw: WaitRange, wait: number, floor = CALIBRATION_DEFAULTS.floorMin): number {
	const { down, up } = sides(raw, floor);
	const d = wait - raw.minutes;
	return d >= 0 ? d / up : d / down;
}

/** The wait at score `u` against `raw` (the inverse of `score`). */
function unscore(raw: WaitRange, u: number, floor: number): number {
	const { down, up } = sides(raw, floor);
	return raw.minutes + u * (u >= 0 ? up : down);
}

function sortedScores(c: ServiceCalibration): number[] {
	if (!c.sorted) c.sorted = [...c.scores].sort((a, b) => a - b);
	return c.sorted;
}

/** The calibrations a raw range learns from: the service's and the centre's, or `AT_ONCE`'s. */
function keysOf(service: string, raw: WaitRange, s: CalibrationSettings): string[] {
	return raw.minutes < s.atOnceMin ? [AT_ONCE] : [service, ALL_SERVICES];
}

/**
 * The calibration a service's range is corrected by now: its own, else the centre's pool (or the
 * pool of tickets called at once, for such a range).
 */
function active(state: CalibrationState, service: string, s: CalibrationSettings, raw?: WaitRange): string | undefined {
	for (const key of raw ? keysOf(service, raw, s) : [service, ALL_SERVICES])
		if ((state.services.get(key)?.scores.length ?? 0) >= s.minObservations) return key;
	return undefined;
}

/** Where low, the median and high sit now, as scores (−1, 0, 1 = the raw range unchanged). */
function levels(c: ServiceCalibration) {
	const sorted = sortedScores(c);
	return {
		low: levelAt(sorted, c.missLow),
		median: levelAt(sorted, 0.5),
		high: levelAt(sorted, 1 - c.missHigh),
	};
}

/** Tenths of a minute, rounded by `round` (outwards for the range, so rounding never narrows it). */
const tenths = (x: number, round: (x: number) => number) => round(x * 10) / 10;

/**
 * The range to show for a raw estimate of `service`: corrected by the recent called tickets, or
 * `raw` itself while too few were seen (`by: null`). Never negative; low ≤ minutes ≤ high. `by`
 * names the calibration used (the service's own, or the centre's pool `ALL_SERVICES`).
 */
export function calibrate(
	state: CalibrationState,
	service: string,
	raw: WaitRange,
	settings: Partial<CalibrationSettings> = {},
): WaitRange & { by: string | null } {
	const s = { ...CALIBRATION_DEFAULTS, ...settings };
	const by = active(state, service, s, raw);
	const c = by !== undefined ? state.services.get(by) : undefined;
	if (by === undefined || !c) return { minutes: raw.minutes, low: raw.low, high: raw.high, by: null };
	const at = levels(c);
	const minutes = Math.max(0, unscore(raw, at.median, s.floorMin) + c.offsetMin);
	const low = Math.min(minutes, Math.max(0, unscore(raw, at.low, s.floorMin)));
	const high = Math.max(minutes, unscore(raw, at.high, s.floorMin));
	return {
		minutes: tenths(minutes, Math.round),
		low: tenths(low, Math.floor),
		high: tenths(high, Math.ceil),
		by,
	};
}

/** Remember what was shown for `ticket` as it was issued; forget the ones kept too long. */
export function remember(
	state: CalibrationState,
	ticket: string,
	shown: ShownRange,
	now: number,
	settings: Partial<CalibrationSettings> = {},
): void {
	const s = { ...CALIBRATION_DEFAULTS, ...settings };
	// Delete first, so the map stays in the order of issue (ticket numbers repeat day after day).
	state.shown.delete(ticket);
	state.shown.set(ticket, shown);
	for (const [t, r] of state.shown) {
		if (r.issuedAt >= now - s.shownKeptMs && state.shown.size <= s.shownMax) break;
		state.shown.delete(t);
	}
}

/** A ticket left without being called (cancelled): its wait is not observed. */
export function forget(state: CalibrationState, ticket: string): void {
	state.shown.delete(ticket);
}

/** What one called ticket taught: its real wait and how it stood against the range shown. */
export interface CallObservation {
	service: string;
	waitMin: number;
	shown: WaitRange;
	inside: boolean;
}

/**
 * `ticket` was called at `calledAt`: its real wait against the range shown at issue updates the
 * service's scores and miss rates (and the centre's pool). Undefined when nothing was shown for it
 * (called again, issued before a restart, or forgotten).
 */
export function observeCall(
	state: CalibrationState,
	ticket: string,
	calledAt: number,
	settings: Partial<CalibrationSettings> = {},
): CallObservation | undefined {
	const s = { ...CALIBRATION_DEFAULTS, ...settings };
	const r = state.shown.get(ticket);
	if (!r) return undefined;
	state.shown.delete(ticket);
	const waitMin = Math.max(0, calledAt - r.issuedAt) / 60_000;
	const missedLow = waitMin < r.shown.low;
	const missedHigh = waitMin > r.shown.high;
	const observation: Observation = { inside: !missedLow && !missedHigh, errorMin: waitMin - r.shown.minutes };
	const u = score(r.raw, waitMin, s.floorMin);
	const target = (1 - s.coverage) / 2;
	const learns = keysOf(r.service, r.raw, s);
	for (const key of new Set([r.service, ALL_SERVICES, ...learns])) {
		let c = state.services.get(key);
		if (!c) {
			c = { missLow: target, missHigh: target, recent: [], scores: [], offsetMin: 0 };
			state.services.set(key, c);
		}
		if (r.by === key) {
			c.missLow = clampMiss(c.missLow + s.gamma * (target - Number(missedLow)));
			c.missHigh = clampMiss(c.missHigh + s.gamma * (target - Number(missedHigh)));
			const clip = (x: number) => Math.min(s.biasClipMin, Math.max(-s.biasClipMin, x));
			c.offsetMin = clip(c.offsetMin + s.biasStep * clip(observation.errorMin));
		}
		c.recent.push(observation);
		if (c.recent.length > s.window) c.recent.splice(0, c.recent.length - s.window);
		if (learns.includes(key)) {
			c.scores.push(u);
			if (c.scores.length > s.window) c.scores.splice(0, c.scores.length - s.window);
			c.sorted = undefined;
		}
	}
	return { service: r.service, waitMin, shown: r.shown, inside: observation.inside };
}

/**
 * What a queue event does to a centre's calibration, the one rule for the hub and the bench's
 * replay: `called` — the real wait is learnt from (`observeCall`); `issued` — what was shown is
 * remembered, when an estimate was shown; a no-show was called first, and that call counted; any
 * other end (cancelled: the visitor left; transferred: the range was for the first service;
 * started or finished without a call seen) — forgotten, no wait observed.
 */
export function onQueueEvent(
	state: CalibrationState,
	q: { event: string; ticket: string; ts: number },
	shown?: ShownRange,
): CallObservation | undefined {
	if (q.event === "called") return observeCall(state, q.ticket, q.ts);
	if (q.event === "issued") {
		if (shown) remember(state, q.ticket, shown, q.ts);
	} else if (q.event !== "no_show") forget(state, q.ticket);
	return undefined;
}

export interface CalibrationSummary {
	/** Called tickets the figures are over (at most `window`). */
	tickets: number;
	/** Share of them whose real wait was inside the range shown; null with none. */
	coverage: number | null;
	/** Mean of real wait − shown median, minutes (positive: the estimate was optimistic); null with none. */
	biasMin: number | null;
	/** Whether ranges of this service are corrected now (its own scores or the centre's pool). */
	active: boolean;
	/**
	 * The correction applied now, against the raw range's half-widths: `low` and `high` scale the
	 * lower and upper half-width (1 = unchanged, 1.5 = half as wide again), `median` moves the
	 * median by that many half-widths (up when positive). Neutral (1, 0, 1) while not active.
	 */
	correction: { low: number; median: number; high: number };
	/** Minutes added to the median on top of `correction.median` (0 while not active). */
	offsetMin: number;
	/** The ACI working miss rates of the service (target (1 − coverage) / 2 each). */
	miss: { low: number; high: number };
}

/** The running figures and the correction of `service` (or the centre's pool, `ALL_SERVICES`). */
export function calibrationSummary(
	state: CalibrationState,
	service: string,
	settings: Partial<CalibrationSettings> = {},
): CalibrationSummary {
	const s = { ...CALIBRATION_DEFAULTS, ...settings };
	const own = state.services.get(service);
	const recent = own?.recent ?? [];
	let inside = 0;
	let error = 0;
	for (const o of recent) {
		if (o.inside) inside++;
		error += o.errorMin;
	}
	const by = active(state, service, s);
	const c = by !== undefined ? state.services.get(by) : undefined;
	const at = c ? levels(c) : { low: -1, median: 0, high: 1 };
	const target = (1 - s.coverage) / 2;
	return {
		tickets: recent.length,
		coverage: recent.length ? inside / recent.length : null,
		biasMin: recent.length ? error / recent.length : null,
		active: c !== undefined,
		correction: { low: -at.low, median: at.median, high: at.high },
		offsetMin: c?.offsetMin ?? 0,
		miss: { low: own?.missLow ?? target, high: own?.missHigh ?? target },
	};
}
