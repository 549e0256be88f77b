/**
 * Ticket numbering at a terminal: per service prefix, restarting every local day of the centre,
 * from the terminal's `numberStart` (several terminals in one hall start at different numbers).
 * Pure: the counters and the clock are arguments.
 */
export interface TicketCounters {
	/** Local date "YYYY-MM-DD" the counters belong to. */
	day: string;
	/** prefix → the last number issued that day. */
	last: Record<string, number>;
}

export const NO_TICKETS: TicketCounters = { day: "", last: {} };

/** "2026-11-23": the date of `ts` in the time zone. */
export function localDay(ts: number, timeZone: string): string {
	return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(ts);
}

export function formatTicket(prefix: string, n: number): string {
	return `${prefix}${String(n).padStart(3, "0")}`;
}

export function issueTicket(
	counters: TicketCounters,
	prefix: string,
	day: string,
	numberStart: number,
): { ticket: string; counters: TicketCounters } {
	const last = counters.day === day ? counters.last : {};
	const n = (last[prefix] ?? numberStart - 1) + 1;
	return { ticket: formatTicket(prefix, n), counters: { day, last: { ...last, [prefix]: n } } };
}
