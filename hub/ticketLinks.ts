/**
 * Checks the link on a printed ticket's QR code, `/c/{centre}/t/{ticket}?k={token}`, without
 * asking the terminal that printed it: the token is an HMAC under that terminal's key
 * (core/ticketToken.ts), and the hub holds every terminal's key (DATA/devices.json, given by
 * `vikno device add … --ticket-key`). The link carries no day, so the centre's local days from
 * today back `lookbackDays` are tried: a ticket is followed the day it is issued, and rated that
 * day or the next. A revoked terminal's tickets stop verifying with its credential.
 *
 * The ticket page and its rating (the residents' pages) call `verifyTicketLink`; nothing here
 * depends on their routes.
 */
import type { CentreIndex } from "../core/centre.ts";
import { verifyTicketToken } from "../core/ticketToken.ts";
import { addDays, localDay } from "../core/time.ts";

/** Why a ticket link is refused (documented in docs/errors.md, "Ticket links"). */
export const TICKET_LINK_REFUSALS = {
	unknown_centre: "The link names a centre this hub does not have.",
	no_key:
		"No terminal of the centre has a ticket key (`vikno device add … --ticket-key`), or each one's credential is revoked.",
	bad_token:
		"The token is not the HMAC of this centre, ticket and today or yesterday under any of the centre's terminal keys: forged, altered, for another ticket, or too old.",
} as const;
export type TicketLinkRefusal = keyof typeof TICKET_LINK_REFUSALS;

export type TicketLinkCheck =
	| { ok: true; centre: string; ticket: string; day: string; node: string }
	| { ok: false; reason: TicketLinkRefusal };

export interface TicketLinkOptions {
	centres: ReadonlyMap<string, CentreIndex>;
	/** The ticket keys of a centre's terminals (broker/registry.ts `ticketKeys`), read at each check. */
	keys: (centre: string) => readonly { node: string; key: string }[];
	now: () => number;
	/** Days before today a link still verifies (default 1: today and yesterday). */
	lookbackDays?: number;
}

export class TicketLinks {
	constructor(private readonly o: TicketLinkOptions) {}

	verify(centre: string, ticket: string, token: string): TicketLinkCheck {
		const index = this.o.centres.get(centre);
		if (!index) return { ok: false, reason: "unknown_centre" };
		const keys = this.o.keys(centre);
		if (keys.length === 0) return { ok: false, reason: "no_key" };
		const today = localDay(this.o.now(), index.centre.timeZone);
		for (let back = 0; back <= (this.o.lookbackDays ?? 1); back++) {
			const day = addDays(today, -back);
			for (const { node, key } of keys)
				if (verifyTicketToken(key, centre, day, ticket, token)) return { ok: true, centre, ticket, day, node };
		}
		return { ok: false, reason: "bad_token" };
	}
}
