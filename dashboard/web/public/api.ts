/** The public API's answers (their types from the route schemas) and where the hub is. */
import type { PublicCentre, PublicTicket, PublicWait } from "../../routes/schemas.ts";

export type { PublicCentre, PublicTicket, PublicWait };

/**
 * The hub's address: the widget script's own origin, read once while it runs (a city website
 * loads it from the hub: `<script src="https://HUB/widget.js" async>`); on the hub's own pages,
 * the page's origin. An element's `hub` attribute overrides it.
 */
const scriptOrigin = (() => {
	const src = (document.currentScript as HTMLScriptElement | null)?.src;
	try {
		return src ? new URL(src).origin : location.origin;
	} catch {
		return location.origin;
	}
})();

export function hubOrigin(attribute?: string | null): string {
	return (attribute || scriptOrigin).replace(/\/+$/, "");
}

const enc = encodeURIComponent;

export const waitUrl = (hub: string, centre: string) => `${hub}/api/public/v1/centres/${enc(centre)}/wait`;
export const centreUrl = (hub: string, centre: string) => `${hub}/api/public/v1/centres/${enc(centre)}`;
export const ticketUrl = (hub: string, centre: string, ticket: string, key?: string | null) =>
	`${hub}/api/public/v1/centres/${enc(centre)}/tickets/${enc(ticket)}${key ? `?k=${enc(key)}` : ""}`;

/** The error envelope's code, when the answer is one. */
export async function errorCode(res: Response): Promise<string | undefined> {
	try {
		return ((await res.json()) as { error?: { code?: string } }).error?.code;
	} catch {
		return undefined;
	}
}
