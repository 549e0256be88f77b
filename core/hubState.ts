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
] as const;
export const SEVERITIES = ["warning", "critical"] as const;

/** One alert (core/alerts.ts): its stable key, the rule and what it is about, since when, and the figures. */
export const AlertSchema = Type.Object(
	{
		/** Stable per condition: `wait:passports`, `occupancy:hall`, `offline:win-03`, `ratings:w04`, `queue-idle:social`. */
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

/** The hub's topics under `$hub/`, with their schemas and whether they are retained. */
export const HUB_TOPICS = {
	alerts: { schema: AlertsState, retained: true },
} as const satisfies Record<string, { schema: TSchema; retained: boolean }>;

export type HubTopicName = keyof typeof HUB_TOPICS;
export const HUB_TOPIC_NAMES = Object.keys(HUB_TOPICS) as HubTopicName[];

/** Each `$hub` topic's payload type, from its schema in the table. */
export type HubStateOf = { [H in HubTopicName]: Static<(typeof HUB_TOPICS)[H]["schema"]> };

export type Alert = Static<typeof AlertSchema>;
export type AlertRuleName = Alert["rule"];
export type Severity = Alert["severity"];
