/**
 * A stored event as a row of columns — `id, centre, node, kind, ts, rx_ts, data, derived`, the
 * payload and the derived values as JSON text — and back. The SQLite store's `events` table and
 * the hub's spool keep events this way. A payload that is already text (`StoredEvent.text`, made
 * by ingest from the bytes received) is written as it is, not serialised again.
 */
import type { Kind } from "../core/contract.ts";
import { serialise } from "./errors.ts";
import { dataText } from "./payloadText.ts";
import type { StoredEvent } from "./types.ts";

/** The columns, in the order `pushEventRow` gives their values. */
export const EVENT_COLUMNS = ["id", "centre", "node", "kind", "ts", "rx_ts", "data", "derived"] as const;

/** A row read back. */
export interface EventRow {
	id: string;
	centre: string;
	node: string;
	kind: string;
	ts: number;
	rx_ts: number;
	data: string;
	derived: string | null;
}

/** The derived values as JSON, or null when there are none. */
function derivedJson(e: StoredEvent): string | null {
	const d = e.derived;
	if (!d) return null;
	for (const _ in d) return serialise(d, e.id);
	return null;
}

/**
 * Append the row's values (EVENT_COLUMNS order) to `values`: no array of its own per event.
 * `data`: the payload column, by default the payload's text (a RowError when it cannot be made).
 */
export function pushEventRow(values: unknown[], e: StoredEvent, data: string = dataText(e)): void {
	values.push(e.id, e.centre, e.node, e.kind, e.ts, e.rxTs, data, derivedJson(e));
}

export function eventFromRow(r: EventRow): StoredEvent {
	const e: StoredEvent = {
		id: r.id,
		centre: r.centre,
		node: r.node,
		kind: r.kind as Kind,
		ts: r.ts,
		rxTs: r.rx_ts,
		data: JSON.parse(r.data),
	};
	if (r.derived) e.derived = JSON.parse(r.derived);
	return e;
}
