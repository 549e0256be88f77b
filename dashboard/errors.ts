/**
 * Registry of the hub's HTTP error codes: each answer with an error is `{"error":{"code","message"}}`
 * (core/errorBody.ts) with one of these codes, counted in `vikno_http_errors_total{status,code}` and
 * documented in docs/errors.md ("HTTP errors"); a test checks that the two lists agree.
 */
import { ErrorBody } from "../core/errorBody.ts";

export const HTTP_ERRORS = {
	bad_request: {
		status: 400,
		description:
			"The request is malformed: a parameter of the wrong form, an unknown query parameter, a bad date range.",
	},
	not_found: { status: 404, description: "There is no such path (or no such method on it)." },
	unknown_centre: { status: 404, description: "The centre in the path or query is not configured on this hub." },
	unknown_ticket: {
		status: 404,
		description: "No ticket of that number was issued today at the centre (or the ticket link's key does not match).",
	},
	unknown_window: { status: 404, description: "The window does not exist at the centre, or takes no QR ratings." },
	form_expired: {
		status: 403,
		description: "A public form's token is missing, forged, expired or already used: open the page again.",
	},
	not_served_yet: { status: 409, description: "The ticket's visit can be rated once it has been served." },
	already_rated: { status: 409, description: "The visit of this ticket is already rated: a ticket's link rates once." },
	rate_limited: {
		status: 429,
		description:
			"Too many requests from one address to the public API within a minute, or more QR ratings than allowed from one address or at one window.",
	},
	internal: { status: 500, description: "The hub failed to answer; the details are in its log, never in the answer." },
} as const satisfies Record<string, { status: number; description: string }>;

export type HttpErrorCode = keyof typeof HTTP_ERRORS;
export const HTTP_ERROR_CODES = Object.keys(HTTP_ERRORS) as HttpErrorCode[];

export function isHttpErrorCode(code: unknown): code is HttpErrorCode {
	return typeof code === "string" && Object.hasOwn(HTTP_ERRORS, code);
}

/** An error a handler throws for the app's one error handler to answer with its code and status. */
export class HttpError extends Error {
	readonly statusCode: number;
	constructor(
		readonly code: HttpErrorCode,
		message: string,
	) {
		super(message);
		this.statusCode = HTTP_ERRORS[code].status;
	}
}

/** A refusal that tells the client when to try again (`retry-after`, seconds). */
export class RetryLater extends HttpError {
	constructor(
		message: string,
		readonly retryAfterS: number,
	) {
		super("rate_limited", message);
	}
}

export const unknownCentre = (centre: string) =>
	new HttpError("unknown_centre", `centre "${centre}" is not configured on this hub`);

/**
 * The error answers of a route for its response schema: status → the envelope with the codes
 * answered with that status. Every route may answer `bad_request` and `internal`.
 */
export function errorResponses(...codes: HttpErrorCode[]) {
	const all = [...new Set<HttpErrorCode>(["bad_request", ...codes, "internal"])];
	const byStatus = new Map<number, HttpErrorCode[]>();
	for (const c of all) byStatus.set(HTTP_ERRORS[c].status, [...(byStatus.get(HTTP_ERRORS[c].status) ?? []), c]);
	return Object.fromEntries([...byStatus].map(([status, cs]) => [status, ErrorBody(cs)]));
}
