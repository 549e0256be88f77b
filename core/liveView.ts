/**
 * The JSON view of a live hall served at /api/v1/centres/{centre}/live and pushed on the stream.
 * Pure: `now` is passed in.
 */
import Type, { type Static, type TInteger } from "typebox";
import { type CentreIndex, Names } from "./centre.ts";
import type { LiveState } from "./live.ts";
import { Count, EpochMs, orNull } from "./schemaParts.ts";
import type { SilentWindow } from "./silence.ts";
import { anomalies, SEQUENCE_ANOMALY_NAMES, type SequenceAnomaly } from "./ticketLedger.ts";
import { NoEstimateReason } from "./waitEstimate.ts";

/** Estimated wait, minutes (one decimal), with the range 80 % of visitors fall in. */
export const WaitRange = Type.Object(
	{ minutes: Type.Number(), low: Type.Number(), high: Type.Number() },
	{ description: "Estimated wait for a visitor taking a ticket now, minutes, with the range 80 % fall in" },
);

/** How the ranges shown for a service held, over its last called tickets (core/calibration.ts). */
export const EstimateHeld = Type.Object(
	{
		tickets: Count,
		coverage: Type.Number({ minimum: 0, maximum: 1 }),
		biasMin: Type.Number(),
	},
	{
		description:
			"How the estimates shown held over the service's last called tickets (at most 200): tickets, the share whose real wait fell inside the range shown at issue (coverage), and the mean of real wait minus the estimate shown, minutes (biasMin; positive = optimistic)",
	},
);

export const ServiceView = Type.Object({
	id: Type.String(),
	name: Names,
	waiting: Count,
	priorityWaiting: Count,
	/** Seconds the longest-waiting ticket has waited, 0 when nobody waits. */
	longestWaitS: Type.Integer({ minimum: 0, description: "Seconds the longest-waiting ticket has waited" }),
	targetWaitMin: Type.Integer(),
	/**
	 * Estimated wait for a visitor taking a ticket now (added by the hub from core/waitEstimate.ts);
	 * null with `noEstimate` saying why.
	 */
	estimate: Type.Optional(orNull(WaitRange)),
	noEstimate: Type.Optional(NoEstimateReason),
	/** How the ranges shown held (added by the hub); null before any ticket of it was called. */
	estimateHeld: Type.Optional(orNull(EstimateHeld)),
});

export const WindowView = Type.Object({
	id: Type.String(),
	name: Type.String(),
	services: Type.Array(Type.String()),
	priority: Type.Boolean(),
	state: Type.Enum(["idle", "calling", "serving", "paused", "offline"], {
		description:
			"offline: its node is not connected; paused: on a break (closed for the time being); else what it does",
	}),
	ticket: orNull(Type.String()),
	service: orNull(Type.String()),
	sinceS: orNull(Type.Integer({ minimum: 0 })),
	/** On a break for this long, s (null unless paused). */
	pausedS: orNull(Type.Integer({ minimum: 0 })),
	served: Count,
	/**
	 * Silent absence (core/silence.ts; added by the hub with its learnt reactions): how long the
	 * window has been idle while tickets it serves wait, its usual reaction, and whether it is past it.
	 */
	silentS: Type.Optional(
		orNull(
			Type.Integer({
				minimum: 0,
				description: "Seconds the window has been idle (open) while tickets it serves wait; null when it is not",
			}),
		),
	),
	usualReactionS: Type.Optional(
		orNull(
			Type.Integer({
				minimum: 0,
				description:
					"How long this window usually takes to call when a ticket waits, s (learnt from its calls, the hall's as prior); null while too little is known",
			}),
		),
	),
	possiblyAway: Type.Optional(
		Type.Boolean({ description: "Silent for longer than its usual reaction: possibly away without a pause" }),
	),
	awayChance: Type.Optional(
		Type.Number({
			minimum: 0,
			maximum: 1,
			description: "The chance the wait estimate gives its being away (0 until its usual reaction has passed)",
		}),
	),
});

/** Today's count of each sequence anomaly (docs/errors.md), every reason present. */
const Anomalies = Type.Object(
	Object.fromEntries(SEQUENCE_ANOMALY_NAMES.map((n) => [n, Count])) as Record<SequenceAnomaly, TInteger>,
	{ description: "Queue events that did not fit a ticket's course, by reason (docs/errors.md)" },
);

export const LiveView = Type.Object(
	{
		centre: Type.String(),
		name: Names,
		/** The live day, local date of the centre. */
		day: Type.String({ description: "The live day: the centre's local date, YYYY-MM-DD" }),
		at: EpochMs,
		services: Type.Array(ServiceView),
		windows: Type.Array(WindowView),
		zones: Type.Array(
			Type.Object({ id: Type.String(), count: Count, capacity: Type.Integer(), load: Type.Number({ minimum: 0 }) }),
		),
		ratings: Type.Object({
			count: Count,
			mean: orNull(Type.Number()),
			distribution: Type.Array(Count, { description: "Ratings per score, index 0 = score 1" }),
			extra: Count,
			scale: Type.Integer(),
		}),
		/** Today's tickets; `anomalies`: events that did not fit a ticket's course, by reason (docs/errors.md). */
		tickets: Type.Object({ issued: Count, served: Count, waiting: Count, anomalies: Anomalies }),
		nodes: Type.Array(
			Type.Object({
				id: Type.String(),
				role: Type.String(),
				online: Type.Boolean(),
				lastSeen: orNull(EpochMs),
			}),
		),
	},
	{ description: "A live hall: queues per service, windows, zones, today's ratings and tickets, nodes" },
);

export type ServiceView = Static<typeof ServiceView>;
export type WindowView = Static<typeof WindowView>;
export type LiveView = Static<typeof LiveView>;

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
				state: offline ? "offline" : l?.paused ? "paused" : (l?.activity ?? "idle"),
				pausedS: l?.paused && l.pausedSince !== undefined ? seconds(l.pausedSince) : null,
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

/**
 * The view's windows with their silent absence (core/silence.ts `silentWindows`): every window gets
 * `silentS`, `usualReactionS`, `possiblyAway` and `awayChance` (null / false / 0 when not silent).
 */
export function withSilence(view: LiveView, silent: readonly SilentWindow[]): LiveView {
	const by = new Map(silent.map((s) => [s.window, s]));
	const s = (ms: number | undefined) => (ms === undefined ? null : Math.max(0, Math.round(ms / 1000)));
	return {
		...view,
		windows: view.windows.map((w) => {
			const x = by.get(w.id);
			return {
				...w,
				silentS: x ? s(x.silentMs) : null,
				usualReactionS: x ? s(x.usualMs) : null,
				possiblyAway: x?.possiblyAway ?? false,
				awayChance: Math.round((x?.awayChance ?? 0) * 100) / 100,
			};
		}),
	};
}
