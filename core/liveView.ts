/**
 * The JSON view of a live hall served at /api/v1/centres/{centre}/live and pushed on the stream.
 * Pure: `now` is passed in.
 */
import type { CentreIndex } from "./centre.ts";
import type { LiveState } from "./live.ts";
import { anomalies, type SequenceAnomaly } from "./ticketLedger.ts";

export interface ServiceView {
	id: string;
	name: { uk: string; en: string };
	waiting: number;
	priorityWaiting: number;
	/** Seconds the longest-waiting ticket has waited, 0 when nobody waits. */
	longestWaitS: number;
	targetWaitMin: number;
	/**
	 * Estimated wait for a visitor taking a ticket now, minutes, with the range 80 % fall in
	 * (added by the hub from core/waitEstimate.ts); null with `noEstimate` saying why.
	 */
	estimate?: { minutes: number; low: number; high: number } | null;
	noEstimate?: string;
}

export interface WindowView {
	id: string;
	name: string;
	services: string[];
	priority: boolean;
	state: "idle" | "calling" | "serving" | "offline";
	ticket: string | null;
	service: string | null;
	sinceS: number | null;
	served: number;
}

export interface LiveView {
	centre: string;
	name: { uk: string; en: string };
	day: string;
	at: number;
	services: ServiceView[];
	windows: WindowView[];
	zones: { id: string; count: number; capacity: number; load: number }[];
	ratings: { count: number; mean: number | null; distribution: number[]; extra: number; scale: number };
	/** Today's tickets; `anomalies`: events that did not fit a ticket's course, by reason (docs/errors.md). */
	tickets: { issued: number; served: number; waiting: number; anomalies: Record<SequenceAnomaly, number> };
	nodes: { id: string; role: string; online: boolean; lastSeen: number | null }[];
}

export function liveView(s: LiveState, index: CentreIndex, now: number): LiveView {
	const { centre } = index;
	const byService = new Map<string, { waiting: number; priority: number; oldest: number }>();
	for (const t of s.waiting.values()) {
		const v = byService.get(t.service) ?? { waiting: 0, priority: 0, oldest: Number.POSITIVE_INFINITY };
		v.waiting++;
		if (t.priority) v.priority++;
		v.oldest = Math.min(v.oldest, t.issuedAt);
		byService.set(t.service, v);
	}
	const seconds = (from: number) => Math.max(0, Math.round((now - from) / 1000));
	return {
		centre: centre.id,
		name: centre.name,
		day: s.day,
		at: now,
		services: centre.services.map((svc) => {
			const v = byService.get(svc.id);
			return {
				id: svc.id,
				name: svc.name,
				waiting: v?.waiting ?? 0,
				priorityWaiting: v?.priority ?? 0,
				longestWaitS: v ? seconds(v.oldest) : 0,
				targetWaitMin: svc.targetWaitMin,
			};
		}),
		windows: centre.windows.map((w) => {
			const l = s.windows.get(w.id);
			const hasNode = index.windowNode.has(w.id);
			const offline = hasNode && !l?.online;
			return {
				id: w.id,
				name: w.name ?? w.id,
				services: w.services,
				priority: w.priority,
				state: offline ? "offline" : (l?.activity ?? "idle"),
				ticket: l?.ticket ?? null,
				service: l?.service ?? null,
				sinceS: l?.since !== undefined ? seconds(l.since) : null,
				served: l?.served ?? 0,
			};
		}),
		zones: centre.zones.map((z) => {
			const count = s.zones.get(z.id)?.count ?? 0;
			return { id: z.id, count, capacity: z.capacity, load: count / z.capacity };
		}),
		ratings: {
			count: s.ratings.count,
			mean: s.ratings.count ? s.ratings.sum / s.ratings.count : null,
			distribution: [...s.ratings.distribution],
			extra: s.ratings.extra,
			scale: centre.ratingScale,
		},
		tickets: { issued: s.issuedToday, served: s.servedToday, waiting: s.waiting.size, anomalies: anomalies(s.tickets) },
		nodes: centre.nodes.map((n) => {
			const l = s.nodes.get(n.id);
			return { id: n.id, role: n.role, online: l?.online ?? false, lastSeen: l?.lastSeen ?? null };
		}),
	};
}
