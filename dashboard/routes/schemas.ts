/**
 * The shapes only the HTTP routes have: path and query parameters, and the answers the routes put
 * together around what core computes (whose schemas live beside the code in core/ and store/).
 * TypeScript types are `Static<…>` of these; fastify validates requests and serializes answers
 * with them, and /api/openapi.json is generated from them.
 */
import Type, { type Static } from "typebox";
import { BestTimeCell, BestTimes } from "../../core/bestTimes.ts";
import { Names } from "../../core/centre.ts";
import { QUEUE_EVENTS } from "../../core/contract.ts";
import { HealthReason } from "../../core/health.ts";
import { ID_PATTERN } from "../../core/ids.ts";
import { ServiceView, WaitRange } from "../../core/liveView.ts";
import { OpeningState } from "../../core/openingHours.ts";
import { QualityReport } from "../../core/quality.ts";
import { Count, orNull } from "../../core/schemaParts.ts";
import { ServiceLevel } from "../../core/serviceLevels.ts";
import { GroupBy, Measurement, SeriesRow, Step } from "../../store/types.ts";

const centreId = Type.String({ pattern: ID_PATTERN, description: "Centre id, e.g. demo" });
const DAY = "^\\d{4}-\\d{2}-\\d{2}$";
const day = (description: string) => Type.String({ pattern: DAY, description });

// ── Requests ────────────────────────────────────────────────────────────────────────────────────

export const CentreParams = Type.Object({ centre: centreId }, { additionalProperties: false });

/** A query that takes no parameters: any given is a bad request. */
export const NoQuery = Type.Object({}, { additionalProperties: false });

/** Local days of the centre, `to` inclusive; default today. */
export const DayRange = Type.Object(
	{
		from: Type.Optional(day("First local day, YYYY-MM-DD (default: to, or today)")),
		to: Type.Optional(day("Last local day, inclusive, YYYY-MM-DD (default: from, or today); at most 92 days")),
	},
	{ additionalProperties: false },
);

export const HistoryQuery = Type.Object(
	{
		measurement: Measurement,
		field: Type.String({
			pattern: "^[a-z_]{1,32}$",
			description: "rating: score; queue: wait_s | service_s; occupancy: count; node_status: buffered",
		}),
		...DayRange.properties,
		step: Type.Optional(Step),
		groupBy: Type.Optional(GroupBy),
		event: Type.Optional(Type.Enum(QUEUE_EVENTS, { description: "Only queue events of this kind" })),
	},
	{ additionalProperties: false },
);

export const StreamQuery = Type.Object(
	{ centre: Type.Optional(Type.String({ pattern: ID_PATTERN, description: "One centre (default: every centre)" })) },
	{ additionalProperties: false },
);

/** Read by the page's script in the browser, not by the server; other parameters are ignored. */
export const PageQuery = Type.Object({
	centre: Type.Optional(Type.String({ description: "Centre to show (default: the first one)" })),
	lang: Type.Optional(Type.String({ description: "uk (default) or en" })),
	span: Type.Optional(Type.String({ description: "A report view's period ending today: day, week or month" })),
	from: Type.Optional(Type.String({ description: "A report view's first day, YYYY-MM-DD (with to)" })),
	to: Type.Optional(Type.String({ description: "A report view's last day, YYYY-MM-DD (with from)" })),
	day: Type.Optional(Type.String({ description: "The daily report's day, YYYY-MM-DD (default today)" })),
});

// ── Answers ─────────────────────────────────────────────────────────────────────────────────────

/** What the process running the hub adds to /healthz (server/hub.ts). */
export const HealthFacts = Type.Object({
	status: Type.Optional(Type.Enum(["ok", "degraded"])),
	reasons: Type.Optional(
		Type.Array(HealthReason, {
			description: "Why the hub is degraded, one entry per reason (docs/errors.md, Health); empty when ok",
		}),
	),
	freeBytes: Type.Optional(Type.Integer({ minimum: 0, description: "Free bytes on the data dir's file system" })),
	spoolOldestAgeS: Type.Optional(
		Type.Number({ minimum: 0, description: "Seconds the oldest spooled event has waited (absent when none waits)" }),
	),
	deadLetters: Type.Optional(
		Type.Object(
			{
				count: Count,
				last: Type.Optional(Type.Object({ id: Type.String(), reason: Type.String(), at: Type.Integer() })),
			},
			{ description: "Events no store would take, kept in the spool (docs/durability.md)" },
		),
	),
	mqttPort: Type.Optional(Type.Integer()),
	store: Type.Optional(Type.String()),
	spooled: Type.Optional(Count),
	clients: Type.Optional(Count),
});
export type HealthFacts = Static<typeof HealthFacts>;

export const Health = Type.Object(
	{
		status: Type.Enum(["ok", "degraded"], {
			description:
				"degraded while the hub cannot store, is short of disk, lets events wait or sees them arrive late, and for 24 h after a dead letter: `reasons` says why",
		}),
		uptimeS: Type.Integer({ minimum: 0 }),
		reasons: HealthFacts.properties.reasons,
		freeBytes: HealthFacts.properties.freeBytes,
		spoolOldestAgeS: HealthFacts.properties.spoolOldestAgeS,
		deadLetters: HealthFacts.properties.deadLetters,
		mqttPort: HealthFacts.properties.mqttPort,
		store: HealthFacts.properties.store,
		spooled: HealthFacts.properties.spooled,
		clients: HealthFacts.properties.clients,
	},
	{ description: "Liveness and health: why degraded, free disk, MQTT port, store, spool depth and age, dead letters" },
);

export const Centres = Type.Object(
	{
		centres: Type.Array(
			Type.Object({
				id: Type.String(),
				name: Names,
				timeZone: Type.String(),
				services: Type.Array(
					Type.Object({ id: Type.String(), name: Names, targetWaitMin: Type.Integer({ description: "minutes" }) }),
				),
				windows: Type.Integer({ description: "Number of windows" }),
				ratingScale: Type.Integer({ description: "Top score of the rating buttons (5 = best)" }),
				zones: Type.Array(Type.Object({ id: Type.String(), name: orNull(Names), capacity: Type.Integer() })),
				administrators: Type.Array(
					Type.Object(
						{ id: Type.String(), name: orNull(Type.String()), windows: Type.Array(Type.String()) },
						{ description: "Who usually works at which windows (a staff code; a name if the centre gives one)" },
					),
				),
			}),
		),
	},
	{ description: "Configured centres and their services" },
);

const span = {
	centre: Type.String(),
	from: Type.String({ description: "First local day of the report" }),
	to: Type.String({ description: "Last local day of the report (inclusive)" }),
};

export const Quality = Type.Object(
	{ ...span, ...QualityReport.properties },
	{ description: "Ratings per window, service, administrator and day" },
);

export const ServiceLevels = Type.Object(
	{ ...span, levels: Type.Array(ServiceLevel) },
	{ description: "Per service and local day: within target, no-shows, waits and service times" },
);

export const History = Type.Object(
	{ ...span, step: Step, rows: Type.Array(SeriesRow) },
	{ description: "One field of a measurement in time buckets" },
);

/**
 * The public answer: for anyone on the internet, so it has no ticket numbers, windows, ratings or
 * nodes — only the fields named here (the serializer drops anything else).
 */
export const PublicWait = Type.Object(
	{
		centre: Type.String(),
		name: Names,
		at: Type.Integer({ description: "When the figures were computed, epoch ms" }),
		open: Type.Object({
			now: OpeningState.properties.open,
			nextChange: OpeningState.properties.nextChange,
			today: OpeningState.properties.today,
			holiday: OpeningState.properties.holiday,
		}),
		services: Type.Array(
			Type.Object({
				id: ServiceView.properties.id,
				name: Names,
				waiting: ServiceView.properties.waiting,
				targetWaitMin: ServiceView.properties.targetWaitMin,
				estimate: orNull(WaitRange),
				noEstimate: ServiceView.properties.noEstimate,
			}),
		),
		hall: Type.Array(
			Type.Object({
				id: Type.String(),
				load: Type.Number({ minimum: 0, description: "People in the zone ÷ its capacity (two decimals)" }),
			}),
		),
		bestTimes: orNull(
			Type.Object({
				from: BestTimes.properties.from,
				to: BestTimes.properties.to,
				hours: Type.Array(
					Type.Object({
						weekday: BestTimeCell.properties.weekday,
						hour: BestTimeCell.properties.hour,
						label: BestTimeCell.properties.label,
						waitMin: BestTimeCell.properties.waitMin,
					}),
				),
			}),
		),
	},
	{ description: "Waits per service as a range, open or closed, hall load and the best times to come" },
);
export type PublicWait = Static<typeof PublicWait>;

/** A text answer (not JSON) of one media type. */
export function textAnswer(mediaType: string, description: string) {
	return { description, content: { [mediaType]: { schema: { type: "string", description } } } };
}
