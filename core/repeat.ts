/**
 * A repeat, or another event under a used id? The edge resends an event exactly as it first sent
 * it (its outbox keeps the bytes), so a stored event and a message with its id are the same event
 * when they come from the same node, are of the same kind and carry the same fields with the same
 * values. The stored one may hold more — what the hub added at ingest (`HUB_FIELDS`): a rating's
 * window, service, scale, ticket and source, and its `extra` marking past the burst bound. Anything else
 * is an id reused for a different event (`id_reused`, docs/errors.md).
 * Pure.
 */
import type { Kind } from "./contract.ts";

/** Payload fields the hub may add to (or set on) the stored copy of an event. */
export const HUB_FIELDS: Readonly<Record<Kind, readonly string[]>> = {
	rating: ["window", "service", "scale", "ticket", "extra", "source"],
	queue: [],
	occupancy: [],
	status: [],
	request: [],
};

export interface EventFacts {
	node: string;
	kind: Kind;
	data: Readonly<Record<string, unknown>>;
}

/**
 * Is `sent` (the known fields a node sent) the event `stored`? `ignoreTs` for a Last Will, whose
 * time the hub sets on receipt.
 */
export function sameEvent(stored: EventFacts, sent: EventFacts, opts: { ignoreTs?: boolean } = {}): boolean {
	if (stored.node !== sent.node || stored.kind !== sent.kind) return false;
	const added = HUB_FIELDS[sent.kind];
	for (const key in sent.data) {
		if (key === "ts" && opts.ignoreTs) continue;
		// The hub sets a rating's source whatever a node sent in it.
		if (key === "source" && added.includes(key)) continue;
		const was = stored.data[key];
		const now = sent.data[key];
		if (was === now) continue;
		// The hub marks a rating extra; it never takes the marking away.
		if (key === "extra" && added.includes(key) && now === false && was === true) continue;
		return false;
	}
	for (const key in stored.data) {
		if (key in sent.data || (key === "ts" && opts.ignoreTs)) continue;
		if (!added.includes(key)) return false;
	}
	return true;
}
