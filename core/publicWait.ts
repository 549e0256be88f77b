/**
 * What the public answer for residents says, worked out from the hub's figures — truthful rather
 * than precise:
 *
 *   publicEstimate(service, open) → { estimate, noEstimate? }   whole minutes; closed → no estimate
 *   hallLabel(share) → quiet | usual | busy                     the hall's load in words
 *   restOfDay(cells, day, hour) → the labelled hours left today
 *   openingWeek(centre, now, days?) → each of the next days' hours, holidays applied
 *
 * A closed centre has no wait: nobody can take a ticket, so every service says "closed" instead of
 * an estimate — never "0 min", which a resident reads as "no queue, come now". The estimate's
 * minutes are rounded to whole minutes, the range outwards (a tenth of a minute is noise to a
 * resident, and a steadier answer keeps the ETag valid longer). Pure: `now` is an argument.
 */
import type { BestTimeCell, Label } from "./bestTimes.ts";
import type { Holiday } from "./centre.ts";
import { dayHours, type HoursOf } from "./openingHours.ts";
import { addDays, localDay, type Weekday, weekdayOf } from "./time.ts";
import type { NoEstimateReason } from "./waitEstimate.ts";

export interface Band {
	minutes: number;
	low: number;
	high: number;
}

export interface PublicEstimate {
	estimate: Band | null;
	noEstimate?: NoEstimateReason;
}

/** The estimate a resident is shown: none while the centre is closed; whole minutes, the range outwards. */
export function publicEstimate(
	service: { estimate?: Band | null | undefined; noEstimate?: NoEstimateReason | undefined },
	open: boolean,
): PublicEstimate {
	if (!open) return { estimate: null, noEstimate: "closed" };
	const e = service.estimate;
	if (!e) return { estimate: null, noEstimate: service.noEstimate ?? "no_service_times" };
	const minutes = Math.max(0, Math.round(e.minutes));
	const low = Math.max(0, Math.min(minutes, Math.floor(e.low)));
	const high = Math.max(minutes, Math.ceil(e.high));
	return { estimate: { minutes, low, high } };
}

/** Below this share of the hall's capacity it is quiet; from `BUSY_SHARE` busy; usual between. */
export const QUIET_SHARE = 0.35;
export const BUSY_SHARE = 0.75;

/** The hall's load now in words, from people in it ÷ its capacity. */
export function hallLabel(share: number): Label {
	if (!(share >= QUIET_SHARE)) return "quiet";
	return share >= BUSY_SHARE ? "busy" : "usual";
}

export interface HourLabel {
	hour: number;
	label: Label | null;
	waitMin: number | null;
}

/**
 * The hours of `day` (a weekday's cells of core/bestTimes.ts) from `hour` on — the one under way
 * included, as a resident arriving now is still in it.
 */
export function restOfDay(cells: readonly BestTimeCell[], weekday: Weekday, hour: number): HourLabel[] {
	return cells
		.filter((c) => c.weekday === weekday && c.hour >= hour)
		.map((c) => ({ hour: c.hour, label: c.label, waitMin: c.waitMin }));
}

export interface OpeningDay {
	/** Local date "YYYY-MM-DD". */
	date: string;
	weekday: Weekday;
	/** Intervals "HH:MM-HH:MM", holiday applied; empty when closed all day. */
	hours: string[];
	/** The dated exception that replaces the weekday's hours that day, if any. */
	holiday: { name?: Holiday["name"] } | null;
}

/** Today and the days after it (`days` in all), each with its hours and holiday. */
export function openingWeek(centre: HoursOf, now: number, days = 7): OpeningDay[] {
	const today = localDay(now, centre.timeZone);
	const out: OpeningDay[] = [];
	for (let i = 0; i < days; i++) {
		const date = addDays(today, i);
		const h = centre.holidays?.find((x) => x.date === date);
		out.push({
			date,
			weekday: weekdayOf(date),
			hours: dayHours(centre, date),
			holiday: h ? (h.name ? { name: h.name } : {}) : null,
		});
	}
	return out;
}
