/**
 * Wire contract v1, the hub's own state: what it publishes under `vikno/v1/{centre}/$hub/{name}`
 * for any subscriber (dashboards, a Telegram gateway), one table of names and payload schemas,
 * types derived from them. Retained: a late subscriber gets the latest value (Homie's "retained =
 * state"). Unknown extra fields are allowed, so a newer hub may add some.
 */
import Type, { type Static, type TSchema } from "typebox";
import { EpochMs, open, Ref } from "./contract.ts";

export const ALERT_RULES = [
	"waitOverTarget",
	"occupancy",
	"nodeOffline",
	"lowRatings",
	"queueIdle",
	"hubHealth",
	"printer",
	"silentWindow",
] as const;
export const SEVERITIES = ["warning", "critical"] as const;

/** One alert (core/alerts.ts): its stable key, the rule and what it is about, since when, and the figures. */
export const AlertSchema = Type.Object(
	{
		/** Stable per condition: `wait:passports`, `occupancy:hall`, `offline:win-03`, `ratings:w04`, `queue-idle:social`, `silent:w04`. */
		key: Type.String({ minLength: 1, maxLength: 80 }),
		rule: Type.Enum(ALERT_RULES),
		severity: Type.Enum(SEVERITIES),
		subject: Type.Object(
			{
				service: Type.Optional(Ref),
				zone: Type.Optional(Ref),
				node: Type.Optional(Ref),
				window: Type.Optional(Ref),
			},
			open,
		),
		message: Type.Object({ uk: Type.String(), en: Type.String() }, open),
		/** When the condition began (where known) or the alert was raised, epoch ms. */
		since: EpochMs,
		/** The figure that tripped the rule and its threshold (minutes, shares, counts). */
		value: Type.Number(),
		threshold: Type.Number(),
		/** Set on alerts in `resolved` (the webhook's "resolved" event); never in the active set. */
		resolvedAt: Type.Optional(EpochMs),
	},
	open,
);

/** `$hub/alerts`: the centre's active alerts, the whole set each time it changes (empty: none). */
export const AlertsState = Type.Object({ centre: Ref, at: EpochMs, alerts: Type.Array(AlertSchema) }, open);

/**
 * `$hub/live`: what a ticket terminal prints — per service, how many wait and the estimated wait
 * for a ticket taken now (minutes and the range 80 % fall in; null with no estimate). Published on
 * every change (at most 4 times a second) and every 5 s; the one `$hub` topic nodes may read.
 */
export const LiveSummary = Type.Object(
	{
		centre: Ref,
		at: EpochMs,
		services: Type.Array(
			Type.Object(
				{
					id: Ref,
					waiting: Type.Integer({ minimum: 0 }),
					estimate: Type.Union([
						Type.Object({ minutes: Type.Number(), low: Type.Number(), high: Type.Number() }, open),
						Type.Null(),
					]),
				},
				open,
			),
		),
	},
	open,
);

/**
 * The hub's topics under `$hub/`, with their schemas, whether they are retained, and whether
 * edge nodes may subscribe to them (broker/acl.ts: only these, and only their own centre's).
 */
export const HUB_TOPICS = {
	alerts: { schema: AlertsState, retained: true, nodesRead: false },
	live: { schema: LiveSummary, retained: true, nodesRead: true },
} as const satisfies Record<string, { schema: TSchema; retained: boolean; nodesRead: boolean }>;

export type HubTopicName = keyof typeof HUB_TOPICS;
export const HUB_TOPIC_NAMES = Object.keys(HUB_TOPICS) as HubTopicName[];

/** Each `$hub` topic's payload type, from its schema in the table. */
export type HubStateOf = { [H in HubTopicName]: Static<(typeof HUB_TOPICS)[H]["schema"]> };

export type Alert = Static<typeof AlertSchema>;
export type AlertRuleName = Alert["rule"];
export type Severity = Alert["severity"];

export type LiveSummary = Static<typeof LiveSummary>;

/** The summary of a live view's services (core/liveView.ts) for `$hub/live`. */
export function liveSummary(view: {
	centre: string;
	at: number;
	services: readonly {
		id: string;
		waiting: number;
		estimate?: { minutes: number; low: number; high: number } | null | undefined;
	}[];
}): LiveSummary {
	return {
		centre: view.centre,
		at: view.at,
		services: view.services.map((s) => ({
			id: s.id,
			waiting: s.waiting,
			estimate: s.estimate ? { minutes: s.estimate.minutes, low: s.estimate.low, high: s.estimate.high } : null,
		})),
	};
}
