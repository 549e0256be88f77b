/**
 * Registry of the edge node's own error codes, documented in docs/errors.md ("Edge node errors");
 * a test checks that the two lists agree.
 *
 * The queue bridge (edge/bridge.ts) answers an error as `{"error":{"code","message"}}`, the one
 * envelope of vikno's HTTP APIs (core/errorBody.ts), with `status` as its HTTP status.
 */
export const EDGE_ERRORS = {
	// ── The queue bridge's answers (HTTP) ──
	unauthorized: {
		status: 401,
		description: "The bridge has a token and the request's bearer token is missing or wrong.",
	},
	not_found: { status: 404, description: "There is no such path on the bridge." },
	method_not_allowed: { status: 405, description: "The path takes another method (events are POSTed)." },
	too_large: { status: 413, description: "The request body is larger than 16 KiB." },
	not_json: { status: 400, description: "The request body is not JSON." },
	schema: {
		status: 400,
		description: "The body does not match the endpoint's schema, or names no window or zone where the node has none.",
	},
	outbox_full: {
		status: 503,
		description: "The node's outbox is full and set to refuse new events: the hub has not acknowledged for long.",
	},
	internal: { status: 500, description: "The bridge failed to answer; the details are in the node's log." },
	// ── Commands from the hub (…/{node}/cmd/…) the node refuses: logged with the code, no HTTP status ──
} as const satisfies Record<string, { status?: number; description: string }>;

export type EdgeErrorCode = keyof typeof EDGE_ERRORS;
export const EDGE_ERROR_CODES = Object.keys(EDGE_ERRORS) as EdgeErrorCode[];

/** The codes the bridge answers over HTTP: those with a status. */
export type BridgeErrorCode = {
	[K in EdgeErrorCode]: (typeof EDGE_ERRORS)[K] extends { status: number } ? K : never;
}[EdgeErrorCode];
