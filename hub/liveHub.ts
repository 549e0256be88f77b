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

export class LiveHub {
	private readonly states = new Map<string, LiveState>();
	private readonly listeners = new Set<ChangeListener>();
	/** The state after every prepared batch, ahead of `states` while batches are being written. */
	private readonly ahead = new Map<string, LiveState>();
	/** Events of the batches prepared and not yet committed, oldest first. */
	private readonly outstanding: (readonly WireEvent[])[] = [];

	/** Stored events the last `rebuild` left out because they do not match the wire contract. */
	unreadable = 0;

	constructor(
		readonly centres: ReadonlyMap<string, CentreIndex>,
		private readonly now: () => number = Date.now,
	) {
		for (const [id, index] of centres) this.states.set(id, emptyLive(index, localDay(now(), index.centre.timeZone)));
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
			this.states.set(id, state);
		}
		return n;
	}

	/**
	 * Derive values for a batch by folding it over a copy of the live state (each event sees the
	 * ones before it). Batches may be prepared while earlier ones are still being written: each is
	 * folded over the state the previous one left (`ahead`). `commit` then applies, in order, the
	 * events that turned out new: when all of them were and the state is still the one this batch
	 * was folded over, its copy simply becomes the state.
	 */
	prepare(events: readonly WireEvent[]): { derived: Derivation[]; commit(fresh: readonly boolean[]): void } {
		const scratch = new Map<string, LiveState>();
		const bases = new Map<string, LiveState | undefined>();
		const derived: Derivation[] = new Array(events.length);
		for (const [i, e] of events.entries()) {
			const index = this.centres.get(e.centre);
			let state = scratch.get(e.centre);
			if (!state) {
				const base = this.ahead.get(e.centre) ?? this.states.get(e.centre);
				if (!index || !base) {
					derived[i] = {};
					continue;
				}
				bases.set(e.centre, base);
				state = cloneLive(base);
				// The day is the hub's: a new local day starts at its midnight, not at an event's.
				const today = localDay(this.now(), index.centre.timeZone);
				if (today > state.day) state = startDay(state, index, today);
			}
			derived[i] = derive(state, e, index as CentreIndex);
			scratch.set(e.centre, apply(state, e, index as CentreIndex));
		}
		for (const [c, s] of scratch) this.ahead.set(c, s);
		this.outstanding.push(events);
		return { derived, commit: (fresh) => this.commit(events, fresh, scratch, bases) };
	}

	private commit(
		events: readonly WireEvent[],
		fresh: readonly boolean[],
		scratch: ReadonlyMap<string, LiveState>,
		bases: ReadonlyMap<string, LiveState | undefined>,
	) {
		// Batches commit in the order they were prepared.
		this.outstanding.shift();
		if (this.outstanding.length === 0) this.ahead.clear();
		let clean = true;
		for (let i = 0; i < fresh.length && clean; i++) if (!fresh[i]) clean = false;
		for (const [c, base] of bases) if (this.states.get(c) !== base) clean = false;
		if (clean) {
			for (const [c, s] of scratch) this.states.set(c, s);
			this.notify(scratch.keys());
			return;
		}
		this.applyAll(events.filter((_, i) => fresh[i]));
		// Batches prepared after this one were folded over all its events: batches prepared from
		// now on follow the real state plus those still outstanding.
		this.ahead.clear();
		for (const later of this.outstanding) {
			for (const e of later) {
				const index = this.centres.get(e.centre);
				const base = this.ahead.get(e.centre) ?? this.states.get(e.centre);
				if (!index || !base) continue;
				this.ahead.set(e.centre, apply(this.ahead.has(e.centre) ? base : cloneLive(base), e, index));
			}
		}
	}

	private notify(centres: Iterable<string>) {
		for (const c of centres) for (const l of this.listeners) l(c);
	}

	applyAll(events: readonly WireEvent[]): void {
		const changed = new Set<string>();
		for (const e of events) {
			const index = this.centres.get(e.centre);
			const state = this.states.get(e.centre);
			if (!index || !state) continue;
			this.states.set(e.centre, apply(state, e, index));
			changed.add(e.centre);
		}
		this.notify(changed);
	}

	/** The live state of a centre (read only: it is the hub's own). */
	state(centre: string): LiveState | undefined {
		return this.states.get(centre);
	}

	view(centre: string): LiveView | undefined {
		const index = this.centres.get(centre);
		let state = this.states.get(centre);
		if (!index || !state) return undefined;
		const now = this.now();
		// A new local day with no event yet: show an empty hall, not yesterday's.
		const today = localDay(now, index.centre.timeZone);
		if (today > state.day) {
			state = startDay(state, index, today);
			this.states.set(centre, state);
		}
		return liveView(state, index, now);
	}

	onChange(listener: ChangeListener): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}
}
