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
	no_speech: {
		status: 404,
		description:
			"The hub cannot say this call: no speech synthesiser (Debian's espeak-ng) is installed, or the call is no longer among the board's latest. The board then uses the browser's Ukrainian voice, or the chime alone.",
	},
	unknown_window: {
		status: 404,
		description:
			"The centre has no window with the id in the path (or, rating by QR code, the window takes no QR ratings).",
	},
	desk_refused: {
		status: 409,
		description:
			"The console's action does not apply now (start with no ticket called, …), the window has no node in the centre file, or the hub refused the event it made.",
	},
	unknown_centre: { status: 404, description: "The centre in the path or query is not configured on this hub." },
	unknown_ticket: {
		status: 404,
		description: "No ticket of that number was issued today at the centre (or the ticket link's key does not match).",
	},
	form_expired: {
		status: 403,
		description: "A public form's token is missing, forged, expired or already used: open the page again.",
	},
	not_served_yet: { status: 409, description: "The ticket's visit can be rated once it has been served." },
	already_rated: { status: 409, description: "The visit of this ticket is already rated: a ticket's link rates once." },
	unknown_node: { status: 404, description: "The centre has no node of this id in its configuration." },
	unknown_alert: {
		status: 404,
		description: "No alert with this key and `since` was recorded at the centre (acknowledging one).",
	},
	unauthorized: {
		status: 401,
		description:
			"No session: not signed in, signed out, or the session ended (idle, too old, its user removed or given a new password); for /metrics, no or a wrong bearer token.",
	},
	forbidden: {
		status: 403,
		description:
			"The signed-in user may not do this: a centre not theirs, a change by a viewer, an admin's task; or /metrics from another machine while no token is set.",
	},
	bad_csrf_token: {
		status: 403,
		description: "A state-changing request without the session's CSRF token, or with a wrong one.",
	},
	wrong_password: { status: 403, description: "The current password given to change it is not the user's." },
	locked: {
		status: 423,
		description: "Too many wrong passwords for this user name: sign-in is refused until the lock ends.",
	},
	rate_limited: {
		status: 429,
		description:
			"Too many requests from one address within a minute: to the public API, or to sign in; or more QR ratings than allowed from one address or at one window.",
	},
	internal: { status: 500, description: "The hub failed to answer; the details are in its log, never in the answer." },
} as const satisfies Record<string, { status: number; description: string }>;

export type HttpErrorCode = keyof typeof HTTP_ERRORS;
export const HTTP_ERROR_CODES = Object.keys(HTTP_ERRORS) as HttpErrorCode[];

export function isHttpErrorCode(code: unknown): code is HttpErrorCode {
	return typeof code === "string" && Object.hasOwn(HTTP_ERRORS, code);
}

/** Errors of the plugins we use, by their code: ours, with a message for people. */
export const PLUGIN_ERRORS: Record<string, { code: HttpErrorCode; message: string }> = {
	// @fastify/csrf-protection
	FST_CSRF_MISSING_SECRET: {
		code: "bad_csrf_token",
		message: "no CSRF secret in this session: load the page (or GET /api/v1/session) again and use its token",
	},
	FST_CSRF_INVALID_TOKEN: {
		code: "bad_csrf_token",
		message: "missing or wrong CSRF token: send the session's token as x-csrf-token (or the form's _csrf)",
	},
};

/** An error a handler throws for the app's one error handler to answer with its code and status. */
export class HttpError extends Error {
	readonly statusCode: number;
	constructor(
		readonly code: HttpErrorCode,
		message: string,
		/** Headers the answer carries (e.g. `www-authenticate`, `retry-after`). */
		readonly headers: Record<string, string> = {},
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
		super("rate_limited", message, { "retry-after": String(retryAfterS) });
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
