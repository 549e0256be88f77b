/**
 * Keeps the live model of every configured centre: rebuilt from the store at start (today's
 * events), then advanced by each accepted event. Listeners hear which centres changed.
 */
import type { CentreIndex } from "../core/centre.ts";
import type { WireEvent } from "../core/contract.ts";
import { apply, emptyLive, type LiveState, startDay } from "../core/live.ts";
import { type LiveView, liveView } from "../core/liveView.ts";
import { localDay, startOfLocalDay } from "../core/time.ts";
import type { EventStore } from "../store/types.ts";

export type ChangeListener = (centre: string) => void;

export class LiveHub {
	private readonly states = new Map<string, LiveState>();
	private readonly listeners = new Set<ChangeListener>();

	constructor(
		readonly centres: ReadonlyMap<string, CentreIndex>,
		private readonly now: () => number = Date.now,
	) {
		for (const [id, index] of centres) this.states.set(id, emptyLive(index, localDay(now(), index.centre.timeZone)));
	}

	/** Fold today's stored events (local day of each centre) into fresh states. */
	async rebuild(store: EventStore): Promise<number> {
		let n = 0;
		const now = this.now();
		for (const [id, index] of this.centres) {
			const from = startOfLocalDay(now, index.centre.timeZone);
			const events = await store.readRange(id, from, Number.MAX_SAFE_INTEGER);
			let state = emptyLive(index, localDay(now, index.centre.timeZone));
			for (const e of events) {
				state = apply(state, { kind: e.kind, centre: e.centre, node: e.node, data: e.data } as WireEvent, index);
				n++;
			}
			this.states.set(id, state);
		}
		return n;
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
		for (const c of changed) for (const l of this.listeners) l(c);
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
