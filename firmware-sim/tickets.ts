/**
 * Ticket numbering as an electronic queue does it: one counter per service prefix
 * (A001, A002, … B001, …), all counters restarting at the first ticket of a new local day.
 */

/** A function giving the local calendar day ("2025-03-14") of an instant in a time zone. */
export function localDay(timeZone: string): (atMs: number) => string {
	const format = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
	return (atMs) => format.format(atMs);
}

export function formatTicket(prefix: string, n: number): string {
	return `${prefix}${String(n).padStart(3, "0")}`;
}

export class TicketBook {
	#dayOf: (atMs: number) => string;
	#day = "";
	#last = new Map<string, number>();

	constructor(timeZone: string) {
		this.#dayOf = localDay(timeZone);
	}

	issue(prefix: string, atMs: number): string {
		const day = this.#dayOf(atMs);
		if (day !== this.#day) {
			this.#day = day;
			this.#last.clear();
		}
		const n = (this.#last.get(prefix) ?? 0) + 1;
		this.#last.set(prefix, n);
		return formatTicket(prefix, n);
	}
}
