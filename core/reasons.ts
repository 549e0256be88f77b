/**
 * Registry of the reasons a message is rejected. Each is a metric label
 * (`vikno_messages_total{result="rejected",reason=…}`) and is documented in docs/errors.md;
 * a test checks that the two lists agree.
 */
export const REJECT_REASONS = {
	bad_topic: "The topic is not vikno/v1/{centre}/{node}/{kind} with valid ids and a known kind.",
	too_large: "The payload is larger than the limit (16 KiB).",
	not_json: "The payload is not UTF-8 JSON, or not a JSON object.",
	schema: "The payload does not match the schema of its kind (missing or mistyped field, value out of range).",
	unknown_centre: "The centre in the topic is not configured on this hub.",
	unknown_node: "The node in the topic is not in the centre's configuration.",
	wrong_role:
		"The node's role may not publish this kind or queue event (e.g. a door node publishing a rating, a terminal calling a ticket).",
	unknown_ref: "The payload names a service, window, zone or priority category the centre does not have.",
	wrong_window: "A queue event names a window other than the publishing node's own (or a window on a ticket issue).",
	implausible: "A value is beyond what the centre can hold (an occupancy far above the zone's capacity).",
	id_reused: "The event id was already used for a different event (another node, kind or payload).",
	unstorable: "The event could not be written anywhere but the dead letters (it cannot be serialised).",
	not_authorized: "The client may not publish to this topic.",
	too_old:
		"The event's time is more than 30 days before its arrival: a node clock far behind (docs/errors.md, clocks).",
} as const;

export type RejectReason = keyof typeof REJECT_REASONS;
export const REJECT_REASON_NAMES = Object.keys(REJECT_REASONS) as RejectReason[];
