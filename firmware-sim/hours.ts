/**
 * Local clock and opening hours of a centre, as the simulator needs them: which weekday and
 * minute of the local day an instant falls on (Europe/Kyiv, daylight saving included), and
 * whether the centre is open then. Pure; the centre's `hours` and the instant are arguments.
 */
import { DateTime } from "luxon";
import { type Centre, WEEKDAYS } from "../core/centre.ts";

/** Weekday 0 = Monday … 6 = Sunday, and minutes since local midnight (fractional). */
export interface LocalTime {
	weekday: number;
	minute: number;
}

/** Opening intervals per weekday (0 = Monday), in minutes since local midnight, [from, to). */
export type WeekIntervals = readonly (readonly (readonly [number, number])[])[];

const BUCKET_MS = 15 * 60_000;

/**
 * A function from epoch ms to local weekday and minute. Time zones change their offset only on
 * quarter-hour boundaries, so one zone lookup serves a whole quarter hour; the last one is kept,
 * because the simulation asks in time order.
 */
export function localClock(timeZone: string): (atMs: number) => LocalTime {
	let bucket = Number.NaN;
	let weekday = 0;
	let firstMinute = 0;
	return (atMs) => {
		const b = Math.floor(atMs / BUCKET_MS);
		if (b !== bucket) {
			const local = DateTime.fromMillis(b * BUCKET_MS, { zone: timeZone });
			bucket = b;
			weekday = local.weekday - 1;
			firstMinute = local.hour * 60 + local.minute;
		}
		return { weekday, minute: firstMinute + (atMs - b * BUCKET_MS) / 60_000 };
	};
}

/** "09:00-16:00" → [540, 960]; "24:00" closes at the end of the day. */
export function parseInterval(interval: string): [number, number] {
	const [from = "", to = ""] = interval.split("-");
	return [minutes(from), minutes(to)];
}

function minutes(hhmm: string): number {
	const [h = "0", m = "0"] = hhmm.split(":");
	return Number(h) * 60 + Number(m);
}

export function weekIntervals(hours: Centre["hours"]): WeekIntervals {
	return WEEKDAYS.map((d) => hours[d].map(parseInterval));
}

export function isOpen(week: WeekIntervals, t: LocalTime): boolean {
	for (const [from, to] of week[t.weekday] ?? []) if (t.minute >= from && t.minute < to) return true;
	return false;
}

/** Open minutes in a week: the law asks for at least 35 reception hours (DOMAIN.md). */
export function openMinutesPerWeek(week: WeekIntervals): number {
	let total = 0;
	for (const day of week) for (const [from, to] of day) total += to - from;
	return total;
}

/**
 * The first opening (start of an interval) at or after `fromMs`, looking a week ahead; undefined
 * for a centre that never opens. Local wall time, so daylight-saving days open at the right hour.
 */
export function nextOpening(centre: Pick<Centre, "hours" | "timeZone">, fromMs: number): number | undefined {
	const week = weekIntervals(centre.hours);
	let day = DateTime.fromMillis(fromMs, { zone: centre.timeZone }).startOf("day");
	for (let i = 0; i < 8; i++, day = day.plus({ days: 1 })) {
		for (const [from] of week[day.weekday - 1] ?? []) {
			const at = day.set({ hour: Math.floor(from / 60), minute: from % 60 }).toMillis();
			if (at >= fromMs) return at;
		}
	}
	return undefined;
}
