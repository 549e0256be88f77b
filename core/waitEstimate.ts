/**
 * How long will a visitor who takes a ticket now wait until called? Per service, with a range.
 *
 *   estimateWait(stats, live, index, service, now, options?) → WaitEstimate
 *   estimateAll(stats, live, index, now, options?) → WaitEstimate[]   (every service of the centre)
 *   baselineWait(stats, live, index, service) → minutes | null   (the naive display, for comparison)
 *
 * `options.priority` estimates for a visitor in a priority category; `options.ticket` for a ticket
 * already waiting (e.g. right after its `issued` event was applied) instead of one taken now.
 *
 * `stats` is the fold of recent hold times (`core/holdTimes.ts`: feed it every event with
 * `observe`), `live` the live hall (`core/live.ts`). Pure: `now` is an argument and the random
 * draws come from a generator seeded from the settings and `now`, so the same inputs give the
 * same answer.
 *
 * Method: a Monte Carlo replay of the hall from now. Every open window (its node online, not on a
 * break) is free
 * when its current ticket's hold ends — drawn from that service's recent holds, conditioned on
 * the time already spent; past nearly every hold seen, from their tail (`tailIndex`): long where a
 * few visits take several times the usual — and then calls the next ticket the dispatcher would give it
 * (`core/dispatch.ts`: priority tickets first, then the oldest, among the services it serves), so
 * tickets of other services ahead at shared windows and priority tickets are accounted for. The
 * visitor's ticket joins the queue now; each run ends when it is called. Priority visitors still
 * to come jump ahead of a regular ticket: they arrive in the replay, until the centre closes, at
 * each service's rate of tickets in the last hour times the centre's share of priority tickets
 * (over its last `SHARE_KEPT` tickets) — not at the rate of priority tickets alone in the last
 * hour: one or two of them more or less made long estimates swing by minutes (docs/benchmarks.md,
 * "Priority visitors still to come"). A free window calls after a reaction delay, a busy one
 * after a wrap-up gap, both learnt per window (core/holdTimes.ts `delays`) with the hall's as the
 * prior: a window's own weigh as they are, the hall's as `minSamples` of them, so a window new to
 * the hall draws as the hall does.
 * A call may find nobody (a no-show): each ticket the replay calls is one by its chance given how
 * long it has waited by then (`noShowChance`: where visitors leave after taking a ticket, the
 * ones that waited longest are the likeliest gone), and then holds its window for a no-show's
 * hold (the hall's grace period, `noShowHolds`) instead of a visit; a call in progress not started
 * yet is one by that chance weighed by the time it has lasted. So a long queue moves faster than
 * its visits alone say (docs/benchmarks.md, "Calls that find nobody").
 * The estimate is the median of the runs (the figure with the least absolute error); the range is
 * the central `coverage` share of them, so ~80 % of visitors fall inside it. For that the runs
 * also carry the doubt about the pace: each run scales a service's holds by a bootstrap resample
 * of them, and all holds by a common pace factor (`paceSigma`) — without these, ranges for long
 * queues come out too narrow.
 *
 * Silent absence (core/silence.ts): a window open and idle while tickets it serves wait, for longer
 * than its usual reaction (learnt from its own calls, the hall's as prior), may be away without a
 * pause. With its chance `p` (0 at its usual reaction, `1 − usual / silent` beyond) a run takes it
 * as away: in `awayGoneShare` of those runs it does not call again in the run (gone for the day),
 * in the others it comes back after a time drawn from an exponential whose mean is the longer of
 * `awayReturnMeanMs` and the time it has already been silent (a long absence is likely a long
 * one) — unless that is after closing, when it is gone too. A run in which no window serving the
 * ticket is left waits until the centre closes (the ticket is not called today). Not
 * away (1 − p), it calls after a reaction as any free window. A window silent for less
 * than its usual reaction, and every window while the hall has too little history, is never away:
 * the runs draw nothing for them, so a hall without silent windows gets the same answer as before.
 *
 * Hold times: the service's recent observed holds of visits served (no-shows apart; learnt from
 * the store's last two days at a restart, hub/insights.ts); while there are fewer than
 * `minSamples`, they are topped up with points of a log-normal around the service's configured
 * `meanServiceMin` whose spread (`configuredSigma` 0.8: a coefficient of variation near 0.95,
 * one visit in 40 over 3.5 × the mean) leaves room for the long visits a new centre has not seen
 * yet; without either, the holds of all services. Observed holds are drawn as they were, so a heavy tail seen is a heavy tail
 * drawn. Per window, an administrator's own pace: the geometric mean of its recent holds against
 * the geometric means of their services' holds, shrunk towards the hall's (1) with the weight of
 * `minSamples` holds and kept within ⅓..3 (`windowPaces`), scales every hold drawn at that window.
 * (Against the services' medians, every window of a hall with a few very long visits came out
 * some 8 % slower than the hall: the mean of the logs of a skewed sample is above the log of its
 * median.) The range comes from the runs, so it widens with the number of tickets ahead: each
 * adds a draw. "No estimate" (with a reason) rather than a guess when no window serving the
 * service is open, or nothing at all is known about hold times.
 */

import Type, { type Static } from "typebox";
import type { CentreIndex } from "./centre.ts";
import { type HoldStats, noShowChance, priorityShare } from "./holdTimes.ts";
import { type LiveState, windowOpen } from "./live.ts";
import { openingState } from "./openingHours.ts";
import { silentWindows } from "./silence.ts";
import { mulberry32, quantileSorted, type Rng } from "./stats.ts";

export interface EstimateSettings {
	/** Monte Carlo runs per estimate. */
	runs: number;
	/** Share of visitors the range should hold (0.8 → from the 10th to the 90th percentile). */
	coverage: number;
	/** Observed holds of a service below which configured times fill in. */
	minSamples: number;
	/** Spread (sigma of the underlying normal) of the log-normal used around `meanServiceMin`. */
	configuredSigma: number;
	/** Gap between a hold's end and the next call while too few gaps were seen, ms. */
	defaultGapMs: number;
	/** Delay before a free window calls a new ticket while too few were seen, ms. */
	defaultReactionMs: number;
	/**
	 * Spread (sigma of a log-normal factor) of the hall's pace from one run to the next: breaks,
	 * a slower afternoon, what recent holds cannot foresee. Widens long ranges more than short ones.
	 */
	paceSigma: number;
	/** Each service's arrivals are counted over this past span to model the priority ones still to come, ms. */
	priorityRateSpanMs: number;
	/** A silent window taken as away comes back after an exponential time of at least this mean, ms. */
	awayReturnMeanMs: number;
	/** Of the runs that take a silent window as away, the share in which it does not come back. */
	awayGoneShare: number;
	seed: number;
}

export const ESTIMATE_DEFAULTS: EstimateSettings = {
	runs: 400,
	coverage: 0.8,
	minSamples: 8,
	configuredSigma: 0.8,
	defaultGapMs: 30_000,
	defaultReactionMs: 10_000,
	paceSigma: 0.1,
	priorityRateSpanMs: 60 * 60_000,
	awayReturnMeanMs: 15 * 60_000,
	awayGoneShare: 0.1,
	seed: 0x5eed,
};

export interface EstimateOptions extends Partial<EstimateSettings> {
	/** Estimate for a visitor in a priority category (served first), instead of a regular one. */
	priority?: boolean;
	/**
	 * Estimate for this ticket, already waiting (its issue time and priority count, and it is not
	 * counted twice), instead of one taken now; ignored when it is not waiting.
	 */
	ticket?: string;
}

/**
 * Why there is no estimate: `unknown_service` (the service is not configured at this centre),
 * `closed` (the centre is closed now: no ticket can be taken, so no wait — never "0 min"),
 * `no_window_open` (no window serving it is open: node online, not paused), `no_service_times` (neither
 * observed nor configured service times).
 */
export const NoEstimateReason = Type.Enum(["unknown_service", "closed", "no_window_open", "no_service_times"], {
	description:
		"Why there is no estimate: unknown_service (not configured here), closed (the centre is closed now; see open.nextChange), no_window_open (no window serving it is open), no_service_times (no observed or configured service times)",
});
export type NoEstimateReason = Static<typeof NoEstimateReason>;

interface EstimateBase {
	service: string;
	/** Tickets of this service waiting now. */
	waiting: number;
	/** Windows serving this service that are open now. */
	windowsOpen: number;
}

export type WaitEstimate =
	| (EstimateBase & {
			ok: true;
			/** Median of the simulated waits, minutes (one decimal). */
			minutes: number;
			/** The range `coverage` of visitors fall in, minutes (one decimal). */
			low: number;
			high: number;
			/** Where the hold times came from. */
			basis: "observed" | "mixed" | "configured";
	  })
	| (EstimateBase & { ok: false; reason: NoEstimateReason });

/** Tickets are ordered as `core/dispatch.ts` orders them; this one sorts last among equals. */
const VISITOR = "\uffff";

interface SimTicket {
	ticket: string;
	service: string;
	issuedAt: number;
	priority: boolean;
}

interface SimWindow {
	id: string;
	/** Its own recent gaps (after a hold) and reactions (core/holdTimes.ts `delays`). */
	gaps: readonly number[];
	reactions: readonly number[];
	/** Its administrator's pace: holds drawn here are scaled by it (`windowPaces`). */
	pace: number;
	serves: Set<string>;
	priorityDesk: boolean;
	free: number;
	/** Tickets before this index are taken or not served here: never looked at again. */
	cursor: number;
}

const before = (a: SimTicket, b: SimTicket) =>
	Number(b.priority) - Number(a.priority) ||
	a.issuedAt - b.issuedAt ||
	(a.ticket < b.ticket ? -1 : a.ticket > b.ticket ? 1 : 0);

/** Standard normal quantile (Abramowitz & Stegun 26.2.23, error < 4.5e-4). */
function normalQuantile(p: number): number {
	const q = p < 0.5 ? p : 1 - p;
	const t = Math.sqrt(-2 * Math.log(q));
	const x =
		t - (2.515517 + 0.802853 * t + 0.010328 * t * t) / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t ** 3);
	return p < 0.5 ? -x : x;
}

/** `n` evenly spaced quantiles of a log-normal with the given mean (ms). */
function lognormalPoints(meanMs: number, sigma: number, n: number): number[] {
	const out: number[] = [];
	for (let i = 0; i < n; i++) out.push(meanMs * Math.exp(sigma * normalQuantile((i + 0.5) / n) - (sigma * sigma) / 2));
	return out;
}

/** Sorted hold times (ms) per service as the replay draws them, and where they came from. */
function holdTables(stats: HoldStats, index: CentreIndex, s: EstimateSettings) {
	const tables = new Map<string, { sorted: number[]; basis: "observed" | "mixed" | "configured" }>();
	const pooled: number[] = [];
	for (const list of stats.holds.values()) pooled.push(...list);
	pooled.sort((a, b) => a - b);
	for (const svc of index.centre.services) {
		const seen = stats.holds.get(svc.id) ?? [];
		const missing = Math.max(0, s.minSamples - seen.length);
		let points: number[];
		let basis: "observed" | "mixed" | "configured";
		if (missing === 0) {
			points = [...seen];
			basis = "observed";
		} else if (svc.meanServiceMin !== undefined) {
			points = [...seen, ...lognormalPoints(svc.meanServiceMin * 60_000, s.configuredSigma, missing)];
			basis = seen.length > 0 ? "mixed" : "configured";
		} else if (seen.length + pooled.length > 0) {
			points = seen.length > 0 ? [...seen] : [...pooled];
			basis = "observed";
		} else continue;
		tables.set(svc.id, { sorted: points.sort((a, b) => a - b), basis });
	}
	return tables;
}

/** The per-window pace's bounds: no administrator is taken as more than 3 × quicker or slower. */
const PACE_BOUNDS = [1 / 3, 3] as const;

/**
 * Each window's pace against the hall: exp of the mean log ratio of its recent holds to the
 * geometric mean of their services' holds, shrunk towards 0 (the hall's pace) by `prior` holds'
 * weight. A window with no holds of its own is not in the map (pace 1).
 */
export function windowPaces(
	stats: HoldStats,
	holdsOf: (service: string) => readonly number[],
	prior: number,
): Map<string, number> {
	const out = new Map<string, number>();
	// Per service, the mean log of its holds (NaN for none): the reference a window's holds are
	// measured against. Its median would not do: where a few visits are very long, the mean log
	// of any window's holds is above the log of their median, and every window looked slower.
	const meanLogs = new Map<string, number>();
	const meanLog = (service: string) => {
		let m = meanLogs.get(service);
		if (m === undefined) {
			let sum = 0;
			let k = 0;
			for (const x of holdsOf(service))
				if (x > 0) {
					sum += Math.log(x);
					k++;
				}
			m = k > 0 ? sum / k : Number.NaN;
			meanLogs.set(service, m);
		}
		return m;
	};
	for (const [window, list] of stats.windowHolds) {
		let sum = 0;
		let n = 0;
		for (const h of list) {
			const m = meanLog(h.service);
			if (!Number.isFinite(m) || !(h.ms > 0)) continue;
			sum += Math.log(h.ms) - m;
			n++;
		}
		if (n === 0) continue;
		const pace = Math.exp(sum / (n + prior));
		out.set(window, Math.min(PACE_BOUNDS[1], Math.max(PACE_BOUNDS[0], pace)));
	}
	return out;
}

/**
 * Fewer holds than this seen longer than the time a call has already lasted: the rest of it is
 * drawn from the holds' tail (`tailIndex`) instead of from those few.
 */
const TAIL_MIN = 4;

/** The tail index of each table of holds, computed once per table. */
const tailIndexes = new WeakMap<readonly number[], number>();

/**
 * How heavy the tail of the sorted holds is: Hill's estimate of a Pareto index from the longest
 * fifth of them (at least `TAIL_MIN`) over the hold just below. Small (1.5–2) when a few visits
 * take several times the usual, large (4 and more) when holds vary little, Infinity when they
 * do not vary at all.
 */
export function tailIndex(sorted: readonly number[]): number {
	const cached = tailIndexes.get(sorted);
	if (cached !== undefined) return cached;
	const n = sorted.length;
	const k = Math.min(n - 1, Math.max(TAIL_MIN, Math.floor(n / 5)));
	let alpha = Number.POSITIVE_INFINITY;
	const threshold = sorted[n - k - 1] ?? 0;
	if (k > 0 && threshold > 0) {
		let sum = 0;
		for (let i = n - k; i < n; i++) sum += Math.log((sorted[i] as number) / threshold);
		if (sum > 0) alpha = Math.max(TAIL_INDEX_MIN, k / sum);
	}
	tailIndexes.set(sorted, alpha);
	return alpha;
}

/** Below this the tail's mean would be (nearly) infinite; no hall is that wild. */
const TAIL_INDEX_MIN = 1.5;

/** The index of the first of the sorted `list` longer than `ms` (its length if none is). */
function firstAbove(list: readonly number[], ms: number): number {
	let lo = 0;
	let hi = list.length;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if ((list[mid] as number) <= ms) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

/**
 * The rest of a hold that has lasted `elapsed`: a draw from the sorted holds longer than that,
 * minus `elapsed`. Where fewer than `TAIL_MIN` of them are that long (and `elapsed` is past the
 * median), from a Pareto tail with the holds' own index: a visit that has outlasted nearly every
 * one seen is likely one of the long ones where a few visits take several times the usual
 * (its rest grows with the time spent), and ends soon where holds vary little. At most `cap`.
 */
function drawRest(rng: Rng, sorted: readonly number[], elapsed: number, cap: number): number {
	const lo = firstAbove(sorted, elapsed);
	const above = sorted.length - lo;
	if (above >= TAIL_MIN || (above > 0 && lo < sorted.length / 2))
		return (sorted[lo + Math.floor(rng() * above)] as number) - elapsed;
	const alpha = tailIndex(sorted);
	if (!Number.isFinite(alpha)) return 0;
	return Math.min(cap, elapsed * ((1 - rng()) ** (-1 / alpha) - 1));
}

export function estimateWait(
	stats: HoldStats,
	live: LiveState,
	index: CentreIndex,
	service: string,
	now: number,
	options: EstimateOptions = {},
): WaitEstimate {
	const { priority = false, ticket, ...settings } = options;
	const s = { ...ESTIMATE_DEFAULTS, ...settings };
	// The visitor's ticket: one already waiting (as itself), or one taken now.
	const own = ticket !== undefined ? live.waiting.get(ticket) : undefined;
	if (own) service = own.service;
	let waiting = 0;
	for (const t of live.waiting.values()) if (t.service === service) waiting++;
	const open = index.centre.windows.filter((w) => windowOpen(live.windows.get(w.id)));
	const windowsOpen = open.filter((w) => w.services.includes(service)).length;
	const base = { service, waiting, windowsOpen };
	if (!index.services.has(service)) return { ...base, ok: false, reason: "unknown_service" };
	// A ticket taken now at a closed centre has no wait to estimate; one already waiting is still
	// served (the visitors in the hall at closing time are), so its estimate stands.
	const opening = openingState(index.centre, now);
	if (!own && !opening.open) return { ...base, ok: false, reason: "closed" };
	if (windowsOpen === 0) return { ...base, ok: false, reason: "no_window_open" };

	const tables = holdTables(stats, index, s);
	const mine = tables.get(service);
	if (!mine) return { ...base, ok: false, reason: "no_service_times" };
	const fallback = mine.sorted;
	const holdsOf = (svc: string) => tables.get(svc)?.sorted ?? fallback;
	const learnt = (list: readonly number[], otherwise: number) =>
		list.length >= s.minSamples ? [...list].sort((a, b) => a - b) : [otherwise];
	const paces = windowPaces(stats, holdsOf, s.minSamples);
	const gaps = learnt(stats.gaps, s.defaultGapMs);
	const reactions = learnt(stats.reactions, s.defaultReactionMs);
	const noShows: NoShows = { chance: noShowChance(stats), holds: [...stats.noShowHolds].sort((a, b) => a - b) };

	const queue: SimTicket[] = [];
	for (const t of live.waiting.values())
		if (t !== own)
			queue.push({ ticket: t.ticket, service: t.service, issuedAt: t.issuedAt, priority: t.priority !== undefined });
	queue.push(
		own
			? { ticket: VISITOR, service: own.service, issuedAt: own.issuedAt, priority: own.priority !== undefined }
			: { ticket: VISITOR, service, issuedAt: now, priority },
	);
	queue.sort(before);
	const priorityWaiting = queue.filter((t) => t.priority).length;

	// Priority tickets still to come: per service, its tickets' rate over the recent past times the
	// centre's share of priority tickets.
	const priorityRate = new Map<string, number>();
	const share = priorityShare(stats);
	if (share > 0)
		for (const r of stats.issuedRecent)
			if (r.at >= now - s.priorityRateSpanMs && r.at <= now)
				priorityRate.set(r.service, (priorityRate.get(r.service) ?? 0) + share / s.priorityRateSpanMs);

	// A run in which every window serving the ticket went away for good never calls it: it waits
	// until the centre closes (or, already closed, for the replay's horizon).
	const untilClosing =
		opening.open && opening.nextChange && !opening.nextChange.open ? opening.nextChange.at - now : FUTURE_HORIZON_MS;
	// Windows past their usual reaction: the chance they are away, and for how long they have been silent.
	const away = new Map<string, { chance: number; silentMs: number }>();
	for (const w of silentWindows(live, index, stats, now))
		if (w.awayChance > 0) away.set(w.window, { chance: w.awayChance, silentMs: w.silentMs });

	const rng = mulberry32((s.seed ^ Math.floor(now / 1000)) >>> 0);
	const waits: number[] = [];
	for (let run = 0; run < s.runs; run++) {
		const future = priorityArrivals(rng, priorityRate, now, opening.open ? untilClosing : 0);
		// Every waiting priority ticket was issued before the ones to come, so they go right after them.
		const tickets =
			future.length > 0
				? [...queue.slice(0, priorityWaiting), ...future.sort(before), ...queue.slice(priorityWaiting)]
				: queue;
		waits.push(
			replay(rng, tickets, open, stats, live, now, holdsOf, paces, gaps, reactions, noShows, s, away, untilClosing),
		);
	}
	for (let i = 0; i < waits.length; i++) if (!Number.isFinite(waits[i])) waits[i] = untilClosing;
	waits.sort((a, b) => a - b);
	const tail = (1 - s.coverage) / 2;
	// Tenths of a minute; the range is rounded outwards so rounding never narrows it.
	const tenths = (ms: number, round: (x: number) => number) => round(ms / 6_000) / 10;
	return {
		...base,
		ok: true,
		minutes: tenths(quantileSorted(waits, 0.5), Math.round),
		low: tenths(quantileSorted(waits, tail), Math.floor),
		high: tenths(quantileSorted(waits, 1 - tail), Math.ceil),
		basis: mine.basis,
	};
}

/** Estimates for every service of the centre, in the order of its config. */
export function estimateAll(
	stats: HoldStats,
	live: LiveState,
	index: CentreIndex,
	now: number,
	options: Omit<EstimateOptions, "ticket"> = {},
): WaitEstimate[] {
	return index.centre.services.map((s) => estimateWait(stats, live, index, s.id, now, options));
}

/** How far ahead priority arrivals are drawn, and at most how many per service. */
const FUTURE_HORIZON_MS = 4 * 60 * 60_000;
const FUTURE_MAX = 60;

/**
 * Poisson arrivals of priority tickets after `now`, at each service's rate (per ms), until
 * `untilClosing` from now (nobody takes a ticket at a closed centre) and at most `FUTURE_HORIZON_MS`.
 */
function priorityArrivals(rng: Rng, rate: ReadonlyMap<string, number>, now: number, untilClosing: number): SimTicket[] {
	const out: SimTicket[] = [];
	const horizon = Math.min(untilClosing, FUTURE_HORIZON_MS);
	for (const [service, perMs] of rate) {
		let at = now;
		for (let n = 0; n < FUTURE_MAX; n++) {
			at += -Math.log(1 - rng()) / perMs;
			if (at > now + horizon) break;
			out.push({ ticket: `~${service}${n}`, service, issuedAt: at, priority: true });
		}
	}
	return out;
}

/** Calls nobody comes to: their chance by the wait at call (`noShowChance`), and their sorted holds. */
interface NoShows {
	chance: (waitedMs: number) => number;
	holds: readonly number[];
}

/** The share of the sorted `list` longer than `ms`. */
function shareAbove(list: readonly number[], ms: number): number {
	return list.length > 0 ? (list.length - firstAbove(list, ms)) / list.length : 0;
}

/** One run: the wait in ms of a regular ticket issued at `now` (the one named `VISITOR`). */
function replay(
	rng: Rng,
	queue: readonly SimTicket[],
	open: CentreIndex["centre"]["windows"],
	stats: HoldStats,
	live: LiveState,
	now: number,
	holdsOf: (service: string) => readonly number[],
	paces: ReadonlyMap<string, number>,
	gaps: readonly number[],
	reactions: readonly number[],
	noShows: NoShows,
	s: Pick<EstimateSettings, "paceSigma" | "awayReturnMeanMs" | "awayGoneShare" | "minSamples">,
	away: ReadonlyMap<string, { chance: number; silentMs: number }>,
	untilClosing: number,
): number {
	const { paceSigma } = s;
	const draw = (sorted: readonly number[]) => sorted[Math.floor(rng() * sorted.length)] as number;
	// A window's gap or reaction: its own, or the hall's as the prior (weighing `minSamples` of its
	// own) — one draw from the mixture, so a window that never called draws as the hall does.
	const drawOwn = (own: readonly number[], hall: readonly number[]) => {
		const u = rng();
		const pOwn = own.length / (own.length + s.minSamples);
		if (u < pOwn) return own[Math.floor((u / pOwn) * own.length)] as number;
		return hall[Math.floor(((u - pOwn) / (1 - pOwn)) * hall.length)] as number;
	};
	// How sure the recent holds make us of a service's pace: each run scales its holds by the
	// ratio of a bootstrap resample's mean to the sample's mean, so the range carries that doubt.
	// The chance a call finds nobody, after the ticket waited `waitedMs` (unknown: as a fresh one).
	const calledInVain = (waitedMs: number | undefined) => (noShows.holds.length > 0 ? noShows.chance(waitedMs ?? 0) : 0);
	const scales = new Map<string, number>();
	const pace = Math.exp(
		paceSigma * normalQuantile(Math.min(1 - 1e-9, Math.max(1e-9, rng()))) - (paceSigma * paceSigma) / 2,
	);
	const scale = (svc: string) => {
		let f = scales.get(svc);
		if (f === undefined) {
			const sorted = holdsOf(svc);
			let sum = 0;
			let boot = 0;
			for (const x of sorted) {
				sum += x;
				boot += draw(sorted);
			}
			f = (sum > 0 ? boot / sum : 1) * pace;
			scales.set(svc, f);
		}
		return f;
	};
	const windows: SimWindow[] = open.map((w) => {
		const l = live.windows.get(w.id);
		const own = stats.delays.get(w.id) ?? { gaps: [], reactions: [] };
		let free = now + drawOwn(own.reactions, reactions);
		const pace = paces.get(w.id) ?? 1;
		if (l && l.activity !== "idle" && l.service) {
			const call = stats.calls.get(w.id);
			const from = call && call.ticket === l.ticket ? call.calledAt : (l.since ?? now);
			// The rest of the current hold, at this window's pace (the time spent is on its clock);
			// a call not started yet may be one nobody comes to, by its chance given the time spent.
			const spent = Math.max(0, now - from);
			const served = holdsOf(l.service);
			const p = call && call.ticket === l.ticket && call.startedAt === undefined ? calledInVain(call.waitedMs) : 0;
			const nobody = p > 0 ? p * shareAbove(noShows.holds, spent) : 0;
			const inVain =
				nobody > 0 &&
				rng() * (nobody + (1 - p) * Math.max(shareAbove(served, spent / pace), 1 / (served.length + 1))) < nobody;
			free =
				now +
				(inVain
					? drawRest(rng, noShows.holds, spent, untilClosing)
					: drawRest(rng, served, spent / pace, untilClosing) * pace * scale(l.service)) +
				drawOwn(own.gaps, gaps);
		}
		const serves = new Set(w.services);
		const silent = away.get(w.id);
		if (silent && rng() < silent.chance) {
			const back = -Math.log(1 - rng()) * Math.max(s.awayReturnMeanMs, silent.silentMs);
			// Gone for the rest of the run: by its share, or back only after closing.
			if (rng() < s.awayGoneShare || back >= untilClosing) serves.clear();
			else free = now + back;
		}
		return {
			id: w.id,
			gaps: own.gaps,
			reactions: own.reactions,
			pace,
			serves,
			priorityDesk: w.priority,
			free,
			cursor: 0,
		};
	});
	const taken = new Uint8Array(queue.length);
	for (;;) {
		let w: SimWindow | undefined;
		for (const c of windows) {
			if (c.serves.size === 0) continue;
			if (!w || c.free < w.free || (c.free === w.free && c.priorityDesk && !w.priorityDesk)) w = c;
		}
		if (!w) return Number.POSITIVE_INFINITY;
		let pick = -1;
		let nextArrival = Number.POSITIVE_INFINITY;
		let i = w.cursor;
		while (i < queue.length && (taken[i] || !w.serves.has((queue[i] as SimTicket).service))) i++;
		w.cursor = i;
		for (; i < queue.length; i++) {
			const t = queue[i] as SimTicket;
			if (taken[i] || !w.serves.has(t.service)) continue;
			if (t.issuedAt > w.free) {
				nextArrival = Math.min(nextArrival, t.issuedAt);
				continue;
			}
			pick = i;
			break;
		}
		if (pick < 0) {
			// Nothing this window serves is waiting yet: it waits for the next arrival, or drops out.
			if (Number.isFinite(nextArrival)) w.free = nextArrival;
			else w.serves = new Set();
			continue;
		}
		const t = queue[pick] as SimTicket;
		if (t.ticket === VISITOR) return w.free - now;
		taken[pick] = 1;
		const p = calledInVain(w.free - t.issuedAt);
		w.free +=
			(p > 0 && rng() < p ? draw(noShows.holds) : draw(holdsOf(t.service)) * scale(t.service) * w.pace) +
			drawOwn(w.gaps, gaps);
	}
}

/**
 * The naive display a simple system would show: people waiting for the service × the centre's
 * mean service time so far today ÷ the windows open for it, in minutes. Before anyone was served
 * today it uses the service's configured `meanServiceMin`; null when no window is open or no
 * service time is known.
 */
export function baselineWait(stats: HoldStats, live: LiveState, index: CentreIndex, service: string): number | null {
	let waiting = 0;
	for (const t of live.waiting.values()) if (t.service === service) waiting++;
	let open = 0;
	for (const w of index.centre.windows) if (w.services.includes(service) && windowOpen(live.windows.get(w.id))) open++;
	if (open === 0) return null;
	const meanMin =
		stats.today.served > 0
			? stats.today.serviceSumMs / stats.today.served / 60_000
			: index.services.get(service)?.meanServiceMin;
	if (meanMin === undefined) return null;
	return (waiting * meanMin) / open;
}
