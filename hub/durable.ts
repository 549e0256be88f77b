/**
 * Where ingest's batches go to be durable, one step after another:
 *
 *   1. text: every event's row is made now (its payload as JSON text); one that cannot be made
 *      (a value nested too deep to serialise) is kept among the spool's dead letters with the
 *      payload as received, and left out of the batch — no single event can fail its batch;
 *   2. write: straight into a local store while it is healthy, else into the spool (in order);
 *   3. repeats: for an id the store or the spool already had, the row it has, so ingest can tell
 *      a repeat from an id reused for another event (read from the same local file, at once). A
 *      batch that went to the spool while a local store was failing is also looked up in the
 *      store: an id only the store has is "there", not new (and not counted live twice).
 *
 * A batch the store refuses because of one event's row (a constraint, HTTP 400) is spooled like
 * any failed batch; the forwarder narrows it down and sets that event aside (hub/forwarder.ts).
 * Only when even the spool cannot be written (the disk is gone) does the whole batch fail.
 */

import type { Log } from "../core/log.ts";
import { isRowError, serialise } from "../store/errors.ts";
import { withText } from "../store/payloadText.ts";
import type { Spool } from "../store/spool.ts";
import type { EventStore, StoredEvent } from "../store/types.ts";
import type { Forwarder } from "./forwarder.ts";
import type { HealthWatch } from "./health.ts";
import type { Metrics } from "./metrics.ts";

/** Per event: new, already there (a repeat or a reused id), or kept as a dead letter (why). */
export type Outcome = "new" | "there" | { dead: string };

export interface Written {
	outcomes: Outcome[];
	/** The stored rows behind the events that were already there, by id (where the backend can say). */
	rows: ReadonlyMap<string, StoredEvent>;
}

export interface DurableOptions {
	store: EventStore;
	spool: Spool;
	forwarder: Forwarder;
	metrics: Metrics;
	log: Log;
	now: () => number;
	/** Told when the store fails and when it writes again (hub/health.ts). */
	watch?: HealthWatch;
}

const noop = () => {};

/** Per event whether it was new; where the batch went; rows a local store had for spooled events. */
interface Persisted {
	fresh: (boolean | null)[];
	via: "store" | "spool";
	known?: Map<string, StoredEvent>;
}

export class Durable {
	/** Batches handed in and not yet written (or failed). */
	private batches = 0;
	/**
	 * Where the last batch went: straight to the store, handed to the spool, or waiting for the
	 * batches before it to settle (then spooled).
	 */
	private lastPath: "store" | "spool" | "waiting" = "store";
	/** Settles when every batch so far has been written (or failed); never rejects. */
	private written: Promise<unknown> = Promise.resolve();

	constructor(private readonly opts: DurableOptions) {}

	/** Batches on their way. */
	get pending(): number {
		return this.batches;
	}

	/**
	 * Make a batch durable. `texts[i]`: event i's payload as received (kept for a dead letter).
	 * Rejects only when neither the store nor the spool could take it.
	 */
	async write(events: StoredEvent[], texts: readonly string[]): Promise<Written> {
		this.batches++;
		try {
			const outcomes: Outcome[] = new Array(events.length);
			const writing = this.text(events, texts, outcomes);
			const { fresh, via, known } = await this.persist(writing);
			let j = 0;
			const there: string[] = [];
			for (let i = 0; i < events.length; i++) {
				if (outcomes[i] !== undefined) continue;
				const f = fresh[j++];
				outcomes[i] = f === false ? "there" : "new";
				if (f === false) there.push((events[i] as StoredEvent).id);
			}
			const rows = this.lookup(known ? there.filter((id) => !known.has(id)) : there, via);
			for (const [id, row] of known ?? []) rows.set(id, row);
			return { outcomes, rows };
		} finally {
			this.batches--;
		}
	}

	/** Step 1: every row's text, or its event kept as a dead letter; the events that go on. */
	private text(events: StoredEvent[], texts: readonly string[], outcomes: Outcome[]): StoredEvent[] {
		let rows: StoredEvent[] | undefined;
		for (let i = 0; i < events.length; i++) {
			const e = events[i] as StoredEvent;
			try {
				withText(e);
				if (e.derived) serialise(e.derived, e.id);
				rows?.push(e);
			} catch (err) {
				const reason = (err as Error).message;
				this.opts.spool.keepDead(e, texts[i] ?? "", reason, this.opts.now());
				this.opts.metrics.deadLetters.set(this.opts.spool.deadLetterSummary.count);
				outcomes[i] = { dead: reason };
				rows ??= events.slice(0, i);
			}
		}
		return rows ?? events;
	}

	/** Step 3: the rows behind ids already there, from the file that said so. */
	private lookup(ids: string[], via: "store" | "spool"): Map<string, StoredEvent> {
		const out = new Map<string, StoredEvent>();
		if (ids.length === 0) return out;
		try {
			const found = via === "store" ? this.opts.store.lookup?.(ids) : this.opts.spool.lookup(ids);
			for (const e of found ?? []) out.set(e.id, e);
		} catch (err) {
			// Not knowing only means a reused id passes as a repeat (or, spooled, as new), as before.
			this.opts.log.debug({ err: (err as Error).message, via }, "could not read back the rows of repeated ids");
		}
		return out;
	}

	/**
	 * Step 2: straight into a local store while it is healthy and nothing waits in the spool (so
	 * order holds); otherwise into the spool, which the forwarder drains into the store. A batch
	 * goes to the spool behind every batch before it — at once when those went to the spool too (it
	 * writes in the order it is given), otherwise once they have settled — so spooled events never
	 * overtake earlier ones; a batch the store fails (or refuses because an earlier one failed) is
	 * spooled in its turn.
	 */
	private persist(events: StoredEvent[]): Promise<Persisted> {
		const { store, forwarder, metrics } = this.opts;
		const prev = this.written;
		const alone = this.batches === 1;
		let done: Promise<Persisted>;
		if (store.localDurable && !forwarder.busy && (alone || this.lastPath === "store")) {
			this.lastPath = "store";
			const stop = metrics.storeWrite.startTimer({ store: store.name });
			done = store.append(events).then(
				(fresh) => {
					stop();
					this.opts.watch?.storeWrote();
					metrics.storeLag.observe(Math.max(0, this.opts.now() - (events[0]?.rxTs ?? 0)) / 1000);
					return { fresh, via: "store" as const };
				},
				(err) => {
					metrics.storeErrors.inc();
					if (!isRowError(err)) this.opts.watch?.storeFailed(err);
					this.opts.log.warn(
						{ err: (err as Error).message, events: events.length },
						isRowError(err)
							? `store ${store.name} refused a row of the batch; spooling (the forwarder sets that event aside)`
							: `store ${store.name} failed; spooling`,
					);
					this.lastPath = "waiting";
					return prev.then(() => this.spoolNow(events));
				},
			);
		} else if (alone || this.lastPath === "spool") {
			// The spool writes batches in the order they are handed to it.
			this.lastPath = "spool";
			done = this.spoolNow(events);
		} else {
			this.lastPath = "waiting";
			done = prev.then(() => this.spoolNow(events));
		}
		this.written = done.then(noop, noop);
		return done;
	}

	/**
	 * Into the spool — but not an event a local store already has (read at once, before the batch is
	 * spooled: the store may be locked for writing, not for reading): that one is "there".
	 */
	private async spoolNow(events: StoredEvent[]): Promise<Persisted> {
		const known = this.opts.store.lookup
			? this.lookup(
					events.map((e) => e.id),
					"store",
				)
			: undefined;
		const spooling = known?.size ? events.filter((e) => !known.has(e.id)) : events;
		const added = await this.opts.spool.addAsync(spooling);
		this.opts.forwarder.kick();
		if (spooling === events) return { fresh: added, via: "spool" };
		let k = 0;
		const fresh = events.map((e) => (known?.has(e.id) ? false : (added[k++] as boolean)));
		return { fresh, via: "spool", known };
	}
}
