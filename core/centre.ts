/**
 * The layout of one service centre (ЦНАП): services, windows, zones, nodes, hours.
 * Schema is the single source: the config loader validates files against it, the hub,
 * the simulator and the edge read the derived type.
 */
import Type, { type Static } from "typebox";
import { ID_PATTERN } from "./ids.ts";

const id = Type.String({ pattern: ID_PATTERN, description: "lower-case id: [a-z0-9][a-z0-9-]{0,31}" });
const names = Type.Object(
	{ uk: Type.String({ minLength: 1 }), en: Type.String({ minLength: 1 }) },
	{ additionalProperties: false, description: "Name in Ukrainian (shown by default) and English" },
);

/** "09:00-16:00"; several intervals a day allow a lunch break. A day may close at 24:00, not later. */
export const INTERVAL_PATTERN = "^([01][0-9]|2[0-3]):[0-5][0-9]-(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$";
const interval = Type.String({ pattern: INTERVAL_PATTERN, description: 'opening interval "HH:MM-HH:MM"' });
const day = Type.Array(interval, { default: [] });

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

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
		name: names,
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
		name: Type.Optional(names),
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

export const Centre = Type.Object(
	{
		id,
		name: names,
		timeZone: Type.String({ minLength: 1, default: "Europe/Kyiv" }),
		ratingScale: Type.Integer({ minimum: 3, maximum: 10, default: 5 }),
		hours: Hours,
		priorityCategories: Type.Array(id, { default: [] }),
		services: Type.Array(Service, { minItems: 1 }),
		windows: Type.Array(Window, { minItems: 1 }),
		zones: Type.Array(Zone, { default: [] }),
		nodes: Type.Array(Node, { default: [] }),
	},
	{ additionalProperties: false },
);

export type Centre = Static<typeof Centre>;
export type Service = Static<typeof Service>;
export type Window = Static<typeof Window>;
export type Zone = Static<typeof Zone>;
export type Node = Static<typeof Node>;
export type NodeRole = (typeof NODE_ROLES)[number];

/** A problem found in a centre beyond what the schema can say (cross references, duplicates). */
export interface LayoutProblem {
	path: string;
	message: string;
}

/** Cross-reference checks: ids unique, windows serve known services, nodes point at known windows/zones. */
export function checkLayout(c: Centre): LayoutProblem[] {
	const problems: LayoutProblem[] = [];
	const unique = (list: { id: string }[], where: string) => {
		const seen = new Map<string, number>();
		list.forEach((item, i) => {
			const first = seen.get(item.id);
			if (first !== undefined) {
				problems.push({
					path: `/${where}/${i}/id`,
					message: `duplicate id "${item.id}" (first at /${where}/${first})`,
				});
			} else seen.set(item.id, i);
		});
		return seen;
	};
	const services = unique(c.services, "services");
	const windows = unique(c.windows, "windows");
	const zones = unique(c.zones, "zones");
	unique(c.nodes, "nodes");
	const prefixes = new Map<string, string>();
	c.services.forEach((s, i) => {
		const other = prefixes.get(s.prefix);
		if (other)
			problems.push({
				path: `/services/${i}/prefix`,
				message: `prefix "${s.prefix}" is also used by service "${other}"`,
			});
		else prefixes.set(s.prefix, s.id);
	});
	c.windows.forEach((w, i) => {
		w.services.forEach((s, j) => {
			if (!services.has(s)) problems.push({ path: `/windows/${i}/services/${j}`, message: `unknown service "${s}"` });
		});
	});
	const windowNodes = new Map<string, string>();
	c.nodes.forEach((n, i) => {
		if (n.role === "window") {
			if (!n.window) problems.push({ path: `/nodes/${i}`, message: `a window node needs "window"` });
			else if (!windows.has(n.window))
				problems.push({ path: `/nodes/${i}/window`, message: `unknown window "${n.window}"` });
			else if (windowNodes.has(n.window)) {
				problems.push({
					path: `/nodes/${i}/window`,
					message: `window "${n.window}" already has node "${windowNodes.get(n.window)}"`,
				});
			} else windowNodes.set(n.window, n.id);
		}
		if (n.role === "door") {
			if (!n.zone) problems.push({ path: `/nodes/${i}`, message: `a door node needs "zone"` });
			else if (!zones.has(n.zone)) problems.push({ path: `/nodes/${i}/zone`, message: `unknown zone "${n.zone}"` });
		}
	});
	for (const d of ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const) {
		let previous: { iv: string; to: string } | undefined;
		c.hours[d].forEach((iv, i) => {
			const [from = "", to = ""] = iv.split("-");
			if (from >= to) problems.push({ path: `/hours/${d}/${i}`, message: `interval "${iv}" closes before it opens` });
			else if (previous && from < previous.to) {
				problems.push({
					path: `/hours/${d}/${i}`,
					message: `interval "${iv}" starts before the previous one "${previous.iv}" ends (list a day's intervals in order, without overlap)`,
				});
			}
			if (from < to) previous = { iv, to };
		});
	}
	try {
		new Intl.DateTimeFormat("en", { timeZone: c.timeZone });
	} catch {
		problems.push({
			path: "/timeZone",
			message: `unknown time zone "${c.timeZone}" (use an IANA name such as Europe/Kyiv)`,
		});
	}
	return problems;
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
