/**
 * Ingest: decode → deduplicate by event id → make durable (group commit) → update live state.
 * `handle` resolves only once the event is on disk, so the broker acknowledges it afterwards.
 * Bad input is counted and logged, never thrown.
 */
import type { CentreIndex } from "../core/centre.ts";
import type { WireEvent } from "../core/contract.ts";
import { decode } from "../core/decode.ts";
import type { EventStore, StoredEvent } from "../store/types.ts";
import type { Logger } from "./logger.ts";
import type { Metrics } from "./metrics.ts";
import { RecentIds } from "./recentIds.ts";
import { RejectLog } from "./rejectLog.ts";

export type IngestResult = "accepted" | "duplicate" | "rejected";

export interface IngestOptions {
	centres: ReadonlyMap<string, CentreIndex>;
	store: EventStore;
	metrics: Metrics;
	log: Logger;
	/** Called with each batch of newly stored events, in arrival order. */
	onAccepted: (events: WireEvent[]) => void;
	now?: () => number;
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
		this.inflight.set(id, p);
		const forget = () => this.inflight.delete(id);
		p.then(forget, forget);
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
		const { store, metrics } = this.opts;
		const stop = metrics.storeWrite.startTimer({ store: store.name });
		let fresh: boolean[];
		try {
			fresh = await store.append(batch.map((p) => p.stored));
		} catch (err) {
			metrics.storeErrors.inc();
			this.opts.log.error({ err, events: batch.length }, "store write failed; events not acknowledged");
			for (const p of batch) p.reject(err as Error);
			return;
		}
		stop();
		metrics.storeBatch.observe(batch.length);
		const accepted: WireEvent[] = [];
		batch.forEach((p, i) => {
			this.recent.add(p.stored.id);
			if (fresh[i]) {
				metrics.messages.inc({ result: "accepted", reason: "" });
				accepted.push(p.event);
				p.resolve("accepted");
			} else p.resolve(this.duplicate());
		});
		if (accepted.length > 0) this.opts.onAccepted(accepted);
	}

	/** Wait until everything handed in so far is written. */
	async drain(): Promise<void> {
		while (this.flushing || this.pending.length > 0) {
			if (!this.flushing) this.schedule();
			await this.flushing;
		}
	}
}
