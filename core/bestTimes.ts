/**
 * Best time to visit: for each weekday and open hour, the typical hall load and waiting time over
 * the last weeks, labelled quiet / usual / busy — what the seeds ask residents to be told "so they
 * can choose a convenient time and avoid queues".
 *
 *   hourlyRows(occupancy, waits, timeZone) → HourRow[]   (from 1-hour store buckets)
 *   bestTimes(rows, centre, now, options?) → BestTimes
 *   quietest(best, n?) → the n quietest open hours of the week
 *
 * Input: one row per local date and hour (the centre's time zone, not UTC) with the hour's mean hall
 * occupancy and mean wait. Rows older than `weeks` weeks, from today (a partial day), from dated
 * exceptions (holidays) and from hours the centre is not open on that weekday are left out.
 *
 * Typical values: per weekday and hour, the median over the dates (robust to one odd day).
 *
 * Labels — relative to the week's own median, with absolute guards:
 *   level = typical wait ÷ the median of all cells' typical waits (hall load ÷ its median when
 *   there is no wait figure); quiet when level ≤ 0.75 or the typical wait is at most
 *   `quietWaitMin` (5 min); busy when level ≥ 1.25 and the typical wait is over `quietWaitMin`;
 *   usual otherwise. A cell seen on fewer than `minDays` dates has no label (null).
 * So a centre where nobody waits long is quiet all week, and one with long queues everywhere still
 * shows its better and worse hours.
 */
import Type, { type Static } from "typebox";
import type { HoursOf } from "./openingHours.ts";
import { Count, orNull } from "./schemaParts.ts";
import { median } from "./stats.ts";
import { addDays, localClock, localDay, parseInterval, WEEKDAYS, type Weekday, weekdayOf } from "./time.ts";

export interface HourRow {
	/** Local date "YYYY-MM-DD". */
	localDay: string;
	/** Local hour 0..23 (the hour starting then). */
	hour: number;
	/** Mean people in the hall over the hour; null when unknown. */
	occupancyMean: number | null;
	/** Mean wait (seconds, as `wait_s`) of the tickets called in the hour; null when none. */
	waitMeanS: number | null;
	/** Tickets called in the hour. */
	count: number;
}

export const Label = Type.Enum(["quiet", "usual", "busy"]);
export type Label = Static<typeof Label>;

export const BestTimeCell = Type.Object({
	weekday: Type.Enum(WEEKDAYS),
	hour: Type.Integer({ minimum: 0, maximum: 23, description: "Local hour (the hour starting then)" }),
	/** Typical people in the hall. */
	load: orNull(Type.Number({ description: "Typical people in the hall" })),
	/** `load` ÷ the hall's capacity, when a capacity is given. */
	loadShare: orNull(Type.Number()),
	/** Typical wait, minutes (one decimal). */
	waitMin: orNull(Type.Number({ description: "Typical wait, minutes (one decimal)" })),
	/** Dates the figures come from. */
	days: Count,
	label: orNull(Label),
});

export const BestTimes = Type.Object({
	/** The dates looked at: from ≤ localDay < to. */
	from: Type.String({ description: "First local date looked at (YYYY-MM-DD)" }),
	to: Type.String({ description: "Local date after the last one looked at (YYYY-MM-DD)" }),
	/** Open hours of every weekday, in order (weekdays the centre is closed have none). */
	cells: Type.Array(BestTimeCell),
});

export type BestTimeCell = Static<typeof BestTimeCell>;
export type BestTimes = Static<typeof BestTimes>;

export interface BestTimesOptions {
	/** How many weeks back (default 8). */
	weeks?: number;
	/** Hall capacity, for `loadShare`. */
	capacity?: number;
	/** A typical wait up to this many minutes is quiet whatever the rest of the week (default 5). */
	quietWaitMin?: number;
	/** Dates a cell needs before it is labelled (default 2). */
	minDays?: number;
}

/** Local hours of a weekday the regular hours touch: 09:00-16:00 → 9..15, 09:00-12:30 → 9..12. */
function openHours(centre: HoursOf, weekday: Weekday): number[] {
	const hours = new Set<number>();
	for (const text of centre.hours[weekday]) {
		const { from, to } = parseInterval(text);
		for (let h = Math.floor(from / 60); h * 60 < to; h++) hours.add(h);
	}
	return [...hours].sort((a, b) => a - b);
}

const tenth = (x: number) => Math.round(x * 10) / 10;

export function bestTimes(
	rows: readonly HourRow[],
	centre: HoursOf,
	now: number,
	options: BestTimesOptions = {},
): BestTimes {
	const { weeks = 8, capacity, quietWaitMin = 5, minDays = 2 } = options;
	const to = localDay(now, centre.timeZone);
	const from = addDays(to, -7 * weeks);
	const holidays = new Set((centre.holidays ?? []).map((h) => h.date));
	const open = new Map(WEEKDAYS.map((d) => [d, new Set(openHours(centre, d))]));

	const samples = new Map<string, { load: number[]; wait: number[]; days: Set<string> }>();
	for (const r of rows) {
		if (r.localDay < from || r.localDay >= to || holidays.has(r.localDay)) continue;
		const weekday = weekdayOf(r.localDay);
		if (!open.get(weekday)?.has(r.hour)) continue;
		const key = `${weekday} ${r.hour}`;
		let s = samples.get(key);
		if (!s) {
			s = { load: [], wait: [], days: new Set() };
			samples.set(key, s);
		}
		s.days.add(r.localDay);
		if (r.occupancyMean !== null) s.load.push(r.occupancyMean);
		if (r.waitMeanS !== null && r.count > 0) s.wait.push(r.waitMeanS / 60);
	}

	const cells: BestTimeCell[] = [];
	for (const weekday of WEEKDAYS) {
		for (const hour of open.get(weekday) ?? []) {
			const s = samples.get(`${weekday} ${hour}`);
			const load = s ? median(s.load) : null;
			const wait = s ? median(s.wait) : null;
			cells.push({
				weekday,
				hour,
				load: load === null ? null : tenth(load),
				loadShare: load !== null && capacity ? Math.round((load / capacity) * 1000) / 1000 : null,
				waitMin: wait === null ? null : tenth(wait),
				days: s?.days.size ?? 0,
				label: null,
			});
		}
	}

	const labelled = cells.filter((c) => c.days >= minDays);
	const refWait = median(labelled.flatMap((c) => (c.waitMin === null ? [] : [c.waitMin])));
	const refLoad = median(labelled.flatMap((c) => (c.load === null ? [] : [c.load])));
	for (const c of labelled) {
		let level: number | null = null;
		if (c.waitMin !== null && refWait) level = c.waitMin / refWait;
		else if (c.load !== null && refLoad) level = c.load / refLoad;
		const short = c.waitMin !== null && c.waitMin <= quietWaitMin;
		if (short || (level !== null && level <= 0.75)) c.label = "quiet";
		else if (level !== null && level >= 1.25) c.label = "busy";
		else if (level !== null || c.waitMin !== null) c.label = "usual";
	}
	return { from, to, cells };
}

/** The `n` quietest labelled hours of the week: shortest typical wait, then the emptiest hall. */
export function quietest(best: BestTimes, n = 3): BestTimeCell[] {
	const big = Number.POSITIVE_INFINITY;
	return best.cells
		.filter((c) => c.label !== null)
		.sort((a, b) => (a.waitMin ?? big) - (b.waitMin ?? big) || (a.load ?? big) - (b.load ?? big))
		.slice(0, n);
}

/** One bucket of a store series (`SeriesRow` of store/types.ts, structurally). */
export interface Bucket {
	/** Bucket start, epoch ms. */
	t: number;
	mean: number | null;
	count: number;
}

/**
 * Joins hourly buckets of hall occupancy (`occupancy.count`) and of waits (`queue.wait_s` on
 * `called`) into rows by local date and hour of `timeZone`.
 */
export function hourlyRows(occupancy: readonly Bucket[], waits: readonly Bucket[], timeZone: string): HourRow[] {
	const rows = new Map<string, HourRow>();
	const clock = localClock(timeZone);
	const row = (t: number) => {
		const { day, hour } = clock.at(t);
		const key = `${day} ${hour}`;
		let r = rows.get(key);
		if (!r) {
			r = { localDay: day, hour, occupancyMean: null, waitMeanS: null, count: 0 };
			rows.set(key, r);
		}
		return r;
	};
	for (const b of occupancy) if (b.mean !== null) row(b.t).occupancyMean = b.mean;
	for (const b of waits) {
		if (b.count === 0 || b.mean === null) continue;
		const r = row(b.t);
		r.waitMeanS = b.mean;
		r.count = b.count;
	}
	return [...rows.values()].sort((a, b) =>
		a.localDay < b.localDay ? -1 : a.localDay > b.localDay ? 1 : a.hour - b.hour,
	);
}
