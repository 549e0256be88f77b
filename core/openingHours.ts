/**
 * Opening hours of a centre: open or closed now, and when that changes.
 *
 *   openingState(centre, now) → { open, since, nextChange, today, holiday }
 *   isOpen(centre, now) → boolean
 *   latestOpenAt(centre, now, minute) → the latest local day's `minute` the centre is open at (a demo's clock)
 *   openIntervals(centre, fromTs, toTs) → [{ from, to }] (epoch ms, merged across midnight)
 *   dayHours(centre, day) → the intervals of one local date ("HH:MM-HH:MM"), holidays applied
 *   openingCalendar(centre) → isOpen(ts), nextOpening(ts) for many instants (the simulator's)
 *
 * Hours are local time in the centre's time zone, so a day's intervals are turned into instants
 * per date (core/time.ts): 09:00 in Kyiv is 07:00 UTC in winter and 06:00 UTC in summer, and the
 * days the clocks change (the last Sundays of March and October) have 23 and 25 hours. A dated
 * exception in `holidays` replaces the weekday's hours on its date (no intervals: closed). The hub
 * and the simulator both ask here, so the simulator's visitors come when the hub says the centre
 * is open. Pure: `now` is passed.
 */
import Type, { type Static } from "typebox";
import { type Centre, type Holiday, INTERVAL_PATTERN, Names } from "./centre.ts";
import { EpochMs, orNull } from "./schemaParts.ts";
import { addDays, DAY_MS, daySpan, instantOf, localClock, localDay, parseInterval, weekdayOf } from "./time.ts";

/** What opening hours need of a centre. */
export type HoursOf = Pick<Centre, "timeZone" | "hours" | "holidays">;

export interface OpenInterval {
	/** Epoch ms, inclusive. */
	from: number;
	/** Epoch ms, exclusive. */
	to: number;
}

export const OpeningState = Type.Object({
	open: Type.Boolean(),
	/** When the current state began, if within `LOOK_BACK_DAYS`; else null. */
	since: orNull(EpochMs),
	/** The next opening (`open: true`) or closing, if within the horizon; null when none is known. */
	nextChange: Type.Union([Type.Object({ at: EpochMs, open: Type.Boolean() }), Type.Null()], {
		description: "The next opening (open: true) or closing within three weeks; null when none is known",
	}),
	/** Today's local hours ("HH:MM-HH:MM"), holiday applied; empty when closed all day. */
	today: Type.Array(Type.String({ pattern: INTERVAL_PATTERN }), {
		description: 'Today\'s local hours ("HH:MM-HH:MM"), holiday applied; empty when closed all day',
	}),
	/** Today's dated exception, if any. */
	holiday: orNull(Type.Object({ date: Type.String(), name: Type.Optional(Names) })),
});
export type OpeningState = Static<typeof OpeningState>;

/** How far ahead the next change is looked for (a long holiday break still fits). */
export const HORIZON_DAYS = 21;
/** How far back `since` is looked for. */
export const LOOK_BACK_DAYS = 7;

function holidayOn(centre: HoursOf, day: string): Holiday | undefined {
	return centre.holidays?.find((h) => h.date === day);
}

/** The intervals ("HH:MM-HH:MM") of a local date: its holiday's if it has one, else its weekday's. */
export function dayHours(centre: HoursOf, day: string): string[] {
	const h = holidayOn(centre, day);
	return [...(h ? (h.hours ?? []) : centre.hours[weekdayOf(day)])];
}

/** The open intervals of one local date, as instants. */
function intervalsOn(centre: HoursOf, day: string): OpenInterval[] {
	return dayHours(centre, day).map((text) => {
		const iv = parseInterval(text);
		return { from: instantOf(day, iv.from, centre.timeZone), to: instantOf(day, iv.to, centre.timeZone) };
	});
}

/**
 * The intervals of the local dates from the one containing `fromTs` − 1 day to the one containing
 * `toTs` + 1 day, merged (24:00 and the next day's 00:00 are one), keeping those overlapping
 * [fromTs, toTs).
 */
function merged(
	on: (day: string) => readonly OpenInterval[],
	dayOf: (ts: number) => string,
	fromTs: number,
	toTs: number,
): OpenInterval[] {
	const out: OpenInterval[] = [];
	const last = dayOf(toTs + DAY_MS);
	for (let day = dayOf(fromTs - DAY_MS); day <= last; day = addDays(day, 1)) {
		for (const iv of on(day)) {
			if (iv.to <= iv.from) continue;
			const prev = out[out.length - 1];
			if (prev && iv.from <= prev.to) prev.to = Math.max(prev.to, iv.to);
			else out.push({ ...iv });
		}
	}
	return out.filter((iv) => iv.to > fromTs && iv.from < toTs);
}

/**
 * The open intervals overlapping [fromTs, toTs), in time order; an interval that closes at 24:00
 * and one that opens at 00:00 the next day are one interval. Not clipped to the span, but only
 * the days of the span and one either side are looked at.
 */
export function openIntervals(centre: HoursOf, fromTs: number, toTs: number): OpenInterval[] {
	return merged(
		(day) => intervalsOn(centre, day),
		(ts) => localDay(ts, centre.timeZone),
		fromTs,
		toTs,
	);
}

export function isOpen(centre: HoursOf, now: number): boolean {
	return intervalsOn(centre, localDay(now, centre.timeZone)).some((iv) => iv.from <= now && now < iv.to);
}

/**
 * The instant at local minute `minute` of the latest day, today or before, on which the centre is
 * open at that minute (holidays applied); undefined when no day of the last `days` is. A demo or a
 * test started at night uses it to run the hall at an hour it is open.
 */
export function latestOpenAt(centre: HoursOf, now: number, minute: number, days = 14): number | undefined {
	let day = localDay(now, centre.timeZone);
	for (let i = 0; i < days; i++, day = addDays(day, -1)) {
		const at = instantOf(day, minute, centre.timeZone);
		if (isOpen(centre, at)) return at;
	}
	return undefined;
}

/**
 * One local day's look at a centre's hours (the intervals of every instant of that day's window
 * and its hours), kept per centre object: the hub asks `openingState` for every estimate, and
 * working out four weeks of dates each time cost more than the estimate itself. A cache of a pure
 * function: the answers are the same with or without it (openingHours.test.ts compares them).
 */
interface DayLook {
	start: number;
	end: number;
	horizonDays: number;
	/** Merged intervals overlapping [start − LOOK_BACK_DAYS, end + horizonDays): a superset of any instant's. */
	intervals: OpenInterval[];
	today: string[];
	holiday: OpeningState["holiday"];
}
const dayLooks = new WeakMap<HoursOf, DayLook>();

function dayLook(centre: HoursOf, now: number, horizonDays: number): DayLook {
	const hit = dayLooks.get(centre);
	if (hit && hit.horizonDays === horizonDays && now >= hit.start && now < hit.end) return hit;
	const span = daySpan(now, centre.timeZone);
	const h = holidayOn(centre, span.day);
	const look: DayLook = {
		start: span.start,
		end: span.end,
		horizonDays,
		// Merging over more days than one instant's window joins nothing inside it: an interval is
		// only lengthened beyond the window, where `since` and `nextChange` do not look.
		intervals: openIntervals(centre, span.start - LOOK_BACK_DAYS * DAY_MS, span.end + horizonDays * DAY_MS),
		today: dayHours(centre, span.day),
		holiday: h ? { date: h.date, ...(h.name ? { name: h.name } : {}) } : null,
	};
	dayLooks.set(centre, look);
	return look;
}

export function openingState(centre: HoursOf, now: number, horizonDays = HORIZON_DAYS): OpeningState {
	const look = dayLook(centre, now, horizonDays);
	const from = now - LOOK_BACK_DAYS * DAY_MS;
	const until = now + horizonDays * DAY_MS;
	const intervals = look.intervals.filter((iv) => iv.to > from && iv.from < until);
	const holiday = look.holiday ? { ...look.holiday } : null;
	const current = intervals.find((iv) => iv.from <= now && now < iv.to);
	if (current) {
		return {
			open: true,
			since: current.from >= now - LOOK_BACK_DAYS * DAY_MS ? current.from : null,
			// Still open at the end of the horizon: the closing is not known.
			nextChange: current.to < now + horizonDays * DAY_MS ? { at: current.to, open: false } : null,
			today: [...look.today],
			holiday,
		};
	}
	const previous = intervals.filter((iv) => iv.to <= now).pop();
	const next = intervals.find((iv) => iv.from > now);
	return {
		open: false,
		since: previous ? previous.to : null,
		nextChange: next ? { at: next.from, open: true } : null,
		today: [...look.today],
		holiday,
	};
}

/** The opening hours of one centre asked about many instants: the same answers, each date worked out once. */
export interface OpeningCalendar {
	isOpen(ts: number): boolean;
	/** The first opening at or after `fromTs` within `HORIZON_DAYS`; undefined when none. */
	nextOpening(fromTs: number): number | undefined;
}

export function openingCalendar(centre: HoursOf): OpeningCalendar {
	const clock = localClock(centre.timeZone);
	const days = new Map<string, readonly OpenInterval[]>();
	const on = (day: string) => {
		let ivs = days.get(day);
		if (!ivs) {
			ivs = intervalsOn(centre, day);
			if (days.size > 1000) days.clear();
			days.set(day, ivs);
		}
		return ivs;
	};
	const dayOf = (ts: number) => clock.at(ts).day;
	return {
		isOpen(ts) {
			for (const iv of on(dayOf(ts))) if (iv.from <= ts && ts < iv.to) return true;
			return false;
		},
		nextOpening(fromTs) {
			return merged(on, dayOf, fromTs, fromTs + HORIZON_DAYS * DAY_MS).find((iv) => iv.from >= fromTs)?.from;
		},
	};
}
