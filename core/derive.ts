/**
 * Values the hub derives at ingest from the live state just before an event is applied:
 * the wait of a called ticket, the service time of a finished one, the zone count after a
 * door event, and which window, service and ticket a rating belongs to.
 * Pure: the state is read, not changed.
 */
import type { CentreIndex } from "./centre.ts";
import type { WireEvent } from "./contract.ts";
import type { LiveState } from "./live.ts";
import { servedFrom } from "./ticketLedger.ts";
import { localDay } from "./time.ts";

export interface Derivation {
	wait_s?: number;
	service_s?: number;
	count?: number;
	/** For a rating: the publishing node's window and the ticket last served there. */
	rating?: { window: string; scale: number; service?: string; ticket?: string };
}

/** A rating counts for the ticket last served at the window when given within this time. */
export const RATING_ATTRIBUTION_MS = 10 * 60_000;

const seconds = (ms: number) => Math.max(0, Math.round(ms / 100) / 10);

export function derive(state: LiveState, e: WireEvent, index: CentreIndex): Derivation {
	const sameDay = localDay(e.data.ts, index.centre.timeZone) === state.day;
	switch (e.kind) {
		case "queue": {
			const q = e.data;
			const r = sameDay ? state.tickets.get(q.ticket) : undefined;
			if (q.event === "called") {
				// After a transfer, the wait in the new service's queue: from the transfer.
				const from = r?.transfer && r.transfer.ts <= q.ts ? r.transfer.ts : r?.issuedAt;
				return from !== undefined ? { wait_s: seconds(q.ts - from) } : {};
			}
			if (q.event === "finished" && q.window && r) {
				// From its start at this window, or else its call there.
				const from = servedFrom(r, q.window);
				if (from !== undefined && from <= q.ts) return { service_s: seconds(q.ts - from) };
			}
			return {};
		}
		case "occupancy": {
			const o = e.data;
			if (o.count !== undefined) return { count: o.count };
			const now = (sameDay ? state.zones.get(o.zone)?.count : 0) ?? 0;
			return { count: Math.max(0, now + (o.in ?? 0) - (o.out ?? 0)) };
		}
		case "rating": {
			const window = index.nodes.get(e.node)?.window;
			if (!window) return {};
			// The ticket last finished here before the rating, within the attribution time (a
			// rating replayed late from an outbox finds its finish among the window's recent ones).
			const finishes = state.windows.get(window)?.finishes ?? [];
			let last: (typeof finishes)[number] | undefined;
			for (let i = finishes.length - 1; i >= 0; i--) {
				const f = finishes[i] as (typeof finishes)[number];
				if (f.at <= e.data.ts) {
					last = f;
					break;
				}
			}
			const fresh = last !== undefined && e.data.ts - last.at <= RATING_ATTRIBUTION_MS;
			const ticket = e.data.ticket ?? (fresh ? last?.ticket : undefined);
			const service = fresh && (!e.data.ticket || e.data.ticket === last?.ticket) ? last?.service : undefined;
			const scale = index.centre.ratingScale;
			return { rating: { window, scale, ...(service ? { service } : {}), ...(ticket ? { ticket } : {}) } };
		}
		default:
			return {};
	}
}
