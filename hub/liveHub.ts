/**
 * Keeps the live model of every configured centre: rebuilt from the store at start (today's
 * events), then advanced by each accepted event. Listeners hear which centres changed.
 */
import type { CentreIndex } from "../core/centre.ts";
import { isWireEvent, type WireEvent } from "../core/contract.ts";
import { type Derivation, derive } from "../core/derive.ts";
import { apply, cloneLive, emptyLive, type LiveState, startDay } from "../core/live.ts";
import { type LiveView, liveView } from "../core/liveView.ts";
import { localDay, startOfLocalDay } from "../core/time.ts";
import type { EventStore, StoredEvent } from "../store/types.ts";

export type ChangeListener = (centre: string) => void;

/**
 * Events folded into a centre's state since a snapshot of it: a batch that turns out to hold an
 * event the store already had (or that could not be made durable) is taken back by folding the
 * snapshot again without it. The snapshot is renewed once the log is as long as the state is big,
 * so copying the state costs O(1) per event whatever the size of the day.
 */
interface Journal {
	base: LiveState;
	log: WireEvent[];
}

/** Fewest events between two snapshots of a state. */
const MIN_JOURNAL = 1024;

export class LiveHub {
	private readonly states = new Map<string, LiveState>();
	private readonly journals = new Map<string, Journal>();
	private readonly listeners = new Set<ChangeListener>();
	/** Batches prepared and not yet committed. */
	private outstanding = 0;

	/** Stored events the last `rebuild` left out because they do not match the wire contract. */
	unreadable = 0;

	constructor(
		readonly centres: ReadonlyMap<string, CentreIndex>,
		private readonly now: () => number = Date.now,
	) {
		for (const [id, index] of centres) this.reset(id, emptyLive(index, localDay(now(), index.centre.timeZone)));
	}

	private reset(centre: string, state: LiveState) {
		this.states.set(centre, state);
		this.journals.set(centre, { base: cloneLive(state), log: [] });
	}

	/**
	 * Fold the events of yesterday and today (local days of each centre) into fresh states: those
	 * in the store plus `pending` ones accepted but not yet forwarded to it (the spool). Yesterday
	 * gives the nodes' presence and the windows' recent finishes (a late rating is attributed from
	 * them); the figures are today's. The fold does not depend on the order (core/live.ts), so this
	 * is the state the hub had before it stopped. Nothing after now is read: stored times are on
	 * the hub's clock, but a store written before that policy may hold times in the future.
	 */
	async rebuild(store: EventStore, pending: readonly StoredEvent[] = []): Promise<number> {
		let n = 0;
		this.unreadable = 0;
		const now = this.now();
		for (const [id, index] of this.centres) {
			const zone = index.centre.timeZone;
			const today = startOfLocalDay(now, zone);
			const from = startOfLocalDay(today - 1, zone);
			const stored = await store.readRange(id, from, now + 1);
			const seen = new Set(stored.map((e) => e.id));
			const extra = pending.filter((e) => e.centre === id && e.ts >= from && e.ts <= now && !seen.has(e.id));
			const events = extra.length ? [...stored, ...extra] : stored;
			let state = emptyLive(index, localDay(from, zone));
			for (const e of events) {
				// Checked on the way back in: a row that does not match the contract is left out, counted.
				if (!isWireEvent(e)) {
					this.unreadable++;
					continue;
				}
				state = apply(state, e, index);
				if (e.ts >= today) n++;
			}
			const day = localDay(now, zone);
			if (state.day < day) state = startDay(state, index, day);
			this.reset(id, state);
		}
		return n;
	}

	/**
	 * Derive values for a batch by folding it into the live state (each event sees the ones before
	 * it). Batches may be prepared while earlier ones are still being written: each is folded over
	 * the state the previous one left. `commit` then says which events turned out new; listeners
	 * hear of the batch only then. When one did not (a duplicate the store already had, or a batch
	 * that could not be made durable), the state is folded again from its snapshot without it —
	 * the fold does not depend on the order, so that is the state of the events that are in.
	 */
	prepare(events: readonly WireEvent[]): { derived: Derivation[]; commit(fresh: readonly boolean[]): void } {
		const derived: Derivation[] = new Array(events.length);
		const touched = new Set<string>();
		for (const [i, e] of events.entries()) {
			const index = this.centres.get(e.centre);
			let state = this.states.get(e.centre);
			const journal = this.journals.get(e.centre);
			if (!index || !state || !journal) {
				derived[i] = {};
				continue;
			}
			if (!touched.has(e.centre)) {
				touched.add(e.centre);
				// The day is the hub's: a new local day starts at its midnight, not at an event's.
				const today = localDay(this.now(), index.centre.timeZone);
				if (today > state.day) state = startDay(state, index, today);
			}
			derived[i] = derive(state, e, index);
			this.states.set(e.centre, apply(state, e, index));
			journal.log.push(e);
		}
		this.outstanding++;
		return { derived, commit: (fresh) => this.commit(events, fresh, touched) };
	}

	private commit(events: readonly WireEvent[], fresh: readonly boolean[], touched: ReadonlySet<string>) {
		this.outstanding--;
		const out = new Set<WireEvent>();
		for (let i = 0; i < events.length; i++) if (!fresh[i]) out.add(events[i] as WireEvent);
		if (out.size > 0) {
			const again = new Set<string>();
			for (const e of out) again.add(e.centre);
			for (const c of again) this.refold(c, out);
		}
		this.notify(touched);
		if (this.outstanding === 0) for (const c of touched) this.snapshotIfDue(c);
	}

	/** Fold a centre's snapshot again with the events of its log that are not `out`. */
	private refold(centre: string, out: ReadonlySet<WireEvent>) {
		const index = this.centres.get(centre);
		const journal = this.journals.get(centre);
		if (!index || !journal) return;
		journal.log = journal.log.filter((e) => !out.has(e));
		let state = cloneLive(journal.base);
		for (const e of journal.log) state = apply(state, e, index);
		const today = localDay(this.now(), index.centre.timeZone);
		if (today > state.day) state = startDay(state, index, today);
		this.states.set(centre, state);
	}

	/** With no batch in flight, a log as long as the state is big: take a new snapshot. */
	private snapshotIfDue(centre: string) {
		const journal = this.journals.get(centre);
		const state = this.states.get(centre);
		if (!journal || !state) return;
		if (journal.log.length >= Math.max(MIN_JOURNAL, state.tickets.size)) this.reset(centre, state);
	}

	private notify(centres: Iterable<string>) {
		for (const c of centres) for (const l of this.listeners) l(c);
	}

	/** The live state of a centre (read only: it is the hub's own). */
	state(centre: string): LiveState | undefined {
		return this.states.get(centre);
	}

	view(centre: string): LiveView | undefined {
		const index = this.centres.get(centre);
		const now = this.now();
		const state = this.today(centre, now);
		return index && state ? liveView(state, index, now) : undefined;
	}

	/** Tickets waiting now per service (what the terminals' summary needs, without the whole view). */
	waitingByService(centre: string): Map<string, number> | undefined {
		const state = this.today(centre, this.now());
		if (!state) return undefined;
		const n = new Map<string, number>();
		for (const t of state.waiting.values()) n.set(t.service, (n.get(t.service) ?? 0) + 1);
		return n;
	}

	/** A centre's state at `now`: on a new local day with no event yet, an empty hall, not yesterday's. */
	private today(centre: string, now: number): LiveState | undefined {
		const index = this.centres.get(centre);
		let state = this.states.get(centre);
		if (!index || !state) return undefined;
		const today = localDay(now, index.centre.timeZone);
		if (today > state.day) {
			state = startDay(state, index, today);
			this.states.set(centre, state);
		}
		return state;
	}

	onChange(listener: ChangeListener): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}
}
