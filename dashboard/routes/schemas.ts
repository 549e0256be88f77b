/**
 * The shapes only the HTTP routes have: path and query parameters, and the answers the routes put
 * together around what core computes (whose schemas live beside the code in core/ and store/).
 * TypeScript types are `Static<…>` of these; fastify validates requests and serializes answers
 * with them, and /api/openapi.json is generated from them.
 */
import Type, { type Static } from "typebox";
import { BestTimeCell, BestTimes, Label } from "../../core/bestTimes.ts";
import { Contacts, INTERVAL_PATTERN, Names } from "../../core/centre.ts";
import { QUEUE_EVENTS } from "../../core/contract.ts";
import { HealthReason } from "../../core/health.ts";
import { ID_PATTERN } from "../../core/ids.ts";
import { ServiceView } from "../../core/liveView.ts";
import { OpeningState } from "../../core/openingHours.ts";
import { QualityReport } from "../../core/quality.ts";
import { Count, orNull } from "../../core/schemaParts.ts";
import { ServiceLevel } from "../../core/serviceLevels.ts";
import { TOKEN_PATTERN } from "../../core/ticketToken.ts";
import { WEEKDAYS } from "../../core/time.ts";
import { NoEstimateReason } from "../../core/waitEstimate.ts";
import { GroupBy, MAX_COMMENT, Measurement, SeriesRow, Step } from "../../store/types.ts";

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

const Weekday = Type.Enum(WEEKDAYS);
const HourLabel = Type.Object({
	hour: BestTimeCell.properties.hour,
	label: BestTimeCell.properties.label,
	waitMin: BestTimeCell.properties.waitMin,
});

/** One local day's opening hours, holiday applied (core/publicWait.ts `openingWeek`). */
export const OpeningDay = Type.Object({
	date: Type.String({ description: "Local date, YYYY-MM-DD" }),
	weekday: Weekday,
	hours: Type.Array(Type.String({ pattern: INTERVAL_PATTERN }), {
		description: 'Local hours "HH:MM-HH:MM"; empty when closed all day',
	}),
	holiday: orNull(
		Type.Object({ name: Type.Optional(Names) }, { description: "A dated exception replaces the weekday's hours" }),
	),
});

/** Whole minutes, the range outwards (core/publicWait.ts `publicEstimate`). */
const PublicBand = Type.Object(
	{
		minutes: Type.Integer({ minimum: 0, description: "Median estimated wait, whole minutes" }),
		low: Type.Integer({
			minimum: 0,
			description: "Low end of the range 80 % of visitors fall in, minutes (rounded down)",
		}),
		high: Type.Integer({ minimum: 0, description: "High end of that range, minutes (rounded up)" }),
	},
	{ description: "Estimated wait for a visitor taking a ticket now, with the range 80 % of visitors fall in" },
);

/**
 * The public answer: for anyone on the internet, so it has no ticket numbers, windows, ratings or
 * nodes — only the fields named here (the serializer drops anything else).
 */
export const PublicWait = Type.Object(
	{
		centre: Type.String(),
		name: Names,
		timeZone: Type.String({ description: "The centre's IANA time zone: its hours and `at` are read in it" }),
		at: Type.Integer({ description: "When the figures were computed, epoch ms" }),
		open: Type.Object({
			now: OpeningState.properties.open,
			nextChange: OpeningState.properties.nextChange,
			today: OpeningState.properties.today,
			holiday: OpeningState.properties.holiday,
			week: Type.Array(OpeningDay, { description: "Today and the six days after it" }),
		}),
		services: Type.Array(
			Type.Object({
				id: ServiceView.properties.id,
				name: Names,
				waiting: ServiceView.properties.waiting,
				targetWaitMin: ServiceView.properties.targetWaitMin,
				estimate: orNull(PublicBand),
				noEstimate: Type.Optional(NoEstimateReason),
				bestToday: Type.Array(HourLabel, {
					description: "The service's usual load for each open hour left today (the current one included)",
				}),
			}),
		),
		hall: Type.Array(
			Type.Object({
				id: Type.String(),
				load: Type.Number({ minimum: 0, description: "People in the zone ÷ its capacity (two decimals)" }),
				label: Type.Enum(Label.enum, {
					description: "quiet below 35 % of the capacity, busy from 75 %, usual between",
				}),
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

/** A centre for its public page: contacts, hours, and the best times of each service. */
export const PublicCentre = Type.Object(
	{
		centre: Type.String(),
		name: Names,
		timeZone: Type.String(),
		at: Type.Integer({ description: "When the answer was computed, epoch ms" }),
		ratingScale: Type.Integer({ description: "Ratings run 1..ratingScale, the highest best" }),
		contacts: Type.Optional(Contacts),
		week: Type.Array(OpeningDay, { description: "Today and the six days after it" }),
		services: Type.Array(
			Type.Object({
				id: Type.String(),
				name: Names,
				targetWaitMin: Type.Integer(),
				bestTimes: Type.Array(
					Type.Object({
						weekday: BestTimeCell.properties.weekday,
						hour: BestTimeCell.properties.hour,
						label: BestTimeCell.properties.label,
						waitMin: BestTimeCell.properties.waitMin,
					}),
					{ description: "Each open hour of the week: the usual wait for this service and its label" },
				),
			}),
		),
		bestTimesSpan: orNull(
			Type.Object(
				{ from: BestTimes.properties.from, to: BestTimes.properties.to },
				{ description: "The local dates the best times come from" },
			),
		),
	},
	{ description: "A centre for residents: contacts, opening hours and the best times to come per service" },
);
export type PublicCentre = Static<typeof PublicCentre>;

export const TicketParams = Type.Object(
	{
		centre: centreId,
		ticket: Type.String({
			minLength: 1,
			maxLength: 24,
			description: "Ticket number, e.g. A017 (Cyrillic А017 is read as A017)",
		}),
	},
	{ additionalProperties: false },
);

export const TicketQuery = Type.Object(
	{
		k: Type.Optional(
			Type.String({
				pattern: TOKEN_PATTERN,
				description: "The key of the ticket's own link, as its printed QR code carries it (core/ticketToken.ts)",
			}),
		),
	},
	{ additionalProperties: false },
);

export const TICKET_STAGES = ["waiting", "called", "serving", "served", "no_show", "cancelled"] as const;

/** A ticket of today, as the hall board shows it to anyone, plus its place in the queue. */
export const PublicTicket = Type.Object(
	{
		centre: Type.String(),
		ticket: Type.String(),
		at: Type.Integer({ description: "When the answer was computed, epoch ms" }),
		service: Type.Object({ id: Type.String(), name: Names }),
		stage: Type.Enum(TICKET_STAGES, {
			description: "waiting; called (go to `window`); serving; served; no_show; cancelled",
		}),
		window: orNull(Type.Object({ id: Type.String(), name: Type.String() })),
		ahead: orNull(Type.Integer({ minimum: 0, description: "While waiting: tickets of the service called before it" })),
		estimate: orNull(PublicBand),
		noEstimate: Type.Optional(NoEstimateReason),
		rating: Type.Optional(
			Type.Object(
				{
					status: Type.Enum(["not_yet", "open", "rated"], {
						description: "not_yet: not served yet; open: may be rated now (with `token`); rated: done",
					}),
					token: Type.Optional(Type.String({ description: "Form token for POST …/ratings (single use, 20 min)" })),
					scale: Type.Integer(),
				},
				{ description: "Only with the ticket's key (`k`): rating the visit from the ticket's own link" },
			),
		),
	},
	{ description: "A ticket issued today: its stage, window, place in the queue and estimated wait" },
);
export type PublicTicket = Static<typeof PublicTicket>;

export const RatingBody = Type.Object(
	{
		token: Type.String({ minLength: 1, maxLength: 1000, description: "The form token of the rating page" }),
		score: Type.Integer({ minimum: 1, maximum: 10, description: "1..the centre's scale, the highest best" }),
	},
	{ additionalProperties: false },
);

export const RatingAnswer = Type.Object(
	{
		counted: Type.Boolean({
			description:
				"False when it came within the lockout after the window's last rating, or the visit was rated already",
		}),
		comment: Type.Object({
			token: Type.String({ description: "Form token for POST …/comments (single use, 30 min)" }),
			maxLength: Type.Integer(),
		}),
	},
	{ description: "The rating was taken" },
);

export const CommentBody = Type.Object(
	{
		token: Type.String({ minLength: 1, maxLength: 1000 }),
		text: Type.String({
			minLength: 1,
			maxLength: MAX_COMMENT,
			description: "No personal data, please: it is read by the centre's managers",
		}),
	},
	{ additionalProperties: false },
);

export const CommentAnswer = Type.Object({ kept: Type.Boolean() }, { description: "The comment was kept" });

export const Comments = Type.Object(
	{
		...span,
		comments: Type.Array(
			Type.Object({
				at: Type.Integer({ description: "Written at, epoch ms" }),
				window: Type.String(),
				service: orNull(Type.String()),
				ticket: orNull(Type.String()),
				score: Type.Integer(),
				text: Type.String(),
			}),
		),
	},
	{ description: "Visitors' comments left after a QR rating, newest first (never published)" },
);

export const WindowParams = Type.Object(
	{ centre: centreId, window: Type.String({ pattern: ID_PATTERN, description: "Window id, e.g. w03" }) },
	{ additionalProperties: false },
);

export const LangQuery = Type.Object({
	lang: Type.Optional(Type.String({ description: "uk (default) or en" })),
});

/** No body: the client's copy (its ETag) is still current. */
export const NotModified = { description: "Not modified: the copy with this ETag is current", type: "null" } as const;

/** A text answer (not JSON) of one media type. */
export function textAnswer(mediaType: string, description: string) {
	return { description, content: { [mediaType]: { schema: { type: "string", description } } } };
}
