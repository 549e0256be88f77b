/**
 * JSON text of a stored event's parts (the SQLite store's and the spool's columns), without
 * serialising a payload that is already text (`StoredEvent.dataJson`, set by ingest).
 */
import type { StoredEvent } from "./types.ts";

/** The payload's JSON. */
export function dataJson(e: StoredEvent): string {
	return e.dataJson ?? JSON.stringify(e.data);
}

/** The event's derived values as JSON, or null when there are none. */
export function derivedJson(e: StoredEvent): string | null {
	const d = e.derived;
	if (!d) return null;
	for (const _ in d) return JSON.stringify(d);
	return null;
}
