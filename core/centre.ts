/**
 * The layout of one service centre (ЦНАП): services, windows, zones, nodes, hours.
 * Schema is the single source: the config loader validates files against it, the hub,
 * the simulator and the edge read the derived type.
 */
import Type, { type Static, type TSchema } from "typebox";
import { ID_PATTERN } from "./ids.ts";

const id = Type.String({ pattern: ID_PATTERN, description: "lower-case id: [a-z0-9][a-z0-9-]{0,31}" });
export const Names = Type.Object(
	{ uk: Type.String({ minLength: 1 }), en: Type.String({ minLength: 1 }) },
	{ additionalProperties: false, description: "Name in Ukrainian (shown by default) and English" },
);

/**
 * The time zone of a centre whose file names none — the one default zone of the project; every
 * other part gets the zone from the centre (hub, store, simulator, dashboard) or its own config.
 */
export const DEFAULT_TIME_ZONE = "Europe/Kyiv";

/** "09:00-16:00"; several intervals a day allow a lunch break. A day may close at 24:00, not later. */
export const INTERVAL_PATTERN = "^([01][0-9]|2[0-3]):[0-5][0-9]-(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$";
const interval = Type.String({ pattern: INTERVAL_PATTERN, description: 'opening interval "HH:MM-HH:MM"' });
const day = Type.Array(interval, { default: [] });

export const Hours = Type.Object(
	{
		mon: day,
		tue: day,
		wed: day,
		thu: day,
		fri: day,
		sat: day,
		sun: day,
	},
	{ additionalProperties: false },
);

export const Service = Type.Object(
	{
		id,
		name: Names,
		prefix: Type.String({ pattern: "^[A-Z]{1,2}$", description: "Ticket prefix, e.g. A for A017" }),
		targetWaitMin: Type.Integer({ minimum: 1, maximum: 600, description: "Target waiting time, minutes" }),
		meanServiceMin: Type.Optional(
			Type.Number({ exclusiveMinimum: 0, maximum: 240, description: "Typical service time, minutes" }),
		),
	},
	{ additionalProperties: false },
);

export const Window = Type.Object(
	{
		id,
		name: Type.Optional(Type.String({ minLength: 1 })),
		services: Type.Array(id, { minItems: 1 }),
		priority: Type.Boolean({ default: false, description: "Priority desk (IDPs, service members, veterans)" }),
	},
	{ additionalProperties: false },
);

export const Zone = Type.Object(
	{
		id,
		name: Type.Optional(Names),
		capacity: Type.Integer({ minimum: 1, maximum: 100_000 }),
	},
	{ additionalProperties: false },
);

export const NODE_ROLES = ["window", "terminal", "door"] as const;
export const Node = Type.Object(
	{
		id,
		role: Type.Union([Type.Literal("window"), Type.Literal("terminal"), Type.Literal("door")]),
		window: Type.Optional(id),
		zone: Type.Optional(id),
	},
	{ additionalProperties: false },
);

/** A local calendar date, "2026-08-24". */
export const DATE_PATTERN = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$";

/**
 * A dated exception to the weekly hours: a public holiday (no intervals: closed) or a day with
 * other hours (a shortened pre-holiday day, a working Saturday). Replaces that date's weekday hours.
 */
export const Holiday = Type.Object(
	{
		date: Type.String({ pattern: DATE_PATTERN, description: 'local date "YYYY-MM-DD"' }),
		hours: Type.Array(interval, { default: [], description: "Opening intervals that day; empty = closed" }),
		name: Type.Optional(Names),
	},
	{ additionalProperties: false },
);

/**
 * Who usually works at which windows, so quality can be reported per administrator. An id (a staff
 * code) is enough: the system needs no personal data.
 */
export const Administrator = Type.Object(
	{
		id,
		name: Type.Optional(Type.String({ minLength: 1 })),
		windows: Type.Array(id, { default: [], description: "Windows this administrator works at" }),
	},
	{ additionalProperties: false },
);

/** Default thresholds of the alert rules (core/alerts.ts); the schema's defaults come from here. */
export const ALERT_DEFAULTS = {
	waitOverTarget: { enabled: true, criticalFactor: 2 },
	occupancy: { enabled: true, share: 0.9, criticalShare: 1 },
	nodeOffline: { enabled: true, afterS: 120, onlyWhenOpen: true },
	lowRatings: { enabled: true, windowMin: 15, minRatings: 4, share: 0.5 },
	queueIdle: { enabled: true, idleS: 300, growMin: 10, minWaiting: 3 },
	silentWindow: { enabled: true, minS: 60 },
	hubHealth: { enabled: true },
	printer: { enabled: true },
} as const;

const enabled = (on: boolean) => Type.Boolean({ default: on, description: "Whether this rule raises alerts" });
const rule = <P extends Record<string, TSchema>>(properties: P, description: string) =>
	Type.Object(properties, { additionalProperties: false, default: {}, description });
const D = ALERT_DEFAULTS;

export const AlertRules = Type.Object(
	{
		waitOverTarget: Type.Optional(
			rule(
				{
					enabled: enabled(D.waitOverTarget.enabled),
					criticalFactor: Type.Number({
						minimum: 1,
						maximum: 10,
						default: D.waitOverTarget.criticalFactor,
						description: "Critical when the longest wait reaches this many times the service's target",
					}),
				},
				"A ticket has waited longer than its service's targetWaitMin",
			),
		),
		occupancy: Type.Optional(
			rule(
				{
					enabled: enabled(D.occupancy.enabled),
					share: Type.Number({
						exclusiveMinimum: 0,
						maximum: 10,
						default: D.occupancy.share,
						description: "Warning from this share of the zone's capacity",
					}),
					criticalShare: Type.Number({
						exclusiveMinimum: 0,
						maximum: 10,
						default: D.occupancy.criticalShare,
						description: "Critical from this share of the zone's capacity",
					}),
				},
				"A zone holds more people than a share of its capacity",
			),
		),
		nodeOffline: Type.Optional(
			rule(
				{
					enabled: enabled(D.nodeOffline.enabled),
					afterS: Type.Integer({
						minimum: 1,
						maximum: 604_800,
						default: D.nodeOffline.afterS,
						description: "Seconds a node must be offline before the alert",
					}),
					onlyWhenOpen: Type.Boolean({
						default: D.nodeOffline.onlyWhenOpen,
						description: "Only during opening hours (nodes may be switched off at night)",
					}),
				},
				"An edge node is offline",
			),
		),
		lowRatings: Type.Optional(
			rule(
				{
					enabled: enabled(D.lowRatings.enabled),
					windowMin: Type.Integer({
						minimum: 1,
						maximum: 1440,
						default: D.lowRatings.windowMin,
						description: "Minutes of ratings looked at",
					}),
					minRatings: Type.Integer({
						minimum: 1,
						maximum: 1000,
						default: D.lowRatings.minRatings,
						description: "At least this many ratings in that time",
					}),
					share: Type.Number({
						exclusiveMinimum: 0,
						maximum: 1,
						default: D.lowRatings.share,
						description: "Alert when at least this share of them is in the bottom two scores",
					}),
				},
				"Low ratings at one window",
			),
		),
		queueIdle: Type.Optional(
			rule(
				{
					enabled: enabled(D.queueIdle.enabled),
					idleS: Type.Integer({
						minimum: 1,
						maximum: 86_400,
						default: D.queueIdle.idleS,
						description: "A window counts as idle after this many seconds without a ticket",
					}),
					growMin: Type.Integer({
						minimum: 1,
						maximum: 240,
						default: D.queueIdle.growMin,
						description: "The queue must have grown over this many minutes",
					}),
					minWaiting: Type.Integer({
						minimum: 1,
						maximum: 10_000,
						default: D.queueIdle.minWaiting,
						description: "And hold at least this many tickets",
					}),
				},
				"A service's queue grows while a window serving it is idle",
			),
		),
		silentWindow: Type.Optional(
			rule(
				{
					enabled: enabled(D.silentWindow.enabled),
					minS: Type.Integer({
						minimum: 1,
						maximum: 86_400,
						default: D.silentWindow.minS,
						description: "A window's usual reaction (learnt from its calls) is taken as at least this many seconds",
					}),
				},
				"An open window calls nobody while tickets it serves wait, for longer than it usually takes to call (core/silence.ts): possibly away",
			),
		),
		hubHealth: Type.Optional(
			rule(
				{ enabled: enabled(D.hubHealth.enabled) },
				"The hub itself is degraded (the store cannot write, the disk is nearly full, events wait or arrive late: docs/errors.md, Health)",
			),
		),
		printer: Type.Optional(
			rule(
				{ enabled: enabled(D.printer.enabled) },
				"A ticket terminal's printer cannot print: paper out, cover open or offline (from the terminal's status)",
			),
		),
		webhookUrl: Type.Optional(
			Type.String({
				pattern: "^https?://",
				description: "Alerts raised and resolved are also POSTed here as JSON (e.g. a Telegram bot gateway)",
			}),
		),
	},
	{ additionalProperties: false, default: {} },
);

/** The hall board (табло) at /board/{centre}: who may open it and what it shows. */
export const Board = Type.Object(
	{
		public: Type.Boolean({
			default: false,
			description:
				"Anyone may open /board/{centre} without signing in (a TV in the hall); otherwise a signed-in user who sees the centre (a viewer account for the TV)",
		}),
		languages: Type.Array(Type.Union([Type.Literal("uk"), Type.Literal("en")]), {
			minItems: 1,
			maxItems: 2,
			default: ["uk"],
			description: "Languages of the board's labels; two alternate every alternateS seconds",
		}),
		alternateS: Type.Integer({
			minimum: 3,
			maximum: 600,
			default: 10,
			description: "Seconds each language stays on the board when two are given",
		}),
		calls: Type.Integer({ minimum: 1, maximum: 20, default: 6, description: "How many latest calls the board shows" }),
	},
	{ additionalProperties: false, default: {} },
);

/**
 * How residents find and reach the centre, shown on its public page and in the public API: every
 * field optional, none of them about a person (the centre's own address, phone and e-mail).
 */
export const Contacts = Type.Object(
	{
		address: Type.Optional(Names),
		phone: Type.Optional(
			Type.String({
				pattern: "^\\+?[0-9][0-9 ()-]{4,24}$",
				description: 'The centre\'s phone, e.g. "+380 56 123 45 67"',
			}),
		),
		email: Type.Optional(
			Type.String({ pattern: "^[^@\\s]+@[^@\\s]+$", maxLength: 120, description: "The centre's e-mail" }),
		),
		mapUrl: Type.Optional(
			Type.String({ pattern: "^https://", maxLength: 500, description: "A map of the centre's location (https://…)" }),
		),
		website: Type.Optional(Type.String({ pattern: "^https://", maxLength: 500, description: "The centre's website" })),
	},
	{ additionalProperties: false, description: "Address and contacts shown to residents" },
);

export const Centre = Type.Object(
	{
		id,
		name: Names,
		timeZone: Type.String({ minLength: 1, default: DEFAULT_TIME_ZONE }),
		ratingScale: Type.Integer({ minimum: 3, maximum: 10, default: 5 }),
		hours: Hours,
		priorityCategories: Type.Array(id, { default: [] }),
		services: Type.Array(Service, { minItems: 1 }),
		windows: Type.Array(Window, { minItems: 1 }),
		zones: Type.Array(Zone, { default: [] }),
		nodes: Type.Array(Node, { default: [] }),
		holidays: Type.Optional(Type.Array(Holiday, { default: [] })),
		administrators: Type.Optional(Type.Array(Administrator, { default: [] })),
		alerts: Type.Optional(AlertRules),
		board: Type.Optional(Board),
		contacts: Type.Optional(Contacts),
	},
	{ additionalProperties: false },
);

export type Board = Static<typeof Board>;
export type Contacts = Static<typeof Contacts>;
export type Centre = Static<typeof Centre>;
export type Holiday = Static<typeof Holiday>;
export type Administrator = Static<typeof Administrator>;
export type AlertRules = Static<typeof AlertRules>;
export type Service = Static<typeof Service>;
export type Window = Static<typeof Window>;
export type Zone = Static<typeof Zone>;
export type Node = Static<typeof Node>;
export type NodeRole = (typeof NODE_ROLES)[number];

/** Each centre's time zone, by centre id (what the store needs of the centre files). */
export function timeZonesOf(centres: readonly Pick<Centre, "id" | "timeZone">[]): Record<string, string> {
	return Object.fromEntries(centres.map((c) => [c.id, c.timeZone]));
}

/** Fast lookups derived from a centre, built once at load. */
export interface CentreIndex {
	centre: Centre;
	services: Map<string, Service>;
	windows: Map<string, Window>;
	zones: Map<string, Zone>;
	nodes: Map<string, Node>;
	/** window id → node id serving it */
	windowNode: Map<string, string>;
}

export function indexCentre(centre: Centre): CentreIndex {
	const byId = <T extends { id: string }>(list: T[]) => new Map(list.map((x) => [x.id, x]));
	const windowNode = new Map<string, string>();
	for (const n of centre.nodes) if (n.role === "window" && n.window) windowNode.set(n.window, n.id);
	return {
		centre,
		services: byId(centre.services),
		windows: byId(centre.windows),
		zones: byId(centre.zones),
		nodes: byId(centre.nodes),
		windowNode,
	};
}
