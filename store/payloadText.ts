/**
 * A payload's JSON text, made together with the very object it is the text of. Ingest has the
 * payload's bytes as received; stores write them instead of serialising the payload again.
 *
 * The pair cannot go stale: a text is used only while the event's `data` is still the object it
 * was paired with — an event whose data was replaced, assigned or spread into a new event, is
 * serialised afresh — and that object is frozen when paired, so it cannot change under its text.
 */
import { serialise } from "./errors.ts";

export interface PayloadText {
	readonly data: object;
	readonly json: string;
}

/** Pair `data` with `json`, which must parse to exactly `data` (the payload as received). Freezes `data`. */
export function payloadText(data: object, json: string): PayloadText {
	return Object.freeze({ data: Object.freeze(data), json });
}

/** The JSON text of `e.data`: its paired text while it is that object, else serialised now (a RowError when it cannot be). */
export function dataText(e: { id: string; data: object; text?: PayloadText | undefined }): string {
	return e.text !== undefined && e.text.data === e.data ? e.text.json : serialise(e.data, e.id);
}

/** `e` with its text made now, when it has none for its current data (a RowError when it cannot be serialised). */
export function withText<E extends { id: string; data: object; text?: PayloadText | undefined }>(e: E): E {
	if (e.text === undefined || e.text.data !== e.data) e.text = payloadText(e.data, serialise(e.data, e.id));
	return e;
}
