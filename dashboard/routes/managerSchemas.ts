/**
 * Request and answer shapes of the manager dashboard's routes beyond the live view and the
 * reports of schemas.ts: trends, the alert journal and acknowledgements, devices and identify,
 * the network of centres, best times, the CSV export. TypeBox, as everywhere: the types are
 * `Static<…>` of these, fastify validates with them, /api/openapi.json is generated from them.
 */
import Type, { type Static } from "typebox";
import { AlertRecord, MAX_COMMENT } from "../../core/alertJournal.ts";
import { Alert } from "../../core/alerts.ts";
import { BestTimes } from "../../core/bestTimes.ts";
import { Names } from "../../core/centre.ts";
import { ID_PATTERN } from "../../core/ids.ts";
import { Count, EpochMs, orNull } from "../../core/schemaParts.ts";
import { Step } from "../../store/types.ts";
import { DayRange } from "./schemas.ts";

const span = {
	centre: Type.String(),
	from: Type.String({ description: "First local day (YYYY-MM-DD)" }),
	to: Type.String({ description: "Last local day, inclusive" }),
};

// ── Trends ──────────────────────────────────────────────────────────────────────────────────────

export const TrendsQuery = Type.Object(
	{ ...DayRange.properties, step: Type.Optional(Step) },
	{ additionalProperties: false },
);

const seconds = (description: string) => orNull(Type.Number({ description: `${description}, seconds` }));
export const TrendRow = Type.Object({
	t: Type.Integer({ description: "Bucket start, epoch ms" }),
	called: Type.Integer({ minimum: 0, description: "Tickets called (visits)" }),
	waitMeanS: seconds("Mean wait of the tickets called"),
	waitP90S: seconds("90th percentile of the wait"),
	served: Type.Integer({ minimum: 0, description: "Tickets finished" }),
	serviceMeanS: seconds("Mean service time of the tickets finished"),
	serviceP90S: seconds("90th percentile of the service time"),
	occupancyMean: orNull(Type.Number({ description: "Mean of the hall counts reported" })),
	occupancyMax: orNull(Type.Number({ description: "Highest hall count reported" })),
	ratings: Type.Integer({ minimum: 0 }),
	ratingMean: orNull(Type.Number()),
});
export type TrendRow = Static<typeof TrendRow>;

export const Trends = Type.Object(
	{ ...span, step: Step, rows: Type.Array(TrendRow) },
	{ description: "Visits, waits, service times, occupancy and ratings per time bucket" },
);
export type Trends = Static<typeof Trends>;

// ── Alerts ──────────────────────────────────────────────────────────────────────────────────────

/** The active alerts with the journal's records of them (their acknowledgements): the API's answer and the stream's `alerts` event. */
export const ActiveAlerts = Type.Object(
	{
		centre: Type.String(),
		alerts: Type.Array(Alert),
		records: Type.Array(AlertRecord, {
			description: "The journal's records of the active alerts, with who acknowledged them",
		}),
	},
	{ description: "The centre's active alerts" },
);
export type ActiveAlerts = Static<typeof ActiveAlerts>;

export const AlertHistory = Type.Object(
	{ ...span, alerts: Type.Array(AlertRecord) },
	{ description: "Alerts active at some time in the period, newest first, with acknowledgements" },
);
export type AlertHistory = Static<typeof AlertHistory>;

export const AckBody = Type.Object(
	{
		key: Type.String({ minLength: 1, maxLength: 80 }),
		since: EpochMs,
		comment: Type.String({ maxLength: MAX_COMMENT, description: "What was done or why (may be empty)" }),
	},
	{ additionalProperties: false },
);

// ── Devices ─────────────────────────────────────────────────────────────────────────────────────

export const NodeParams = Type.Object(
	{
		centre: Type.String({ pattern: ID_PATTERN, description: "Centre id" }),
		node: Type.String({ pattern: ID_PATTERN, description: "Node id, e.g. win-03" }),
	},
	{ additionalProperties: false },
);

export const IdentifyBody = Type.Object(
	{ seconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 300, description: "How long to blink (default 10)" })) },
	{ additionalProperties: false },
);

export const Identified = Type.Object(
	{ centre: Type.String(), node: Type.String(), topic: Type.String(), seconds: Type.Integer() },
	{ description: "The command was published (QoS 1); the node blinks once it receives it" },
);
export type Identified = Static<typeof Identified>;

// ── Network ─────────────────────────────────────────────────────────────────────────────────────

export const NetworkRow = Type.Object({
	centre: Type.String(),
	name: Names,
	timeZone: Type.String(),
	day: Type.String({ description: "The centre's live day" }),
	open: orNull(Type.Boolean({ description: "Open now by its hours" })),
	waiting: Count,
	priorityWaiting: Count,
	longestWaitS: Type.Integer({ minimum: 0, description: "The longest wait of a ticket now, seconds" }),
	overTarget: Count,
	windowsOpen: Type.Integer({ minimum: 0, description: "Windows calling, serving or idle with their node online" }),
	windowsBusy: Type.Integer({ minimum: 0, description: "Windows calling or serving" }),
	windows: Count,
	occupancy: Count,
	capacity: Count,
	served: Count,
	ratings: Count,
	ratingMean: orNull(Type.Number()),
	alerts: Count,
	critical: Count,
});
export type NetworkRow = Static<typeof NetworkRow>;

export const Network = Type.Object(
	{ at: EpochMs, centres: Type.Array(NetworkRow) },
	{ description: "Every centre of the hub the user sees, side by side" },
);
export type Network = Static<typeof Network>;

// ── Best times (manager's copy, with the figures the public answer leaves out) ─────────────────

export const ManagerBestTimes = Type.Object(
	{ centre: Type.String(), ...BestTimes.properties },
	{ description: "Per weekday and open hour of the last 8 weeks: typical load, wait, label" },
);
export type ManagerBestTimes = Static<typeof ManagerBestTimes>;

// ── CSV export ──────────────────────────────────────────────────────────────────────────────────

export const EXPORT_TABLES = [
	"live-services",
	"live-windows",
	"quality-windows",
	"quality-services",
	"quality-administrators",
	"quality-days",
	"service-levels",
	"trends",
	"best-times",
	"alerts",
	"devices",
] as const;
export type ExportTable = (typeof EXPORT_TABLES)[number];

export const ExportParams = Type.Object(
	{
		centre: Type.String({ pattern: ID_PATTERN, description: "Centre id" }),
		table: Type.Enum(EXPORT_TABLES, { description: "Which table (devices: an admin's)" }),
	},
	{ additionalProperties: false },
);

export const ExportQuery = Type.Object(
	{
		...DayRange.properties,
		step: Type.Optional(Step),
		lang: Type.Optional(Type.Enum(["uk", "en"], { description: "Column names: uk (default) or en" })),
	},
	{ additionalProperties: false },
);

export const LangQuery = Type.Object(
	{ lang: Type.Optional(Type.Enum(["uk", "en"], { description: "Column names: uk (default) or en" })) },
	{ additionalProperties: false },
);
