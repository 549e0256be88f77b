/**
 * Where a ticket is today, for the resident holding it ("track my ticket"): waiting with how many
 * are ahead, called to a window, being served, served, not shown or cancelled. A ticket sent on to
 * another service is waiting again, for that service (its `service`), `since` the transfer. It says no more
 * than the hall board shows anyone in the hall — a ticket number and a window — plus the count of
 * tickets ahead of it in its service's queue.
 *
 *   normalizeTicket(text) → "A017" | undefined   (what a person typed or a QR link carries)
 *   ticketStatus(state, ticket) → TicketStatus | undefined   (undefined: not issued today)
 *
 * Pure: the live state (core/live.ts) is read, not changed.
 */
import type { LiveState } from "./live.ts";
import type { Band } from "./publicWait.ts";
import { isWaiting, serviceNow } from "./ticketLedger.ts";
import type { NoEstimateReason } from "./waitEstimate.ts";

export type TicketStage = "waiting" | "called" | "serving" | "served" | "no_show" | "cancelled";

export interface TicketStatus {
	ticket: string;
	service: string;
	stage: TicketStage;
	/** The window it was called to, is served at or was served at. */
	window?: string;
	/** While waiting: tickets of its service the dispatcher calls before it (priority first, then the oldest). */
	ahead?: number;
	/** Epoch ms of its issue, and of the stage it is in (the call, the start, the end). */
	issuedAt?: number;
	since?: number;
}

/** A ticket of today as its holder may see it and, while it waits, its estimate. */
export interface TicketView {
	status: TicketStatus;
	/** While waiting: the estimated wait until it is called, whole minutes with the range; else null. */
	estimate: Band | null;
	noEstimate?: NoEstimateReason;
}

/**
 * Cyrillic letters that look like the Latin ones printed on tickets: a resident typing "А017" on a
 * Ukrainian keyboard means "A017".
 */
const LOOKALIKES: Record<string, string> = {
	А: "A",
	В: "B",
	С: "C",
	Е: "E",
	Н: "H",
	І: "I",
	К: "K",
	М: "M",
	О: "O",
	Р: "P",
	Т: "T",
	Х: "X",
};

/** A ticket number as the contract writes it (core/contract.ts `Ticket`), or undefined when it cannot be one. */
export function normalizeTicket(text: string): string | undefined {
	const t = [...text.trim().toUpperCase()]
		.map((c) => LOOKALIKES[c] ?? c)
		.join("")
		.replace(/\s+/g, "");
	return /^[A-Z0-9-]{1,16}$/.test(t) ? t : undefined;
}

export function ticketStatus(state: LiveState, ticket: string): TicketStatus | undefined {
	const r = state.tickets.get(ticket);
	if (!r || r.issued === 0) return undefined;
	const base = { ticket, service: serviceNow(r), ...(r.issuedAt !== undefined ? { issuedAt: r.issuedAt } : {}) };
	const m = r.latest;
	if (isWaiting(r)) {
		const own = state.waiting.get(ticket);
		let ahead = 0;
		if (own) {
			for (const t of state.waiting.values()) {
				if (t.ticket === ticket || t.service !== own.service) continue;
				const pa = t.priority ? 0 : 1;
				const pb = own.priority ? 0 : 1;
				if (pa < pb || (pa === pb && (t.issuedAt < own.issuedAt || (t.issuedAt === own.issuedAt && t.ticket < ticket))))
					ahead++;
			}
		}
		// Sent on to another service: waiting again, since the transfer.
		return { ...base, stage: "waiting", ahead, ...(m ? { since: m.ts } : {}) };
	}
	if (!m) return { ...base, stage: "waiting", ahead: 0 };
	const at = { ...(m.window !== undefined ? { window: m.window } : {}), since: m.ts };
	switch (m.event) {
		case "called":
			return { ...base, stage: "called", ...at };
		case "started":
			return { ...base, stage: "serving", ...at };
		case "finished":
			return { ...base, stage: "served", ...at };
		case "no_show":
			return { ...base, stage: "no_show", ...at };
		default:
			return { ...base, stage: "cancelled", ...at };
	}
}
