/**
 * Drains the spool into the store in order, in batches; on failure it waits with exponential
 * backoff and tries the same batch again. Nothing leaves the spool before the store has it.
 */
import { StoreWriteError } from "../store/errors.ts";
import type { EventStore } from "../store/types.ts";
import type { Logger } from "./logger.ts";
import type { Metrics } from "./metrics.ts";
import type { Spool } from "./spool.ts";

/** Forwarded rows past the spool's keep time are deleted at most this often. */
const PRUNE_EVERY_MS = 60_000;

export interface ForwarderOptions {
	spool: Spool;
	store: EventStore;
	metrics: Metrics;
	log: Logger;
	now?: () => number;
	batchSize?: number;
	minBackoffMs?: number;
	maxBackoffMs?: number;
}

export class Forwarder {
	private running: Promise<void> | null = null;
	private closed = false;
	private wake: (() => void) | null = null;
	private failures = 0;
	/** Narrowed while looking for an event the store refuses (see `isPoison`). */
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
		if (this.running || this.closed) return;
		this.running = this.loop().finally(() => {
			this.running = null;
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
		const { spool, store, metrics, log } = this.opts;
		const batchSize = this.opts.batchSize ?? 5000;
		while (!this.closed && spool.depth > 0) {
			const rows = spool.peek(this.limit ?? batchSize);
			const last = rows.at(-1);
			if (!last) break;
			const stop = metrics.storeWrite.startTimer({ store: store.name });
			try {
				await store.append(rows.map((r) => r.event));
			} catch (err) {
				if (isPoison(err)) {
					// One event in the batch is refused for good: halve until it is found, set it aside.
					const only = rows.length === 1 ? rows[0] : undefined;
					if (only) {
						spool.deadLetter(only.seq, (err as Error).message, this.now());
						metrics.storeRefused.inc();
						log.error(
							{ id: only.event.id, err: (err as Error).message },
							"the store refused an event for good; kept in the spool's dead letters",
						);
						this.limit = undefined;
					} else this.limit = Math.max(1, Math.floor(rows.length / 2));
					continue;
				}
				this.failures++;
				metrics.storeErrors.inc();
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
				continue;
			}
			stop();
			// Past the refused event: back to full batches.
			if (this.limit !== undefined && rows.length === this.limit && this.limit > 1) this.limit = undefined;
			if (this.failures > 0)
				log.info({ store: store.name, spooled: spool.depth }, "store reachable again; draining the spool");
			this.failures = 0;
			const now = this.now();
			// Per batch, the longest wait in it: the first event's (they are in order of receipt).
			metrics.storeLag.observe(Math.max(0, now - (rows[0]?.event.rxTs ?? now)) / 1000);
			if (store.localDurable) spool.forwarded(last.seq, now, true);
			else await spool.forwardedAsync(last.seq, now);
			metrics.spoolDepth.set(spool.depth);
		}
		if (!store.localDurable && this.now() - this.prunedAt >= PRUNE_EVERY_MS) {
			this.prunedAt = this.now();
			spool.prune(this.prunedAt);
		}
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

/**
 * A write the store rejects because of the data itself (HTTP 400: e.g. a field type conflict in
 * InfluxDB). Bad credentials or a missing bucket (401/403/404) are a configuration problem for
 * every event: those are retried with backoff (and logged) until someone fixes the configuration.
 */
function isPoison(err: unknown): boolean {
	return err instanceof StoreWriteError && (err.status === 400 || err.status === 422);
}
