/**
 * How simulated visitors and administrators behave: the tunable figures in one table, and the
 * few pure functions that turn a random draw into a service time or a rating.
 */
import type { Rng } from "../core/stats.ts";
import { lognormal, normal } from "./random.ts";

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;

/**
 * Visitors per hour as a function of simulated time. Poisson arrivals are drawn at `maxPerHour`
 * and thinned to `perHour(at)`, so a weekday/hour profile plugs in without touching the hall.
 */
export interface ArrivalProfile {
	perHour(atMs: number): number;
	maxPerHour: number;
}

/** A range [min, max] in milliseconds; a value is drawn uniformly from it. */
export type Span = readonly [number, number];

export interface HallSettings {
	/**
	 * Visitors per hour: a constant or a profile. ≈750 visits per working day at Kryvyi Rih's «Віза»
	 * (DOMAIN.md). With `followHours`, a constant is the mean over the open hours of a week.
	 */
	arrivalsPerHour: number | ArrivalProfile;
	/**
	 * Visitors come only while the centre is open (`hours`, local time), more on Monday mornings
	 * than on Friday afternoons (profile.ts). Windows still serve everyone who took a ticket.
	 */
	followHours: boolean;
	/**
	 * With `followHours`, people who came before opening wait at the door and come in during the
	 * first minutes (`openingInMs`): as many as would come in this many minutes at the opening rate.
	 */
	openingCrowdMin: number;
	openingInMs: Span;
	/**
	 * Relative weights of services by id; services not named get weight 0. Default: in proportion
	 * to the capacity the centre staffed for each service (see `capacityWeights`).
	 */
	serviceWeights?: Readonly<Record<string, number>>;
	/** Share of visitors in a priority category (IDPs, service members, veterans, families). */
	priorityShare: number;
	/** Share of visitors who take a ticket and are gone when called. */
	noShowShare: number;
	/** Share of served visitors who press a rating button. */
	ratingShare: number;
	/** Mean service time for services without `meanServiceMin`. */
	defaultServiceMin: number;
	/** Spread of the log-normal service time (sigma of the underlying normal). */
	serviceSigma: number;
	/** Spread per service id, where a service varies more or less than `serviceSigma`. */
	serviceSigmas?: Readonly<Record<string, number>>;
	/** How long an administrator waits for a called visitor before marking a no-show. */
	noShowGraceMs: number;
	/** The door sensor reports its in/out increments at most this often. */
	doorFlushMs: number;
	/**
	 * Share of passages the door sensor misses, each way: people walking through side by side,
	 * a pram, a held door. Counted occupancy drifts from the truth by about this much.
	 */
	doorMissShare: { readonly in: number; readonly out: number };
	/** A visitor who expects to wait longer than a patience drawn from this span leaves without a ticket. */
	patienceMs: Span;
	/** Entering → ticket taken at the terminal. */
	toTerminalMs: Span;
	/** Called → standing at the window (service started). */
	toWindowMs: Span;
	/** A free window calls a new ticket this long after it arrives, when it was idle. */
	reactionMs: Span;
	/** Finished or no-show → the window calls the next ticket. */
	wrapUpMs: Span;
	/** Finished → rating button pressed. Shorter than `wrapUpMs` so the rating belongs to this visit. */
	rateDelayMs: Span;
	/** Finished → out of the door. */
	leaveMs: Span;
	/** A visitor who gives up on the queue looks around this long before leaving. */
	balkMs: Span;
	/** A no-show visitor leaves this long after taking the ticket. */
	noShowLeaveMs: Span;

	// Rough-hall behaviours, all off by default (the default hall draws exactly as before):
	/**
	 * Silent breaks: each time a window is ready for the next visitor, with this chance its
	 * administrator steps away for a time drawn from `ms` first — no event, the node stays online
	 * and idle, tickets wait.
	 */
	silentBreak?: { chance: number; ms: Span };
	/** Each window starts calling this long after every opening (drawn per window and opening). */
	lateStartMs?: Span;
	/**
	 * On a `share` of days per window, its administrator stops calling this long before closing.
	 * At closing, whoever still waits for a service no window on duty serves goes home: a ticket
	 * is that day's, nobody is called on it the next morning.
	 */
	earlyClose?: { share: number; ms: Span };
	/**
	 * Long visits, a heavy tail with the same mean: with this share a visit takes `timesMean` × its
	 * drawn time, and every other visit is shortened so the mean stays as configured
	 * (`share × timesMean` must be below 1).
	 */
	longVisits?: { share: number; timesMean: number };
	/** Arrivals between these local minutes of the day are `factor` × the profile (a lunch peak). */
	lunchPeak?: { fromMin: number; toMin: number; factor: number };
	/**
	 * Visitors who give up after taking a ticket: with this share, one still not called after a
	 * time drawn from `ms` leaves (the window then calls in vain: a no-show).
	 */
	leaveAfterTicket?: { share: number; ms: Span };
}

export const HALL_DEFAULTS: HallSettings = {
	arrivalsPerHour: 110,
	followHours: false,
	openingCrowdMin: 10,
	openingInMs: [0, 2 * MINUTE],
	priorityShare: 0.08,
	noShowShare: 0.04,
	ratingShare: 0.6,
	defaultServiceMin: 8,
	serviceSigma: 0.5,
	noShowGraceMs: 3 * MINUTE,
	doorFlushMs: 5 * SECOND,
	doorMissShare: { in: 0.03, out: 0.04 },
	patienceMs: [30 * MINUTE, 120 * MINUTE],
	toTerminalMs: [10 * SECOND, 60 * SECOND],
	toWindowMs: [15 * SECOND, 60 * SECOND],
	reactionMs: [2 * SECOND, 10 * SECOND],
	wrapUpMs: [15 * SECOND, 45 * SECOND],
	rateDelayMs: [2 * SECOND, 8 * SECOND],
	leaveMs: [30 * SECOND, 2 * MINUTE],
	balkMs: [30 * SECOND, 3 * MINUTE],
	noShowLeaveMs: [2 * MINUTE, 20 * MINUTE],
};

/**
 * Visitors per hour each service's windows can serve, counting a window shared by k services
 * as 1/k of a window for each. A centre staffs its windows after its demand, so by default
 * visitors choose services in these proportions and no service starves while others idle.
 */
export function capacityWeights(
	services: readonly { id: string; meanServiceMin?: number }[],
	windows: readonly { services: readonly string[] }[],
	defaultServiceMin: number,
): Record<string, number> {
	const weights: Record<string, number> = {};
	for (const s of services) {
		let share = 0;
		for (const w of windows) if (w.services.includes(s.id)) share += 1 / w.services.length;
		weights[s.id] = (share * 60) / (s.meanServiceMin ?? defaultServiceMin);
	}
	return weights;
}

/** Service time in ms: log-normal around the mean, kept within 0.2×…5× the mean. */
export function serviceTimeMs(rng: Rng, meanMin: number, sigma: number): number {
	const min = lognormal(rng, meanMin, sigma);
	return Math.round(clamp(min, 0.2 * meanMin, 5 * meanMin) * MINUTE);
}

/**
 * A visitor's score on a 1..scale button row (scale = best). Satisfaction is high while the wait
 * stays within half the service's target and falls as the wait grows past it; noise spreads it.
 */
export function ratingScore(rng: Rng, waitMs: number, targetWaitMin: number, scale: number): number {
	const ratio = waitMs / (targetWaitMin * MINUTE);
	const satisfaction = clamp(0.92 - 0.3 * Math.max(0, ratio - 0.5), 0.05, 0.95);
	const x = clamp(satisfaction + 0.18 * normal(rng), 0, 1);
	return 1 + Math.round(x * (scale - 1));
}

function clamp(value: number, min: number, max: number): number {
	return Math.min(max, Math.max(min, value));
}
