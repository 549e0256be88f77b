/**
 * Ticket numbers as an electronic queue gives them: one counter per service prefix (A001, A002,
 * … B001, …), all restarting on the first ticket of a new local day of the centre, from a start
 * number (several terminals in one hall start at different numbers, so tickets stay unique).
 * The edge's terminal and the simulator's both number here. Pure: the counters and the day are
 * arguments.
 */
export interface TicketCounters {
	/** Local date "YYYY-MM-DD" the counters belong to. */
	day: string;
	/** prefix → the last number issued that day. */
	last: Record<string, number>;
}

export const NO_TICKETS: TicketCounters = { day: "", last: {} };

/** "A" and 17 → "A017" (at least three digits). */
export function formatTicket(prefix: string, n: number): string {
	return `${prefix}${String(n).padStart(3, "0")}`;
}

/** The next ticket of `prefix` on local date `day`, and the counters after it. */
export function issueTicket(
	counters: TicketCounters,
	prefix: string,
	day: string,
	numberStart = 1,
): { ticket: string; counters: TicketCounters } {
	const last = counters.day === day ? counters.last : {};
	const n = (last[prefix] ?? numberStart - 1) + 1;
	return { ticket: formatTicket(prefix, n), counters: { day, last: { ...last, [prefix]: n } } };
}
