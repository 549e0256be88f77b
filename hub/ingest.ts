/**
 * Ingest: decode → deduplicate by event id → mark rating bursts → make durable (group commit) →
 * update live state. `handle` resolves only once the event is on this machine's disk — in the
 * store when it is local (SQLite) and healthy, otherwise in the spool — so the broker acknowledges
 * it afterwards. Bad input is counted and logged, never thrown.
 */

import type { CentreIndex } from "../core/centre.ts";
import type { ClockPolicy } from "../core/clock.ts";
import { KINDS, type RatingSource, type WireEvent } from "../core/contract.ts";
import { type DecodeOptions, decode } from "../core/decode.ts";
import type { Derivation } from "../core/derive.ts";
import type { Log } from "../core/log.ts";
import { OnceLog } from "../core/onceLog.ts";
import type { RejectReason } from "../core/reasons.ts";
import { sameEvent } from "../core/repeat.ts";
import { parseEventTopic } from "../core/topic.ts";
import { payloadText } from "../store/payloadText.ts";
import type { Spool } from "../store/spool.ts";
import type { Derived, EventStore, StoredEvent } from "../store/types.ts";
import { NodeClocks } from "./clocks.ts";
import { Durable, type Written } from "./durable.ts";
import type { Forwarder } from "./forwarder.ts";
import type { HealthWatch } from "./health.ts";
import type { Metrics } from "./metrics.ts";
import { type BurstMark, RatingGuard } from "./ratingGuard.ts";
import { fingerprint, RecentIds, type Seen } from "./recentIds.ts";

/** `cleared`: an empty retained message that removes a node's state (forwarded, not stored). */
export type IngestResult = "accepted" | "duplicate" | "rejected" | "cleared";

export interface IngestOptions {
	centres: ReadonlyMap<string, CentreIndex>;
	store: EventStore;
	metrics: Metrics;
	log: Log;
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
	/** Told what ingest sees that bears on the hub's health: lag, durable or not, store failures (hub/health.ts). */
	watch?: HealthWatch;
}

type Prepared = ReturnType<IngestOptions["live"]["prepare"]>;

/** Where a message came from, as the broker hands it over. */
export interface From {
	client?: string;
	/** Replace the edge time with the receive time (a Last Will, written when the node connected). */
	stampNow?: boolean;
	retain?: boolean;
	/** Called with the payload to forward to subscribers instead of the one received (the cleaned copy). */
	replace?: (payload: Buffer) => void;
	/**
	 * The hub's own QR rating page handed this rating in (hub/qrRatings.ts), on the topic of the
	 * window's node: it is kept with `source: "qr"`. Every other rating is the buttons' (`button`),
	 * whatever its payload says.
	 */
	origin?: "qr";
}

interface Pending {
	event: WireEvent;
	stored: StoredEvent;
	/** The payload's known fields as text, as the node sent them (to compare a repeat, keep a dead letter). */
	text: string;
	topic: string;
	from: From | undefined;
	burst: BurstMark;
	/** A rating's source, as the hub sets it. */
	source: RatingSource | undefined;
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
	/** Settles when every batch so far has been settled. */
	private tail: Promise<void> = Promise.resolve();
	private readonly maxBatch: number;
	private readonly decodeOptions: DecodeOptions;
	/** Rejections logged once per reason per minute, with how many were not. */
	private readonly rejects: OnceLog;
	private readonly now: () => number;
	private readonly clocks: NodeClocks;
	private readonly durable: Durable;
	private readonly ratings: RatingGuard;

	constructor(private readonly opts: IngestOptions) {
		this.clocks = new NodeClocks(opts.metrics, opts.clock);
		this.recent = new RecentIds(opts.recentIds ?? 100_000);
		this.now = opts.now ?? Date.now;
		this.rejects = new OnceLog(opts.log, { intervalMs: 60_000, now: this.now });
		this.maxBatch = opts.maxBatch ?? 1000;
		this.decodeOptions = { centre: (id) => opts.centres.get(id) };
		this.durable = new Durable({ ...opts, now: this.now });
		this.ratings = new RatingGuard(opts.centres);
	}

	/**
	 * Handle one published message. `stampNow` replaces the edge time with the receive time:
	 * used for a Last Will, whose payload was written when the node connected.
	 */
	handle(topic: string, payload: Uint8Array, from?: From): Promise<IngestResult> {
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
			this.logRejection(d.reason, d.detail, topic, from?.client);
			return Promise.resolve("rejected");
		}
		const event = d.event;
		let placed = this.placeInTime(event, rxTs, from?.stampNow === true, topic, from?.client);
		if (placed === "rejected") return Promise.resolve("rejected");
		const source = this.sourceOf(event, from);
		// A node does not decide how a rating was given: a source it sent is taken out (and the
		// cleaned copy forwarded), as a moved time is.
		if (event.kind === "rating" && event.data.source !== undefined && event.data.source !== source) {
			delete event.data.source;
			placed = "moved";
		}
		// Subscribers get the known fields only (a repeat too), at the time the hub gave the event.
		if (placed === "moved" && !from?.stampNow) from?.replace?.(Buffer.from(JSON.stringify(event.data)));
		else if (d.dropped > 0) from?.replace?.(Buffer.from(d.text));
		const id = event.data.id;
		const fp = fingerprint(topic, payload);
		const seen = this.recent.get(id);
		if (seen) return this.repeated(seen, fp, topic, payload, from);

		metrics.ingestLag.observe(Math.max(0, rxTs - event.data.ts) / 1000);
		this.opts.watch?.arrived(rxTs - event.data.ts);
		const burst = this.markBurst(event);
		const stored: StoredEvent = {
			id,
			centre: event.centre,
			node: event.node,
			kind: event.kind,
			ts: event.data.ts,
			rxTs,
			data: event.data,
		};
		// The bytes as received are the payload's text while they still say what it holds: not once
		// its time was replaced or it was marked extra. Paired, the payload cannot change any more.
		if (placed === "kept" && burst !== "burst") stored.text = payloadText(event.data, d.text);
		const p = new Promise<IngestResult>((resolve, reject) => {
			this.pending.push({ event, stored, text: d.text, topic, from, burst, source, resolve, reject });
		});
		// In flight until its batch is settled (a repeat meanwhile waits for it), then done.
		this.recent.begin(id, p, fp);
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
			this.logRejection(placed.reason, placed.detail, topic, client);
			return "rejected";
		}
		if (placed.ts === event.data.ts) return "kept";
		event.data.ts = placed.ts;
		return "moved";
	}

	/** How a rating was given: `qr` only when the hub's QR rating page handed it in. */
	private sourceOf(event: WireEvent, from: From | undefined): RatingSource | undefined {
		if (event.kind !== "rating") return undefined;
		return from?.origin === "qr" ? "qr" : "button";
	}

	private duplicate(): IngestResult {
		this.opts.metrics.messages.inc({ result: "duplicate", reason: "" });
		return "duplicate";
	}

	private rejected(reason: RejectReason, detail: string, topic: string, from: From | undefined): IngestResult {
		this.opts.metrics.messages.inc({ result: "rejected", reason });
		this.logRejection(reason, detail, topic, from?.client);
		return "rejected";
	}

	private logRejection(reason: RejectReason, detail: string, topic: string, client: string | undefined): void {
		this.rejects.warn(reason, { reason, topic, client }, `message rejected (${reason}): ${detail}`);
	}

	/**
	 * An id seen lately. The same bytes from the same topic are a repeat (the edge resends its
	 * outbox as it is): a duplicate, or — while the first is in flight — judged again once it is
	 * settled. Anything else under the id is another event: refused as `id_reused`.
	 */
	private repeated(
		seen: Seen<Promise<IngestResult>>,
		fp: number,
		topic: string,
		payload: Uint8Array,
		from: From | undefined,
	): Promise<IngestResult> {
		if (seen.fp !== fp) {
			const detail = `event id already used by a different message lately (another node, kind or payload) on ${topic}`;
			return Promise.resolve(this.rejected("id_reused", detail, topic, from));
		}
		if (seen.inFlight) return seen.inFlight.then(() => this.handle(topic, payload, from));
		return Promise.resolve(this.duplicate());
	}

	/**
	 * A rating past the hub's bound per window and minute is marked extra (hub/ratingGuard.ts) in
	 * what the hub keeps; subscribers get the rating as the node sent it (its known fields).
	 */
	private markBurst(event: WireEvent): BurstMark {
		const mark = this.ratings.mark(event);
		if (mark === "burst") this.opts.metrics.ratingBursts.inc();
		return mark;
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
			const p = batch[i] as Pending;
			stored[i] = withDerived(p.stored, prepared.derived[i] ?? {}, p.source);
		}
		this.batches++;
		const done = this.durable.write(
			stored,
			batch.map((p) => p.text),
		);
		this.tail = done.then(
			(written) => this.settle(batch, prepared, written),
			(err) => this.refuse(batch, prepared, err as Error),
		);
	}

	private settle(batch: Pending[], prepared: Prepared, written: Written) {
		this.batches--;
		this.opts.watch?.madeDurable();
		const { metrics } = this.opts;
		metrics.storeBatch.observe(batch.length);
		const isNew = new Array<boolean>(batch.length);
		let accepted = 0;
		for (let i = 0; i < batch.length; i++) {
			const p = batch[i] as Pending;
			const result = this.outcome(p, written, i);
			isNew[i] = result === "accepted";
			if (isNew[i]) accepted++;
			else this.ratings.undo(p.burst);
			p.resolve(result);
		}
		metrics.messages.inc({ result: "accepted", reason: "" }, accepted);
		prepared.commit(isNew);
		if (accepted > 0) this.opts.afterAccept?.(batch.filter((_, i) => isNew[i]).map((p) => p.event));
	}

	/**
	 * What became of one event of a written batch. An id the store already had is a duplicate when
	 * its row is this very event (core/repeat.ts), and `id_reused` when it is another one.
	 */
	private outcome(p: Pending, written: Written, i: number): IngestResult {
		const o = written.outcomes[i];
		const id = p.stored.id;
		if (o === "new") {
			this.recent.done(id);
			return "accepted";
		}
		if (o === "there" || o === undefined) {
			const row = written.rows.get(id);
			const sent = { node: p.event.node, kind: p.event.kind, data: JSON.parse(p.text) as Record<string, unknown> };
			if (!row || sameEvent(row, sent, { ignoreTs: p.from?.stampNow === true })) {
				this.recent.done(id);
				return this.duplicate();
			}
			// Not remembered: a later repeat of the stored event is still told apart from this one.
			this.recent.forget(id);
			const detail = `event id ${id} is already stored for another event (node "${row.node}", kind ${row.kind}); this one from node "${p.event.node}" differs`;
			return this.rejected("id_reused", detail, p.topic, p.from);
		}
		this.recent.done(id);
		return this.rejected("unstorable", `event ${id} kept in the spool's dead letters: ${o.dead}`, p.topic, p.from);
	}

	private refuse(batch: Pending[], prepared: Prepared, err: Error) {
		this.batches--;
		// Neither the store nor the local spool could take the batch: refuse it (no PUBACK),
		// the nodes keep the events in their outboxes and send them again.
		this.opts.log.error({ err, events: batch.length }, "could not make events durable; not acknowledged");
		this.opts.watch?.refused(err);
		prepared.commit(batch.map(() => false));
		for (const p of batch) {
			this.recent.forget(p.stored.id);
			this.ratings.undo(p.burst);
			p.reject(err);
		}
	}

	/**
	 * A restarted hub: the ratings of the last minutes in the store, so a burst that spans the
	 * restart is judged as one (hub/ratingGuard.ts).
	 */
	async seedRatings(): Promise<void> {
		const from = this.now() - this.ratings.seedMs;
		for (const centre of this.opts.centres.keys())
			this.ratings.seed(await this.opts.store.readRange(centre, from, Number.MAX_SAFE_INTEGER));
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
 * its window, scale, service, ticket and source (in a copy of the payload: the wire event keeps its
 * own). What the hub worked out — from the topic, the centre's layout, the live state and how the
 * rating came in — always wins over a field of the same name in the payload.
 */
function withDerived(e: StoredEvent, d: Derivation, source: RatingSource | undefined): StoredEvent {
	if (d.wait_s !== undefined || d.service_s !== undefined || d.count !== undefined) {
		const numbers: Derived = {};
		if (d.wait_s !== undefined) numbers.wait_s = d.wait_s;
		if (d.service_s !== undefined) numbers.service_s = d.service_s;
		if (d.count !== undefined) numbers.count = d.count;
		e.derived = numbers;
	}
	const rating = d.rating;
	if (rating) {
		// What the node sent without its window, scale and service, then the hub's; a loop, as an
		// object rest with excluded keys costs several times as much on every rating.
		const sent = e.data;
		const data: typeof sent = {};
		for (const key in sent) if (key !== "window" && key !== "scale" && key !== "service") data[key] = sent[key];
		data.window = rating.window;
		data.scale = rating.scale;
		if (rating.service) data.service = rating.service;
		if (rating.ticket) data.ticket = rating.ticket;
		if (source) data.source = source;
		e.data = data;
	} else if (source) {
		e.data = { ...e.data, source };
	}
	return e;
}
