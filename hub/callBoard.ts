/**
 * The latest calls of every centre for the hall boards: seeded from today's ledger when the hub
 * starts (so a restarted hub shows the calls it had), then each accepted `called` event is added
 * and heard by the listeners at once — the board's stream sends it without waiting for the live
 * view's throttle.
 */
import { addCall, type BoardCall, boardOf, callOf, callsFromLedger } from "../core/boardView.ts";
import type { CentreIndex } from "../core/centre.ts";
import type { WireEvent } from "../core/contract.ts";
import type { LiveState } from "../core/live.ts";

export type CallListener = (centre: string, call: BoardCall) => void;

export class CallBoard {
	private readonly calls = new Map<string, BoardCall[]>();
	private readonly listeners = new Set<CallListener>();

	constructor(private readonly centres: ReadonlyMap<string, CentreIndex>) {}

	/** Start from the calls in each centre's ledger. */
	seed(state: (centre: string) => LiveState | undefined): void {
		for (const [id, index] of this.centres) {
			const s = state(id);
			this.calls.set(id, s ? callsFromLedger(s.tickets, index, boardOf(index).calls) : []);
		}
	}

	/** Accepted events (durable, new): each call is kept and heard. */
	onEvents(events: readonly WireEvent[]): void {
		for (const e of events) {
			const index = this.centres.get(e.centre);
			const call = index ? callOf(e, index) : undefined;
			if (!index || !call) continue;
			const before = this.calls.get(e.centre) ?? [];
			const after = addCall(before, call, boardOf(index).calls);
			this.calls.set(e.centre, after);
			if (after.some((c) => c.id === call.id)) for (const l of this.listeners) l(e.centre, call);
		}
	}

	latest(centre: string): readonly BoardCall[] {
		return this.calls.get(centre) ?? [];
	}

	onCall(listener: CallListener): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}
}
