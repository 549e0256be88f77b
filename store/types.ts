/** The store interface every backend implements (write side for ingest, read side for the hub). */
import type { Kind } from "../core/contract.ts";

/** One accepted event as stored: where it came from, when, and its payload as received. */
export interface StoredEvent {
	id: string;
	centre: string;
	node: string;
	kind: Kind;
	/** Edge time, epoch ms (the payload's `ts`). */
	ts: number;
	/** Hub receive time, epoch ms. */
	rxTs: number;
	data: Record<string, unknown>;
}

export interface EventStore {
	readonly name: string;
	/**
	 * Write a batch; resolves once it is durable. Events whose id is already stored are skipped:
	 * the result says, per input event, whether it was new.
	 */
	append(events: readonly StoredEvent[]): Promise<boolean[]>;
	/** Raw events of a centre with fromTs <= ts < toTs, in time order (to rebuild live state). */
	readRange(centre: string, fromTs: number, toTs: number): Promise<StoredEvent[]>;
	/** Number of stored events, optionally of one centre and/or kind. */
	count(filter?: { centre?: string; kind?: Kind }): Promise<number>;
	close(): Promise<void>;
}
