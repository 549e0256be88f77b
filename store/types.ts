/**
 * The store interface every backend implements: the write side for ingest, the read side for
 * the hub (rebuild of live state) and the dashboard (history). One contract test suite
 * (test/contract/store.contract.ts) runs against every backend.
 */
import Type, { type Static } from "typebox";
import type { Kind, QueueEventType } from "../core/contract.ts";
import { Count, orNull } from "../core/schemaParts.ts";
import type { DayTallies } from "../core/serviceLevels.ts";
import type { PayloadText } from "./payloadText.ts";

/** Values the hub computes at ingest and stores beside the payload. */
export interface Derived {
	/** On queue `called`: seconds since the ticket was issued. */
	wait_s?: number;
	/** On queue `finished`: seconds since service started (or since the call). */
	service_s?: number;
	/** On occupancy: people in the zone after this event (in/out applied, never below 0). */
	count?: number;
}

/** One accepted event as stored: where it came from, when, its payload as received, and derived values. */
export interface StoredEvent {
	id: string;
	centre: string;
	node: string;
	kind: Kind;
	/** Edge time, epoch ms (the payload's `ts`). */
	ts: number;
	/** Hub receive time, epoch ms. */
	rxTs: number;
	data: Record<string, unknown>;
	derived?: Derived;
	/**
	 * The JSON text of `data`, when the one who built the event has it (ingest: the payload as
	 * received); stores write it instead of serialising `data`. Made only with `payloadText`, and
	 * used only while `data` is the object it was made with (store/payloadText.ts), so replacing
	 * `data` leaves nothing stale. Never stored itself; events read back do not have it.
	 */
	text?: PayloadText | undefined;
}

export const Measurement = Type.Enum(["rating", "queue", "occupancy", "node_status"]);
export type Measurement = Static<typeof Measurement>;
export const Step = Type.Enum(["1m", "5m", "15m", "1h", "1d"]);
export type Step = Static<typeof Step>;
/** The tags a series may be grouped by. */
export const GroupBy = Type.Enum(["service", "window", "zone", "event", "priority"]);
export type GroupBy = Static<typeof GroupBy>;
export const STEP_MS: Record<Step, number> = {
	"1m": 60_000,
	"5m": 300_000,
	"15m": 900_000,
	"1h": 3_600_000,
	"1d": 86_400_000,
};

/** A time-bucketed aggregate of one field (DESIGN.md's time-series layout). */
export interface SeriesQuery {
	centre: string;
	measurement: Measurement;
	/** e.g. rating: score; queue: wait_s | service_s; occupancy: count; node_status: buffered */
	field: string;
	/** fromTs <= ts < toTs, epoch ms */
	fromTs: number;
	toTs: number;
	/** Bucket width. Buckets of "1d" start at local midnight of `timeZone` (23 or 25 hours on DST days). */
	step: Step;
	timeZone: string;
	/** One series per tag value. */
	groupBy?: GroupBy;
	/** Tag filters. */
	where?: { event?: QueueEventType; service?: string; window?: string; zone?: string };
}

const figure = orNull(Type.Number());
export const SeriesRow = Type.Object({
	/** Bucket start, epoch ms. */
	t: Type.Integer({ description: "Bucket start, epoch ms" }),
	/** Tag value when grouped. */
	group: Type.Optional(Type.String({ description: "Tag value when grouped" })),
	count: Count,
	mean: figure,
	min: figure,
	max: figure,
	/** Percentiles where the backend can compute them; null where the bucket is empty. */
	p50: orNull(Type.Number({ description: "Median where the backend can compute it; null where the bucket is empty" })),
	p90: orNull(Type.Number({ description: "90th percentile, as p50" })),
});
export type SeriesRow = Static<typeof SeriesRow>;

/** Ratings of one kind on one local day (a roll-up row): '' where a rating has no such tag. */
export interface RatingCount {
	day: string;
	window: string;
	service: string;
	/** As the payload said it ('' for none: the buttons). */
	source: string;
	/** Presses inside the lockout after a rating, not ratings. */
	extra: boolean;
	/** 0 where the rating had no score the layout could keep. */
	score: number;
	n: number;
}

export interface EventStore {
	readonly name: string;
	/**
	 * True when a resolved `append` means the events are durable on this machine's disk
	 * (SQLite). False for a remote store (InfluxDB): the hub then makes events durable in its
	 * local spool first and forwards them.
	 */
	readonly localDurable: boolean;
	/** Create databases, tables, retention policies if missing. Idempotent. */
	init(): Promise<void>;
	/**
	 * Write a batch; resolves once the backend has it. Writing an id that is already stored
	 * stores nothing new. The result says per event whether it was new, or null where the
	 * backend cannot tell (InfluxDB overwrites the identical point instead).
	 */
	append(events: readonly StoredEvent[]): Promise<(boolean | null)[]>;
	/**
	 * The stored events with these ids (those it has), answered at once from a local file — for
	 * backends that can do so cheaply (SQLite); a remote one leaves it out. Ingest reads the row
	 * behind an id the store says it already has, to tell a repeat from a reused id.
	 */
	lookup?(ids: readonly string[]): StoredEvent[];
	/** Raw events of a centre with fromTs <= ts < toTs (of one kind if given), in time order (to rebuild live state). */
	readRange(centre: string, fromTs: number, toTs: number, kind?: Kind): Promise<StoredEvent[]>;
	/** Aggregates over time buckets. */
	query(q: SeriesQuery): Promise<SeriesRow[]>;
	/**
	 * The reports' roll-ups, for a backend that keeps them (SQLite): the ratings of local days
	 * [fromDay, toDay] counted by kind, and each day's service-level tallies — the same figures the
	 * raw events give. Null where it cannot answer (e.g. its calendar of the centre is not
	 * `timeZone`): the caller reads the events instead.
	 */
	ratingDays?(
		centre: string,
		fromDay: string,
		toDay: string,
		timeZone: string,
		/** The centre's scale: scores above it may be counted together as score 0 (no figure counts them). */
		scale?: number,
	): Promise<RatingCount[] | null>;
	queueDays?(centre: string, fromDay: string, toDay: string, timeZone: string): Promise<DayTallies | null>;
	/** Number of stored events, optionally of one centre and/or kind. */
	count(filter?: { centre?: string; kind?: Kind }): Promise<number>;
	/** Is the backend reachable and writable now? (For health and spool recovery.) */
	ping(): Promise<boolean>;
	close(): Promise<void>;
}

/**
 * A visitor's comment on a QR rating ("Залишити відгук"): free text a person typed, so it is kept
 * apart from the events (store/comments.ts), never published and shown to managers only.
 */
export interface Comment {
	/** The id of the rating event it belongs to (one comment per rating). */
	ratingId: string;
	centre: string;
	/** When it was written, epoch ms (the hub's clock). */
	at: number;
	window: string;
	service: string | null;
	ticket: string | null;
	score: number;
	text: string;
}

/** Longest comment kept, in characters (the page says so and the API refuses longer). */
export const MAX_COMMENT = 500;

export interface CommentBook {
	/** Keep a comment; false when its rating already has one (nothing changes). */
	add(c: Comment): boolean;
	/** A centre's comments written in [fromTs, toTs), newest first, at most `limit`. */
	list(centre: string, fromTs: number, toTs: number, limit?: number): Comment[];
}
