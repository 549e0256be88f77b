/**
 * StoredEvent ⇄ time-series point, after DESIGN.md's time-series layout (a contract for InfluxDB;
 * SQLite mirrors it in tables). Pure: no I/O, no clock.
 *
 * Every payload key is either a tag or a typed field of its measurement, or, when a value does not
 * fit (or the key is unknown to this version), kept in the JSON string field `rest` — so `fromPoint`
 * rebuilds the event's payload and derived values and a restarted hub can rebuild live state.
 */
import type { Kind } from "../core/contract.ts";
import { serialise } from "./errors.ts";
import type { Derived, StoredEvent } from "./types.ts";

export type FieldType = "int" | "float" | "string" | "bool";
export type PointMeasurement = "rating" | "queue" | "occupancy" | "node_status" | "request";
export type FieldValue = number | string | boolean;

export interface Layout {
	kind: Kind;
	tags: readonly string[];
	fields: Readonly<Record<string, FieldType>>;
}

/**
 * Tags and fields per measurement. DESIGN.md's listed tags and fields come first; the others
 * (`id`, `node`, `rx_ts`, `ticket`, `extra`, `rest`…) are added so raw events can be read back.
 * `request` (a node asking the dispatcher for the next ticket) is not in DESIGN.md's table: it is
 * kept in a measurement of its own so every accepted event is stored.
 */
export const LAYOUT: Readonly<Record<PointMeasurement, Layout>> = {
	rating: {
		kind: "rating",
		// `source` (button | qr) beside DESIGN.md's tags: managers tell the two apart.
		tags: ["centre", "window", "service", "source"],
		fields: {
			score: "int",
			scale: "int",
			// A press inside the lockout is not a rating: its score goes here, not into `score`,
			// so MEAN(score) is the satisfaction of real ratings only.
			extra_score: "int",
			extra: "bool",
			ticket: "string",
			id: "string",
			node: "string",
			rx_ts: "int",
			rest: "string",
		},
	},
	queue: {
		kind: "queue",
		tags: ["centre", "service", "event", "window", "priority"],
		fields: {
			wait_s: "float",
			service_s: "float",
			ticket: "string",
			id: "string",
			node: "string",
			rx_ts: "int",
			rest: "string",
		},
	},
	occupancy: {
		kind: "occupancy",
		tags: ["centre", "zone"],
		fields: { count: "int", in: "int", out: "int", id: "string", node: "string", rx_ts: "int", rest: "string" },
	},
	node_status: {
		kind: "status",
		tags: ["centre", "node"],
		fields: {
			online: "bool",
			buffered: "int",
			uptime_s: "float",
			cpu_temp_c: "float",
			version: "string",
			id: "string",
			rx_ts: "int",
			rest: "string",
		},
	},
	request: {
		kind: "request",
		tags: ["centre"],
		fields: { action: "string", id: "string", node: "string", rx_ts: "int", rest: "string" },
	},
};

export const MEASUREMENT_OF: Readonly<Record<Kind, PointMeasurement>> = {
	rating: "rating",
	queue: "queue",
	occupancy: "occupancy",
	status: "node_status",
	request: "request",
};

export const MEASUREMENTS = Object.keys(LAYOUT) as PointMeasurement[];

/**
 * Payload key → tag or field, per kind. Keys not listed (and values of the wrong type) go to
 * `rest`. `id` and `ts` are not listed: they are the event's own id and the point's time.
 */
const PAYLOAD: Readonly<Record<Kind, Readonly<Record<string, { tag: string } | { field: string }>>>> = {
	rating: {
		score: { field: "score" },
		scale: { field: "scale" },
		ticket: { field: "ticket" },
		extra: { field: "extra" },
		window: { tag: "window" },
		service: { tag: "service" },
		source: { tag: "source" },
	},
	queue: {
		event: { tag: "event" },
		service: { tag: "service" },
		window: { tag: "window" },
		priority: { tag: "priority" },
		ticket: { field: "ticket" },
	},
	occupancy: { zone: { tag: "zone" }, in: { field: "in" }, out: { field: "out" } },
	status: {
		online: { field: "online" },
		buffered: { field: "buffered" },
		uptimeS: { field: "uptime_s" },
		cpuTempC: { field: "cpu_temp_c" },
		version: { field: "version" },
	},
	request: { action: { field: "action" } },
};

export interface EventPoint {
	measurement: PointMeasurement;
	tags: Record<string, string>;
	fields: Record<string, FieldValue>;
	/** Nanoseconds since the epoch, as a decimal string (beyond 2^53). */
	timeNs: string;
}

/**
 * FNV-1a, 32 bit (offset basis 0x811c9dc5, prime 0x01000193), over the UTF-16 code units of the
 * text — the bytes themselves for the ASCII ids events carry.
 */
export function fnv1a32(text: string): number {
	let h = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) {
		h ^= text.charCodeAt(i);
		h = Math.imul(h, 0x01000193) >>> 0;
	}
	return h;
}

/**
 * A deterministic offset in [0, 1e6) ns from the event id (FNV-1a, 32 bit). InfluxDB keys a point
 * by measurement + tag set + time: two events of one series in the same millisecond would
 * overwrite each other at ms precision. With the offset they stay apart (unless their ids hash to
 * the same offset: about one pair in a million), while writing the same event again gives the
 * identical key and fields, so it overwrites itself — stored once. Points already written depend
 * on it: a change here makes a resent event a second point (test/unit/store-point-time.test.ts).
 */
export function idOffsetNs(id: string): number {
	return fnv1a32(id) % 1_000_000;
}

/** The point time of an event: ts * 1e6 + idOffsetNs(id), in ns. */
export function pointTimeNs(ts: number, id: string): string {
	const ms = Math.trunc(ts);
	// ts * 1e6 + offset, written as digits: the offset has at most six, so appending them is exact
	// (and avoids BigInt arithmetic on the write path).
	if (ms > 0) return `${ms}${String(idOffsetNs(id)).padStart(6, "0")}`;
	return (BigInt(ms) * 1_000_000n + BigInt(idOffsetNs(id))).toString();
}

function fits(type: FieldType, v: unknown): v is FieldValue {
	switch (type) {
		case "int":
			return Number.isSafeInteger(v);
		case "float":
			return typeof v === "number" && Number.isFinite(v);
		case "string":
			return typeof v === "string";
		case "bool":
			return typeof v === "boolean";
	}
}

const isTagValue = (v: unknown): v is string => typeof v === "string" && v.length > 0;

export function toPoint(e: StoredEvent): EventPoint {
	const p = pointBody(e) as EventPoint;
	p.timeNs = pointTimeNs(e.ts, e.id);
	return p;
}

/** The point of an event without its time (what the SQLite mirror row needs). */
export function pointBody(e: StoredEvent): Omit<EventPoint, "timeNs"> {
	const kind = e.kind;
	const measurement = MEASUREMENT_OF[kind];
	const layout = LAYOUT[measurement];
	const tags: Record<string, string> = { centre: e.centre };
	const fields: Record<string, FieldValue> = { id: e.id, rx_ts: Math.trunc(e.rxTs) };
	if (measurement === "node_status") tags.node = e.node;
	else fields.node = e.node;
	let rest: Record<string, unknown> | undefined;
	const map = PAYLOAD[kind];
	const data = e.data;
	for (const key in data) {
		const value = data[key];
		if (key === "id" || key === "ts") {
			if (value !== (key === "id" ? e.id : e.ts)) rest = put(rest, key, value);
			continue;
		}
		if (kind === "occupancy" && key === "count") continue; // see addDerived
		const to = map[key];
		if (to && "tag" in to && isTagValue(value)) tags[to.tag] = value;
		else if (to && "field" in to && fits(layout.fields[to.field] as FieldType, value)) fields[to.field] = value;
		else rest = put(rest, key, value);
	}
	if (!("id" in data)) rest = put(rest, "id", null);
	if (!("ts" in data)) rest = put(rest, "ts", null);
	if (kind === "rating" && fields.extra === true && "score" in fields) {
		fields.extra_score = fields.score as number;
		delete fields.score;
	}
	if (kind === "queue" || kind === "occupancy") rest = addDerived(e, fields, rest);
	if (rest !== undefined) fields.rest = serialise(rest, e.id);
	return { measurement, tags, fields };
}

/** Set `key` on `rest`, made when first needed (most events have nothing for it). */
function put(rest: Record<string, unknown> | undefined, key: string, value: unknown): Record<string, unknown> {
	const r = rest ?? {};
	r[key] = value;
	return r;
}

function addDerived(
	e: StoredEvent,
	fields: Record<string, FieldValue>,
	rest: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
	const d = e.derived ?? {};
	if (e.kind === "queue") {
		if (fits("float", d.wait_s)) fields.wait_s = d.wait_s;
		if (fits("float", d.service_s)) fields.service_s = d.service_s;
	}
	if (e.kind === "occupancy") {
		// `count` is the number of people after the event: derived at ingest, or the payload's own
		// count. A payload count that disagrees with the derived one is kept in `rest`.
		const given = e.data.count;
		const count = fits("int", d.count) ? d.count : fits("int", given) ? given : undefined;
		if (count !== undefined) fields.count = count;
		if (given !== undefined && given !== count) rest = put(rest, "count", given);
	}
	return rest;
}

/** Rebuild the event from a point read back (tags and fields by name, time in epoch ms). */
export function fromPoint(
	measurement: PointMeasurement,
	row: Readonly<Record<string, unknown>>,
	ts: number,
): StoredEvent {
	const layout = LAYOUT[measurement];
	const kind = layout.kind;
	const data: Record<string, unknown> = { id: row.id, ts };
	for (const [key, to] of Object.entries(PAYLOAD[kind])) {
		const v = "tag" in to ? row[to.tag] : row[to.field];
		if (v !== null && v !== undefined && v !== "") data[key] = v;
	}
	const derived: Derived = {};
	if (kind === "rating" && row.extra === true && typeof row.extra_score === "number") data.score = row.extra_score;
	if (kind === "queue") {
		if (typeof row.wait_s === "number") derived.wait_s = row.wait_s;
		if (typeof row.service_s === "number") derived.service_s = row.service_s;
	}
	if (kind === "occupancy" && typeof row.count === "number") {
		derived.count = row.count;
		if (data.in === undefined && data.out === undefined) data.count = row.count;
	}
	if (typeof row.rest === "string" && row.rest.length > 0) {
		for (const [k, v] of Object.entries(JSON.parse(row.rest) as Record<string, unknown>)) {
			if (v === null && (k === "id" || k === "ts")) delete data[k];
			else data[k] = v;
		}
	}
	const event: StoredEvent = {
		id: String(row.id),
		centre: String(row.centre),
		node: String(row.node),
		kind,
		ts,
		rxTs: Number(row.rx_ts),
		data,
	};
	if (Object.keys(derived).length > 0) event.derived = derived;
	return event;
}

/** Time order for read-back: edge time, then receive time, then id (stable across backends). */
export function byTime(a: StoredEvent, b: StoredEvent): number {
	return a.ts - b.ts || a.rxTs - b.rxTs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
