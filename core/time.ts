/** Local calendar time of a centre. Days and hours are the centre's (Europe/Kyiv), never UTC. */
import { DateTime } from "luxon";

/** "2026-11-23": the local date of `ts` in `timeZone`. */
export function localDay(ts: number, timeZone: string): string {
	return DateTime.fromMillis(ts, { zone: timeZone }).toISODate() ?? "";
}

/** Epoch ms of local midnight starting the day that contains `ts`. */
export function startOfLocalDay(ts: number, timeZone: string): number {
	return DateTime.fromMillis(ts, { zone: timeZone }).startOf("day").toMillis();
}
