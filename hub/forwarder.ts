/**
 * Drains the spool into the store in order, in batches, two on their way at a time (the next is
 * read and sent while the store takes one). A batch is marked forwarded only once the store has
 * it and every batch before it. On failure it waits with exponential backoff and tries again from
 * the first batch not marked. Nothing leaves the spool before the store has it.
 */

import type { Log } from "../core/log.ts";
import { isRowError } from "../store/errors.ts";
import type { Spool } from "../store/spool.ts";
import type { EventStore } from "../store/types.ts";
import type { HealthWatch } from "./health.ts";
import type { Metrics } from "./metrics.ts";

/** A batch read from the spool: how many events, and the first and last of them. */
interface SpoolBatch {
	n: number;
	firstSeq: number;
	lastSeq: number;
	firstId: string;
	firstRxTs: number;
}

interface Forwarding {
	batch: SpoolBatch;
	/** Settles when the store has the batch; rejects with the store's error. */
	written: Promise<void>;
}

/** Batches on their way to the store at once. */
const IN_FLIGHT = 2;
/** Forwarded rows past the spool's keep time are deleted at most this often. */
const PRUNE_EVERY_MS = 60_000;

export interface ForwarderOptions {
	spool: Spool;
	store: EventStore;
	metrics: Metrics;
	log: Log;
	now?: () => number;
	batchSize?: number;
	minBackoffMs?: number;
	maxBackoffMs?: number;
	/** Told when the store fails and when it writes again (hub/health.ts). */
	watch?: HealthWatch;
}

export class Forwarder {
	private running: Promise<void> | null = null;
	/** Events were spooled while the loop ran: it looks again once it ends. */
	private again = false;
	private closed = false;
	private wake: (() => void) | null = null;
	private failures = 0;
	/** Narrowed while looking for an event the store refuses (see `isRowError`). */
	private limit: number | undefined;
	private readonly now: () => number;
	private prunedAt = Number.NEGATIVE_INFINITY;

	constructor(private readonly opts: ForwarderOptions) {
		this.now = opts.now ?? Date.now;
	}

	/** True while events wait in the spool or a batch is on its way. */
	get busy(): boolean {
		return this.running !== null || this.opts.spool.depth > 0;
	}

	kick(): void {
		this.opts.metrics.spoolDepth.set(this.opts.spool.depth);
		if (this.closed) return;
		if (this.running) {
			// The loop may be past its last look at the spool: it goes round once more.
			this.again = true;
			return;
		}
		this.running = this.loop().finally(() => {
			this.running = null;
			if (this.again && !this.closed) this.kick();
		});
	}

	/** Resolves when the spool is empty (or the forwarder is closed). */
	async idle(): Promise<void> {
		while (this.running) await this.running;
	}

	async close(): Promise<void> {
		this.closed = true;
		this.wake?.();
		await this.idle();
	}

	private async loop(): Promise<void> {
		const { spool, store, metrics } = this.opts;
		const batchSize = this.opts.batchSize ?? 5000;
		const inFlight: { forwarding: Forwarding; stop: () => void }[] = [];
		let after = spool.forwardedUpTo;
		let exhausted = false;
		let marking: Promise<void> = Promise.resolve();
		while (!this.closed) {
			this.again = false;
			// Keep up to two batches on their way: the next is read and sent while the store takes one.
			// While narrowing down a refused event, one at a time: a store may write two appends in
			// one request (InfluxDB's batcher), and then both fail for one event.
			const most = this.limit === undefined ? IN_FLIGHT : 1;
			while (!this.closed && !exhausted && inFlight.length < most) {
				const stop = metrics.storeWrite.startTimer({ store: store.name });
				const forwarding = this.forward(after, this.limit ?? batchSize);
				if (!forwarding) {
					exhausted = true;
					break;
				}
				after = forwarding.batch.lastSeq;
				inFlight.push({ forwarding, stop });
			}
			const head = inFlight.shift();
			if (!head) break;
			const { batch, written } = head.forwarding;
			try {
				await written;
			} catch (err) {
				// The batches behind it are dropped: their events are still waiting and go again (the
				// store takes a repeated event as the same one).
				const alone = inFlight.length === 0;
				await Promise.allSettled(inFlight.map((f) => f.forwarding.written));
				inFlight.length = 0;
				await marking;
				await this.failed(batch, err, alone);
				after = spool.forwardedUpTo;
				exhausted = false;
				continue;
			}
			head.stop();
			this.succeeded(batch);
			// Marked in order, while the next batch is read and sent.
			marking = marking.then(() => this.mark(batch));
			exhausted = false; // more may have arrived meanwhile
		}
		// Closed with batches on their way: they are not marked, so they go again next time.
		await Promise.allSettled(inFlight.map((f) => f.forwarding.written));
		await marking;
		if (!store.localDurable && this.now() - this.prunedAt >= PRUNE_EVERY_MS) {
			this.prunedAt = this.now();
			spool.prune(this.prunedAt);
		}
	}

	/** Read up to `limit` waiting events with a seq above `after` and start writing them; null when none wait. */
	private forward(after: number, limit: number): Forwarding | null {
		const rows = this.opts.spool.peek(limit, after);
		const first = rows[0];
		const last = rows.at(-1);
		if (!first || !last) return null;
		const batch = {
			n: rows.length,
			firstSeq: first.seq,
			lastSeq: last.seq,
			firstId: first.event.id,
			firstRxTs: first.event.rxTs,
		};
		const written = this.opts.store.append(rows.map((r) => r.event)).then(() => {});
		// Awaited in order by the loop; never an unhandled rejection meanwhile.
		written.catch(() => {});
		return { batch, written };
	}

	private succeeded(batch: SpoolBatch) {
		const { spool, store, metrics, log } = this.opts;
		// Past the refused event: back to full batches.
		if (this.limit !== undefined && batch.n === this.limit && this.limit > 1) this.limit = undefined;
		if (this.failures > 0)
			log.info({ store: store.name, spooled: spool.depth }, "store reachable again; draining the spool");
		this.failures = 0;
		this.opts.watch?.storeWrote();
		// Per batch, the longest wait in it: the first event's (they are in order of receipt).
		metrics.storeLag.observe(Math.max(0, this.now() - batch.firstRxTs) / 1000);
	}

	/** Move the spool's watermark past the batch (durably: one small synced write). */
	private async mark(batch: SpoolBatch) {
		const { spool, store, metrics } = this.opts;
		if (store.localDurable) spool.forwarded(batch.lastSeq, this.now(), true);
		else await spool.forwardedAsync(batch.lastSeq, this.now());
		metrics.spoolDepth.set(spool.depth);
	}

	/**
	 * A batch failed: narrow down a refused event, or wait and try again. `alone`: no other batch
	 * was on its way with it (only then is a refused single event surely the one refused).
	 */
	private async failed(batch: SpoolBatch, err: unknown, alone: boolean) {
		const { spool, store, metrics, log } = this.opts;
		if (isRowError(err)) {
			// One event in the batch is refused for good: halve until it is found, set it aside.
			if (batch.n === 1 && alone) {
				const reason = (err as Error).message;
				spool.deadLetter(batch.firstSeq, reason, this.now());
				metrics.storeRefused.inc();
				metrics.deadLetters.set(spool.deadLetterSummary.count);
				log.error(
					{ id: batch.firstId, err: reason },
					"the store refused an event for good; kept in the spool's dead letters",
				);
				this.limit = undefined;
			} else this.limit = Math.max(1, Math.floor(batch.n / 2));
			return;
		}
		this.failures++;
		metrics.storeErrors.inc();
		this.opts.watch?.storeFailed(err);
		const delay = Math.min(
			this.opts.maxBackoffMs ?? 30_000,
			(this.opts.minBackoffMs ?? 100) * 2 ** Math.min(this.failures - 1, 16),
		);
		if (this.failures === 1 || this.failures % 10 === 0) {
			log.warn(
				{ err: (err as Error).message, spooled: spool.depth, retryInMs: delay, failures: this.failures },
				`store ${store.name} unavailable; events kept in the spool`,
			);
		}
		await this.sleep(delay);
	}

	private sleep(ms: number): Promise<void> {
		return new Promise((resolve) => {
			const t = setTimeout(done, ms);
			function done() {
				clearTimeout(t);
				resolve();
			}
			this.wake = done;
		});
	}
}
