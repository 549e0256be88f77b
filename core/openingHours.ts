/**
 * Opening hours of a centre: open or closed now, and when that changes.
 *
 *   openingState(centre, now) → { open, since, nextChange, today, holiday }
 *   isOpen(centre, now) → boolean
 *   openIntervals(centre, fromTs, toTs) → [{ from, to }] (epoch ms, merged across midnight)
 *   dayHours(centre, day) → the intervals of one local date ("HH:MM-HH:MM"), holidays applied
 *   weekdayOf(day) → "mon" … "sun"
 *
 * Hours are local time in the centre's time zone (Europe/Kyiv), so a day's intervals are turned
 * into instants per date: 09:00 is 07:00 UTC in winter and 06:00 UTC in summer, and the days the
 * clocks change (the last Sundays of March and October) have 23 and 25 hours. A dated exception in
 * `holidays` replaces the weekday's hours on its date (no intervals: closed). Pure: `now` is passed.
 */
import { DateTime } from "luxon";
import Type, { type Static } from "typebox";
import { type Centre, type Holiday, INTERVAL_PATTERN, Names, WEEKDAYS, type Weekday } from "./centre.ts";
import { EpochMs, orNull } from "./schemaParts.ts";

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

/** "mon" … "sun" for a local date "YYYY-MM-DD". */
export function weekdayOf(day: string): Weekday {
	return WEEKDAYS[DateTime.fromISO(day, { zone: "UTC" }).weekday - 1] as Weekday;
}

function holidayOn(centre: HoursOf, day: string): Holiday | undefined {
	return centre.holidays?.find((h) => h.date === day);
}

/** The intervals ("HH:MM-HH:MM") of a local date: its holiday's if it has one, else its weekday's. */
export function dayHours(centre: HoursOf, day: string): string[] {
	const h = holidayOn(centre, day);
	return [...(h ? (h.hours ?? []) : centre.hours[weekdayOf(day)])];
}

/** The instant of local `time` ("HH:MM", or "24:00" = the next midnight) on local `day`. */
function instant(day: string, time: string, zone: string): number {
	const midnight = DateTime.fromISO(day, { zone });
	if (time === "24:00") return midnight.plus({ days: 1 }).toMillis();
	const [hour = 0, minute = 0] = time.split(":").map(Number);
	// A time the spring change skips (03:00–03:59) moves to the first one that exists.
	return midnight.set({ hour, minute }).toMillis();
}

/** The open intervals of one local date, as instants. */
function intervalsOn(centre: HoursOf, day: string): OpenInterval[] {
	return dayHours(centre, day).map((iv) => {
		const [from = "00:00", to = "00:00"] = iv.split("-");
		return { from: instant(day, from, centre.timeZone), to: instant(day, to, centre.timeZone) };
	});
}

/** Local dates from the one containing `fromTs` to the one containing `toTs`, inclusive. */
function daysBetween(fromTs: number, toTs: number, zone: string): string[] {
	const days: string[] = [];
	let d = DateTime.fromMillis(fromTs, { zone }).startOf("day");
	const last = DateTime.fromMillis(toTs, { zone }).startOf("day").toMillis();
	while (d.toMillis() <= last) {
		days.push(d.toISODate() ?? "");
		d = d.plus({ days: 1 });
	}
	return days;
}

/**
 * The open intervals overlapping [fromTs, toTs), in time order; an interval that closes at 24:00
 * and one that opens at 00:00 the next day are one interval. Not clipped to the span, but only
 * the days of the span and one either side are looked at.
 */
export function openIntervals(centre: HoursOf, fromTs: number, toTs: number): OpenInterval[] {
	const merged: OpenInterval[] = [];
	const DAY = 86_400_000;
	for (const day of daysBetween(fromTs - DAY, toTs + DAY, centre.timeZone)) {
		for (const iv of intervalsOn(centre, day)) {
			if (iv.to <= iv.from) continue;
			const last = merged[merged.length - 1];
			if (last && iv.from <= last.to) last.to = Math.max(last.to, iv.to);
			else merged.push({ ...iv });
		}
	}
	return merged.filter((iv) => iv.to > fromTs && iv.from < toTs);
}

export function isOpen(centre: HoursOf, now: number): boolean {
	return openIntervals(centre, now, now + 1).some((iv) => iv.from <= now && now < iv.to);
}

export function openingState(centre: HoursOf, now: number, horizonDays = HORIZON_DAYS): OpeningState {
	const DAY = 86_400_000;
	const intervals = openIntervals(centre, now - LOOK_BACK_DAYS * DAY, now + horizonDays * DAY);
	const today = DateTime.fromMillis(now, { zone: centre.timeZone }).toISODate() ?? "";
	const h = holidayOn(centre, today);
	const holiday = h ? { date: h.date, ...(h.name ? { name: h.name } : {}) } : null;
	const current = intervals.find((iv) => iv.from <= now && now < iv.to);
	if (current) {
		return {
			open: true,
			since: current.from >= now - LOOK_BACK_DAYS * DAY ? current.from : null,
			// Still open at the end of the horizon: the closing is not known.
			nextChange: current.to < now + horizonDays * DAY ? { at: current.to, open: false } : null,
			today: dayHours(centre, today),
			holiday,
		};
	}
	const previous = intervals.filter((iv) => iv.to <= now).pop();
	const next = intervals.find((iv) => iv.from > now);
	return {
		open: false,
		since: previous ? previous.to : null,
		nextChange: next ? { at: next.from, open: true } : null,
		today: dayHours(centre, today),
		holiday,
	};
}
