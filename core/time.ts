/** Local calendar time of a centre. Days and hours are the centre's (Europe/Kyiv), never UTC. */
import { DateTime } from "luxon";

interface DaySpan {
	day: string;
	start: number;
	end: number;
}

/**
 * The last local day looked up per time zone. Events arrive in time order, so almost every
 * lookup falls into the same day; this turns a time-zone computation per event into a compare.
 * A cache of a pure function: the results are the same with or without it.
 */
const lastSpan = new Map<string, DaySpan>();

function span(ts: number, timeZone: string): DaySpan {
	const hit = lastSpan.get(timeZone);
	if (hit && ts >= hit.start && ts < hit.end) return hit;
	const start = DateTime.fromMillis(ts, { zone: timeZone }).startOf("day");
	const s: DaySpan = {
		day: start.toISODate() ?? "",
		start: start.toMillis(),
		// The next local midnight: 23, 24 or 25 hours later on daylight-saving days.
		end: start.plus({ days: 1 }).toMillis(),
	};
	lastSpan.set(timeZone, s);
	return s;
}

/** "2026-11-23": the local date of `ts` in `timeZone`. */
export function localDay(ts: number, timeZone: string): string {
	return span(ts, timeZone).day;
}

/** Epoch ms of local midnight starting the day that contains `ts`. */
export function startOfLocalDay(ts: number, timeZone: string): number {
	return span(ts, timeZone).start;
}

/** Epoch ms of the next local midnight after `ts`. */
export function endOfLocalDay(ts: number, timeZone: string): number {
	return span(ts, timeZone).end;
}
