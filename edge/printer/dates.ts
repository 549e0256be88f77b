/** Date and clock time of a ticket in the centre's zone, through core/time.ts. */
import { localDay, localTime } from "../../core/time.ts";

/** "07.12.2026" */
export function formatDate(ts: number, timeZone: string): string {
	const [y, m, d] = localDay(ts, timeZone).split("-");
	return `${d}.${m}.${y}`;
}

/** "09:05" */
export function formatClockAt(ts: number, timeZone: string): string {
	const { hour, minuteOfDay } = localTime(ts, timeZone);
	return `${String(hour).padStart(2, "0")}:${String(Math.floor(minuteOfDay) % 60).padStart(2, "0")}`;
}
