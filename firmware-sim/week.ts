/**
 * The accelerated mode: whole days of one or several centres played in simulated time, as fast
 * as the computer goes, with no broker. Returns every action the nodes would publish, in time
 * order, and the ground truth of every ticket and door, for benchmarks and tests.
 *
 * Pure apart from reading the time-zone database: the same centres, options and seed give the
 * same result.
 */
import type { Centre } from "../core/centre.ts";
import { addDays, isDate, midnight } from "../core/time.ts";
import { capacityWeights, HALL_DEFAULTS, type HallSettings } from "./behaviour.ts";
import { type Action, createHall } from "./hall.ts";
import { type DoorDayTruth, summarize, type TicketTruth, type TruthSummary } from "./truth.ts";

/** An action of one of several centres, at simulated epoch ms `at`. */
export type TimelineAction = Action & { centre: string };

export interface WeekOptions {
	/** The first local day, "YYYY-MM-DD", starting at midnight in each centre's time zone. */
	startDay: string;
	/** Number of days; 7 by default. */
	days?: number;
	seed: number;
	/**
	 * The hall's behaviour. By default visitors follow the opening hours and come at
	 * `WEEK_LOAD` of what the staffed windows can serve, averaged over the open hours.
	 */
	hall?: Partial<HallSettings>;
	/** Share of the staffed capacity visitors ask for, when `hall.arrivalsPerHour` is not given (`WEEK_LOAD`). */
	load?: number;
}

export interface CentreWeek {
	centre: string;
	/** The simulated span, epoch ms: local midnight of the first day to that after the last. */
	startMs: number;
	endMs: number;
	/** Seed of this centre's hall (derived from the run's seed and the centre's id). */
	seed: number;
	/** Visitors per open hour on average (with `followHours`), or around the clock. */
	arrivalsPerHour: number;
	/** Visitors who left without a ticket, put off by the expected wait. */
	balked: number;
	summary: TruthSummary;
}

export interface WeekResult {
	/** Everything the nodes published, in time order; ties keep the centres' order. */
	actions: TimelineAction[];
	/** Every ticket, by centre and then in issue order. */
	tickets: TicketTruth[];
	doors: DoorDayTruth[];
	centres: CentreWeek[];
}

/**
 * Share of the staffed capacity that visitors ask for on average over the open hours: the
 * morning peak then exceeds it and a queue builds, which later hours work off.
 */
export const WEEK_LOAD = 0.8;

export function simulateWeek(centres: Centre | readonly Centre[], options: WeekOptions): WeekResult {
	const list: readonly Centre[] = Array.isArray(centres) ? centres : [centres as Centre];
	const days = options.days ?? 7;
	if (!Number.isInteger(days) || days < 1 || days > 366) throw new RangeError(`days must be 1..366, got ${days}`);
	if (!Number.isInteger(options.seed)) throw new RangeError(`seed must be a whole number, got ${options.seed}`);
	const ids = new Set<string>();
	for (const c of list) {
		if (ids.has(c.id)) throw new Error(`centre "${c.id}" is listed twice`);
		ids.add(c.id);
	}

	const actions: TimelineAction[] = [];
	const tickets: TicketTruth[] = [];
	const doors: DoorDayTruth[] = [];
	const weeks: CentreWeek[] = [];
	for (const centre of list) {
		if (!isDate(options.startDay))
			throw new RangeError(`startDay must be a date "YYYY-MM-DD", got "${options.startDay}"`);
		const startMs = midnight(options.startDay, centre.timeZone);
		const endMs = midnight(addDays(options.startDay, days), centre.timeZone);
		const arrivalsPerHour =
			options.hall?.arrivalsPerHour ?? Math.round((options.load ?? WEEK_LOAD) * staffedPerHour(centre));
		const seed = centreSeed(options.seed, centre.id);
		const hall = createHall(centre, {
			...options.hall,
			followHours: options.hall?.followHours ?? true,
			arrivalsPerHour,
			seed,
			startMs,
			recordTruth: true,
		});
		for (const a of hall.advance(endMs)) actions.push({ ...a, centre: centre.id });
		const truth = hall.tickets();
		tickets.push(...truth);
		doors.push(...hall.doors());
		weeks.push({
			centre: centre.id,
			startMs,
			endMs,
			seed,
			arrivalsPerHour: typeof arrivalsPerHour === "number" ? arrivalsPerHour : arrivalsPerHour.maxPerHour,
			balked: hall.snapshot().balked,
			summary: summarize(truth),
		});
	}
	// Array.prototype.sort is stable: equal times keep the centres' order and each hall's own.
	if (list.length > 1) actions.sort((a, b) => a.at - b.at);
	return { actions, tickets, doors, centres: weeks };
}

/**
 * Visitors per hour the centre's staffed windows (those with a node) can serve, from the
 * services' mean service times.
 */
export function staffedPerHour(centre: Centre, defaultServiceMin = HALL_DEFAULTS.defaultServiceMin): number {
	const staffed = new Set(centre.nodes.flatMap((n) => (n.role === "window" && n.window ? [n.window] : [])));
	const windows = centre.windows.filter((w) => staffed.has(w.id));
	const weights = capacityWeights(centre.services, windows, defaultServiceMin);
	return Object.values(weights).reduce((s, w) => s + w, 0);
}

/** A centre's own seed: centres of one run differ, and adding a centre changes no other's week. */
export function centreSeed(seed: number, centreId: string): number {
	// FNV-1a of the id, mixed with the run's seed.
	let h = 0x811c9dc5;
	for (let i = 0; i < centreId.length; i++) h = Math.imul(h ^ centreId.charCodeAt(i), 0x01000193);
	return (Math.imul(h ^ (seed >>> 0), 0x9e3779b1) ^ (seed >>> 16)) >>> 0;
}
