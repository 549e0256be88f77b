/**
 * Values the hub derives at ingest from the live state just before an event is applied:
 * the wait of a called ticket, the service time of a finished one, the zone count after a
 * door event, and which window, service and ticket a rating belongs to.
 * Pure: the state is read, not changed.
 */
import type { CentreIndex } from "./centre.ts";
import type { WireEvent } from "./contract.ts";
import type { LiveState } from "./live.ts";
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
			if (q.event === "called") {
				const t = sameDay ? state.waiting.get(q.ticket) : undefined;
				return t ? { wait_s: seconds(q.ts - t.issuedAt) } : {};
			}
			if (q.event === "finished" && q.window) {
				const w = state.windows.get(q.window);
				if (w?.ticket === q.ticket && w.since !== undefined) return { service_s: seconds(q.ts - w.since) };
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
			const last = state.windows.get(window)?.lastServed;
			const fresh = last && e.data.ts >= last.at && e.data.ts - last.at <= RATING_ATTRIBUTION_MS;
			const ticket = e.data.ticket ?? (fresh ? last.ticket : undefined);
			const service = fresh && (!e.data.ticket || e.data.ticket === last.ticket) ? last.service : undefined;
			const scale = index.centre.ratingScale;
			return { rating: { window, scale, ...(service ? { service } : {}), ...(ticket ? { ticket } : {}) } };
		}
		default:
			return {};
	}
}
