/**
 * Ingest: decode → deduplicate by event id → make durable (group commit) → update live state.
 * `handle` resolves only once the event is on this machine's disk — in the store when it is
 * local (SQLite) and healthy, otherwise in the spool — so the broker acknowledges it afterwards.
 * Bad input is counted and logged, never thrown.
 */
import type { CentreIndex } from "../core/centre.ts";
import type { ClockPolicy } from "../core/clock.ts";
import { KINDS, type WireEvent } from "../core/contract.ts";
import { type DecodeOptions, decode } from "../core/decode.ts";
import type { Derivation } from "../core/derive.ts";
import { parseEventTopic } from "../core/topic.ts";
import type { Derived, EventStore, StoredEvent } from "../store/types.ts";
import { NodeClocks } from "./clocks.ts";
import type { Forwarder } from "./forwarder.ts";
import type { Logger } from "./logger.ts";
import type { Metrics } from "./metrics.ts";
import { RecentIds } from "./recentIds.ts";
import { RejectLog } from "./rejectLog.ts";
import type { Spool } from "./spool.ts";

/** `cleared`: an empty retained message that removes a node's state (forwarded, not stored). */
export type IngestResult = "accepted" | "duplicate" | "rejected" | "cleared";

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
	/** Most events in one durable batch (more wait for the next, written while this one syncs). Default 1000. */
	maxBatch?: number;
	/** What a node's `ts` may be against its arrival (default core/clock.ts DEFAULT_CLOCK_POLICY). */
	clock?: ClockPolicy;
}

type Prepared = ReturnType<IngestOptions["live"]["prepare"]>;

const noop = () => {};

interface Pending {
	event: WireEvent;
	stored: StoredEvent;
	resolve: (r: IngestResult) => void;
	reject: (e: Error) => void;
}

export class Ingest {
	/** Ids in flight (with their promise) and done lately. */
	private readonly recent: RecentIds<Promise<IngestResult>>;
	private pending: Pending[] = [];
	private scheduled = false;
	/** Batches handed to the store or spool and not yet settled. */
	private batches = 0;
	/**
	 * Where the last batch went: straight to the store, handed to the spool, or waiting for the
	 * batches before it to settle (then spooled).
	 */
	private lastPath: "store" | "spool" | "waiting" = "store";
	/** Settles when every batch so far has been written (or failed); never rejects. */
	private written: Promise<unknown> = Promise.resolve();
	/** Settles when every batch so far has been settled. */
	private tail: Promise<void> = Promise.resolve();
	private readonly maxBatch: number;
	private readonly decodeOptions: DecodeOptions;
	private readonly rejects: RejectLog;
	private readonly now: () => number;
	private readonly clocks: NodeClocks;

	constructor(private readonly opts: IngestOptions) {
		this.clocks = new NodeClocks(opts.metrics, opts.clock);
		this.recent = new RecentIds(opts.recentIds ?? 100_000);
		this.rejects = new RejectLog(opts.log);
		this.now = opts.now ?? Date.now;
		this.maxBatch = opts.maxBatch ?? 1000;
		this.decodeOptions = { centre: (id) => opts.centres.get(id) };
	}

	/**
	 * Handle one published message. `stampNow` replaces the edge time with the receive time:
	 * used for a Last Will, whose payload was written when the node connected.
	 */
	handle(
		topic: string,
		payload: Uint8Array,
		from?: { client?: string; stampNow?: boolean; retain?: boolean },
	): Promise<IngestResult> {
		const { metrics } = this.opts;
		const rxTs = this.now();
		if (from?.retain && payload.byteLength === 0 && isStateTopic(topic)) {
			// MQTT-3.3.1-10/11: an empty retained message removes the retained one. On a state
			// topic that is how a node taken out of service stops being shown online (or offline)
			// forever; it is not an event, so nothing is stored.
			this.opts.log.info({ topic, client: from.client }, "retained state cleared");
			return Promise.resolve("cleared");
		}
		const d = decode(topic, payload, this.decodeOptions);
		if (!d.ok) {
			metrics.messages.inc({ result: "rejected", reason: d.reason });
			this.rejects.report(d.reason, d.detail, { topic, client: from?.client }, rxTs);
			return Promise.resolve("rejected");
		}
		const event = d.event;
		const placed = this.placeInTime(event, rxTs, from?.stampNow === true, topic, from?.client);
		if (placed === "rejected") return Promise.resolve("rejected");
		const id = event.data.id;
		const seen = this.recent.get(id);
		if (seen) return seen.then(() => this.duplicate());
		if (seen === null) return Promise.resolve(this.duplicate());

		metrics.ingestLag.observe(Math.max(0, rxTs - event.data.ts) / 1000);
		const stored: StoredEvent = {
			id,
			centre: event.centre,
			node: event.node,
			kind: event.kind,
			ts: event.data.ts,
			rxTs,
			data: event.data as unknown as Record<string, unknown>,
			// The payload's own text, unless its time was just replaced.
			dataJson: placed === "moved" ? undefined : d.text,
		};
		const p = new Promise<IngestResult>((resolve, reject) => {
			this.pending.push({ event, stored, resolve, reject });
		});
		// In flight until its batch is settled (a repeat meanwhile waits for it), then done.
		this.recent.begin(id, p);
		this.schedule();
		return p;
	}

	/**
	 * Put the event on the hub's time line (core/clock.ts): a Will at its arrival (its payload was
	 * written at connect), others never after their arrival; too old is refused. Changes
	 * `event.data.ts`.
	 */
	private placeInTime(
		event: WireEvent,
		rxTs: number,
		isWill: boolean,
		topic: string,
		client: string | undefined,
	): "kept" | "moved" | "rejected" {
		if (isWill) {
			event.data.ts = rxTs;
			return "moved";
		}
		const placed = this.clocks.place(event, rxTs);
		if (!placed.ok) {
			this.opts.metrics.messages.inc({ result: "rejected", reason: placed.reason });
			this.rejects.report(placed.reason, placed.detail, { topic, client }, rxTs);
			return "rejected";
		}
		if (placed.ts === event.data.ts) return "kept";
		event.data.ts = placed.ts;
		return "moved";
	}

	private duplicate(): IngestResult {
		this.opts.metrics.messages.inc({ result: "duplicate", reason: "" });
		return "duplicate";
	}

	/**
	 * Group commit: everything that arrived while earlier batches were being written goes into the
	 * next one. Batches are pipelined: a batch is derived and handed to the store while the one
	 * before it is still being synced, and they settle in order.
	 */
	private schedule() {
		if (this.scheduled) return;
		this.scheduled = true;
		setImmediate(this.flushAll);
	}

	private readonly flushAll = () => {
		this.scheduled = false;
		while (this.pending.length > 0) {
			const batch = this.pending.length > this.maxBatch ? this.pending.splice(0, this.maxBatch) : this.pending;
			if (batch === this.pending) this.pending = [];
			this.flush(batch);
		}
	};

	private flush(batch: Pending[]) {
		const { live } = this.opts;
		const events: WireEvent[] = new Array(batch.length);
		for (let i = 0; i < batch.length; i++) events[i] = (batch[i] as Pending).event;
		const prepared = live.prepare(events);
		const stored: StoredEvent[] = new Array(batch.length);
		for (let i = 0; i < batch.length; i++) {
			stored[i] = withDerived((batch[i] as Pending).stored, prepared.derived[i] ?? {});
		}
		this.batches++;
		const done = this.persist(stored);
		this.tail = done.then(
			(fresh) => this.settle(batch, prepared, fresh),
			(err) => this.refuse(batch, prepared, err as Error),
		);
	}

	private settle(batch: Pending[], prepared: Prepared, fresh: (boolean | null)[]) {
		this.batches--;
		const { metrics } = this.opts;
		metrics.storeBatch.observe(batch.length);
		const isNew = fresh.map((f) => f !== false);
		let accepted = 0;
		for (let i = 0; i < batch.length; i++) {
			const p = batch[i] as Pending;
			this.recent.done(p.stored.id);
			if (isNew[i]) {
				accepted++;
				p.resolve("accepted");
			} else p.resolve(this.duplicate());
		}
		metrics.messages.inc({ result: "accepted", reason: "" }, accepted);
		prepared.commit(isNew);
		if (accepted > 0) this.opts.afterAccept?.(batch.filter((_, i) => isNew[i]).map((p) => p.event));
	}

	private refuse(batch: Pending[], prepared: Prepared, err: Error) {
		this.batches--;
		// Neither the store nor the local spool could take the batch: refuse it (no PUBACK),
		// the nodes keep the events in their outboxes and send them again.
		this.opts.log.error({ err, events: batch.length }, "could not make events durable; not acknowledged");
		prepared.commit(batch.map(() => false));
		for (const p of batch) {
			this.recent.forget(p.stored.id);
			p.reject(err);
		}
	}

	/**
	 * Straight into a local store while it is healthy and nothing waits in the spool (so order
	 * holds); otherwise into the spool, which the forwarder drains into the store. A batch goes to
	 * the spool behind every batch before it — at once when those went to the spool too (it writes
	 * in the order it is given), otherwise once they have settled — so spooled events never
	 * overtake earlier ones; a batch the store fails (or refuses because an earlier one failed) is
	 * spooled in its turn.
	 */
	private persist(events: StoredEvent[]): Promise<(boolean | null)[]> {
		const { store, forwarder, metrics } = this.opts;
		const prev = this.written;
		const alone = this.batches === 1;
		let done: Promise<(boolean | null)[]>;
		if (store.localDurable && !forwarder.busy && (alone || this.lastPath === "store")) {
			this.lastPath = "store";
			const stop = metrics.storeWrite.startTimer({ store: store.name });
			done = store.append(events).then(
				(fresh) => {
					stop();
					metrics.storeLag.observe(Math.max(0, this.now() - (events[0]?.rxTs ?? 0)) / 1000);
					return fresh;
				},
				(err) => {
					metrics.storeErrors.inc();
					this.opts.log.warn(
						{ err: (err as Error).message, events: events.length },
						`store ${store.name} failed; spooling`,
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

	private async spoolNow(events: StoredEvent[]): Promise<(boolean | null)[]> {
		const fresh = await this.opts.spool.addAsync(events);
		this.opts.forwarder.kick();
		return fresh;
	}

	/** Wait until everything handed in so far is written. */
	async drain(): Promise<void> {
		while (this.scheduled || this.pending.length > 0 || this.batches > 0) {
			if (this.pending.length > 0 && !this.scheduled) this.flushAll();
			if (!this.scheduled) await this.tail;
			// Let the event loop turn (a scheduled flush, a batch not yet settled).
			if (this.scheduled || this.batches > 0) await new Promise<void>((resolve) => setImmediate(resolve));
		}
	}
}

function isStateTopic(topic: string): boolean {
	const t = parseEventTopic(topic);
	return t.ok && KINDS[t.kind].retained;
}

/**
 * The stored form carries the derived values (set on `e`, which ingest owns); a rating also names
 * its window, service and ticket (in a copy of the payload: the wire event keeps its own).
 */
function withDerived(e: StoredEvent, d: Derivation): StoredEvent {
	if (d.wait_s !== undefined || d.service_s !== undefined || d.count !== undefined) {
		const numbers: Derived = {};
		if (d.wait_s !== undefined) numbers.wait_s = d.wait_s;
		if (d.service_s !== undefined) numbers.service_s = d.service_s;
		if (d.count !== undefined) numbers.count = d.count;
		e.derived = numbers;
	}
	const rating = d.rating;
	if (rating) {
		e.dataJson = undefined;
		e.data = {
			...e.data,
			window: e.data.window ?? rating.window,
			scale: e.data.scale ?? rating.scale,
			...(rating.service && e.data.service === undefined ? { service: rating.service } : {}),
			...(rating.ticket && e.data.ticket === undefined ? { ticket: rating.ticket } : {}),
		};
	}
	return e;
}
