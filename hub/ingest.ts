/**
 * Ingest: decode → deduplicate by event id → make durable (group commit) → update live state.
 * `handle` resolves only once the event is on this machine's disk — in the store when it is
 * local (SQLite) and healthy, otherwise in the spool — so the broker acknowledges it afterwards.
 * Bad input is counted and logged, never thrown.
 */
import type { CentreIndex } from "../core/centre.ts";
import type { WireEvent } from "../core/contract.ts";
import { decode } from "../core/decode.ts";
import type { Derivation } from "../core/derive.ts";
import type { EventStore, StoredEvent } from "../store/types.ts";
import type { Forwarder } from "./forwarder.ts";
import type { Logger } from "./logger.ts";
import type { Metrics } from "./metrics.ts";
import { RecentIds } from "./recentIds.ts";
import { RejectLog } from "./rejectLog.ts";
import type { Spool } from "./spool.ts";

export type IngestResult = "accepted" | "duplicate" | "rejected";

export interface IngestOptions {
	centres: ReadonlyMap<string, CentreIndex>;
	store: EventStore;
	metrics: Metrics;
	log: Logger;
	spool: Spool;
	forwarder: Forwarder;
	/** The live model: derives values for a batch and takes the events that were new. */
	live: {
		prepare(events: readonly WireEvent[]): { derived: Derivation[]; commit(fresh: readonly boolean[]): void };
	};
	now?: () => number;
	/** Called with the events that were new, in order, once they are durable and applied. */
	afterAccept?: (events: WireEvent[]) => void;
	/** How many recent ids are remembered in memory (the store's unique key backs it up). */
	recentIds?: number;
}

interface Pending {
	event: WireEvent;
	stored: StoredEvent;
	resolve: (r: IngestResult) => void;
	reject: (e: Error) => void;
}

export class Ingest {
	private readonly recent: RecentIds;
	private readonly inflight = new Map<string, Promise<IngestResult>>();
	private pending: Pending[] = [];
	private flushing: Promise<void> | null = null;
	private readonly rejects: RejectLog;
	private readonly now: () => number;

	constructor(private readonly opts: IngestOptions) {
		this.recent = new RecentIds(opts.recentIds ?? 100_000);
		this.rejects = new RejectLog(opts.log);
		this.now = opts.now ?? Date.now;
	}

	/**
	 * Handle one published message. `stampNow` replaces the edge time with the receive time:
	 * used for a Last Will, whose payload was written when the node connected.
	 */
	handle(topic: string, payload: Uint8Array, from?: { client?: string; stampNow?: boolean }): Promise<IngestResult> {
		const { metrics } = this.opts;
		const rxTs = this.now();
		const d = decode(topic, payload, { centre: (id) => this.opts.centres.get(id) });
		if (!d.ok) {
			metrics.messages.inc({ result: "rejected", reason: d.reason });
			this.rejects.report(d.reason, d.detail, { topic, client: from?.client }, rxTs);
			return Promise.resolve("rejected");
		}
		const event = d.event;
		if (from?.stampNow) event.data.ts = rxTs;
		const id = event.data.id;
		const inflight = this.inflight.get(id);
		if (inflight) return inflight.then(() => this.duplicate());
		if (this.recent.has(id)) return Promise.resolve(this.duplicate());

		metrics.ingestLag.observe(Math.max(0, rxTs - event.data.ts) / 1000);
		const stored: StoredEvent = {
			id,
			centre: event.centre,
			node: event.node,
			kind: event.kind,
			ts: event.data.ts,
			rxTs,
			data: event.data as unknown as Record<string, unknown>,
		};
		const p = new Promise<IngestResult>((resolve, reject) => {
			this.pending.push({ event, stored, resolve, reject });
		});
		// Removed again when its batch is settled (flush), so a repeat of the id waits for it.
		this.inflight.set(id, p);
		this.schedule();
		return p;
	}

	private duplicate(): IngestResult {
		this.opts.metrics.messages.inc({ result: "duplicate", reason: "" });
		return "duplicate";
	}

	/** Group commit: everything that arrived while the previous batch was being written goes in the next. */
	private schedule() {
		if (this.flushing) return;
		this.flushing = new Promise<void>((resolve) => setImmediate(resolve))
			.then(() => this.flush())
			.finally(() => {
				this.flushing = null;
				if (this.pending.length > 0) this.schedule();
			});
	}

	private async flush() {
		const batch = this.pending;
		this.pending = [];
		if (batch.length === 0) return;
		const { metrics, live } = this.opts;
		const prepared = live.prepare(batch.map((p) => p.event));
		const stored = batch.map((p, i) => withDerived(p.stored, prepared.derived[i] ?? {}));
		let fresh: (boolean | null)[];
		try {
			fresh = await this.persist(stored);
		} catch (err) {
			// Neither the store nor the local spool could take the batch: refuse it (no PUBACK),
			// the nodes keep the events in their outboxes and send them again.
			this.opts.log.error({ err, events: batch.length }, "could not make events durable; not acknowledged");
			for (const p of batch) {
				this.inflight.delete(p.stored.id);
				p.reject(err as Error);
			}
			return;
		}
		metrics.storeBatch.observe(batch.length);
		const isNew = fresh.map((f) => f !== false);
		let accepted = 0;
		batch.forEach((p, i) => {
			this.recent.add(p.stored.id);
			this.inflight.delete(p.stored.id);
			if (isNew[i]) {
				accepted++;
				p.resolve("accepted");
			} else p.resolve(this.duplicate());
		});
		metrics.messages.inc({ result: "accepted", reason: "" }, accepted);
		prepared.commit(isNew);
		if (accepted > 0) this.opts.afterAccept?.(batch.filter((_, i) => isNew[i]).map((p) => p.event));
	}

	/**
	 * Straight into a local store while it is healthy and nothing waits in the spool (so order
	 * holds); otherwise into the spool, which the forwarder drains into the store.
	 */
	private async persist(events: StoredEvent[]): Promise<(boolean | null)[]> {
		const { store, spool, forwarder, metrics } = this.opts;
		if (store.localDurable && !forwarder.busy) {
			const stop = metrics.storeWrite.startTimer({ store: store.name });
			try {
				const fresh = await store.append(events);
				stop();
				metrics.storeLag.observe(0);
				return fresh;
			} catch (err) {
				metrics.storeErrors.inc();
				this.opts.log.warn(
					{ err: (err as Error).message, events: events.length },
					`store ${store.name} failed; spooling`,
				);
			}
		}
		const fresh = spool.add(events);
		forwarder.kick();
		return fresh;
	}

	/** Wait until everything handed in so far is written. */
	async drain(): Promise<void> {
		while (this.flushing || this.pending.length > 0) {
			if (!this.flushing) this.schedule();
			await this.flushing;
		}
	}
}

/** The stored form carries the derived values; a rating also names its window, service and ticket. */
function withDerived(e: StoredEvent, d: Derivation): StoredEvent {
	const { rating, ...numbers } = d;
	const out: StoredEvent = Object.keys(numbers).length ? { ...e, derived: numbers } : e;
	if (rating) {
		out.data = {
			...e.data,
			window: e.data.window ?? rating.window,
			scale: e.data.scale ?? rating.scale,
			...(rating.service && e.data.service === undefined ? { service: rating.service } : {}),
			...(rating.ticket && e.data.ticket === undefined ? { ticket: rating.ticket } : {}),
		};
	}
	return out;
}
