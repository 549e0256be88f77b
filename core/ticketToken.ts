/**
 * The token on a printed ticket's QR code, `{publicUrl}/c/{centre}/t/{ticket}?k={token}`: an
 * HMAC-SHA256 of `centre|day|ticket` under the terminal's own key, cut to 128 bits, base64url
 * (22 characters). The terminal makes it without asking anyone; the hub, holding the same key
 * (provisioned by `vikno device add … --ticket-key`), verifies it without asking anyone — a ticket
 * printed while the hub was unreachable verifies as well. Unguessable without the key, and bound
 * to the ticket and its day: the same number tomorrow has another token.
 * Pure (a key is an argument); hub/ticketLinks.ts finds the keys and the days to try.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

const TOKEN_BYTES = 16;
export const TOKEN_PATTERN = "^[A-Za-z0-9_-]{22}$";
const TOKEN = new RegExp(TOKEN_PATTERN);

/** The message signed: centre, local day and ticket, `|`-separated (none of them holds a `|`). */
function message(centre: string, day: string, ticket: string): string {
	return `vikno-ticket-v1|${centre}|${day}|${ticket}`;
}

/** The token for a ticket issued on `day` (the centre's local date, YYYY-MM-DD). */
export function ticketToken(key: string, centre: string, day: string, ticket: string): string {
	return createHmac("sha256", key)
		.update(message(centre, day, ticket))
		.digest()
		.subarray(0, TOKEN_BYTES)
		.toString("base64url");
}

/** Whether `token` is this ticket's under `key` (in constant time; a malformed token is simply false). */
export function verifyTicketToken(key: string, centre: string, day: string, ticket: string, token: string): boolean {
	if (!TOKEN.test(token)) return false;
	// Compared as text, not as decoded bytes: the 22nd character carries 2 bits of the 128 and
	// 4 unused ones, which a decoder ignores — decoded, 16 spellings of one token would pass.
	const expected = Buffer.from(ticketToken(key, centre, day, ticket), "ascii");
	return timingSafeEqual(Buffer.from(token, "ascii"), expected);
}

/** The link printed as the ticket's QR code. `publicUrl` without a trailing slash is fine either way. */
export function ticketLink(publicUrl: string, centre: string, ticket: string, token: string): string {
	return `${publicUrl.replace(/\/+$/, "")}/c/${encodeURIComponent(centre)}/t/${encodeURIComponent(ticket)}?k=${token}`;
}
