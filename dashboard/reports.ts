/**
 * The manager reports over the store, each a function of the centre, a span of its local days and
 * the store — shared by the JSON routes and the CSV export, so a file and the API say the same.
 * Days are the centre's local days in its time zone, `to` inclusive; default: today by the hub's
 * clock.
 */
import type { CentreIndex } from "../core/centre.ts";
import type { Kind } from "../core/contract.ts";
import { administratorsOf, qualityReport, type RatingRecord, ratingRecord } from "../core/quality.ts";
import { levelsOf, queueRecord, serviceLevels } from "../core/serviceLevels.ts";
import { addDays, daysBetween, isDate, localClock, localDay, midnight } from "../core/time.ts";
import { type EventStore, type RatingCount, type SeriesRow, STEP_MS, type Step } from "../store/types.ts";
import { HttpError } from "./errors.ts";
import type { TrendRow } from "./routes/managerSchemas.ts";

/** Longest span one request may cover, so a report read from raw events stays a quick read. */
export const MAX_DAYS = 92;
/** … and from a store's roll-ups (SQLite), where a year answers about as fast as a day. */
export const MAX_DAYS_ROLLED = 366;

/** The longest span a store answers quickly: service levels need a ledger of tickets, kept per day only in SQLite. */
export const maxDays = (store: EventStore) => (store.queueDays ? MAX_DAYS_ROLLED : MAX_DAYS);

export interface Span {
	from: string;
	to: string;
	fromTs: number;
	toTs: number;
}

/** Local days [from, to] → epoch ms [start, end); a bad range is a 400. */
export function span(
	index: CentreIndex,
	q: { from?: string | undefined; to?: string | undefined },
	now: number,
	max = MAX_DAYS,
): Span {
	const zone = index.centre.timeZone;
	const today = localDay(now, zone);
	const from = q.from ?? q.to ?? today;
	const to = q.to ?? q.from ?? today;
	if (!isDate(from) || !isDate(to))
		throw new HttpError("bad_request", `from/to must be real dates, got ${q.from} / ${q.to}`);
	if (to < from) throw new HttpError("bad_request", `to (${q.to}) is before from (${q.from})`);
	if (daysBetween(from, to) >= max) throw new HttpError("bad_request", `at most ${max} days in one request`);
	return { from, to, fromTs: midnight(from, zone), toTs: midnight(addDays(to, 1), zone) };
}

async function events(store: EventStore, centre: string, fromTs: number, toTs: number, kind: Kind) {
	return (await store.readRange(centre, fromTs, toTs, kind)).filter((e) => e.kind === kind);
}

/** A roll-up row as the record of its `n` ratings (at the day's midnight: only the day is read). */
function countRecord(r: RatingCount, midnightOf: (day: string) => number): RatingRecord {
	const rec: RatingRecord = { ts: midnightOf(r.day), day: r.day, score: r.score, n: r.n };
	if (r.extra) rec.extra = true;
	if (r.window) rec.window = r.window;
	if (r.service) rec.service = r.service;
	if (r.source === "qr") rec.source = "qr";
	return rec;
}

/** Quality of the span: from the store's roll-ups where it keeps them, else from the rating events. */
export async function qualityOf(store: EventStore, index: CentreIndex, s: Span) {
	const c = index.centre;
	const counts = await store.ratingDays?.(c.id, s.from, s.to, c.timeZone, c.ratingScale);
	const records = counts
		? counts.map((r) => countRecord(r, localClock(c.timeZone).midnight))
		: (await events(store, c.id, s.fromTs, s.toTs, "rating")).map((e) => ratingRecord(e.ts, e.data));
	return {
		centre: c.id,
		from: s.from,
		to: s.to,
		...qualityReport(records, { scale: c.ratingScale, timeZone: c.timeZone, administratorOf: administratorsOf(c) }),
	};
}

/**
 * Service levels of the span: from the store's day tallies where it keeps them, else from the queue
 * events of the span and the day before it (a ticket issued in the evening, called after midnight).
 */
export async function serviceLevelsOf(store: EventStore, index: CentreIndex, s: Span) {
	const c = index.centre;
	const days = await store.queueDays?.(c.id, s.from, s.to, c.timeZone);
	const levels = days
		? levelsOf(days, c)
		: serviceLevels(
				(await events(store, c.id, midnight(addDays(s.from, -1), c.timeZone), s.toTs, "queue")).map((e) =>
					queueRecord(e.ts, e.data, e.derived),
				),
				c,
				[s.from, s.to],
			);
	return { centre: c.id, from: s.from, to: s.to, levels };
}

/** The start of every bucket of `step` in the span: local midnights for "1d", the epoch grid otherwise. */
export function buckets(index: CentreIndex, s: Span, step: Step): number[] {
	const out: number[] = [];
	if (step === "1d") {
		for (let d = s.from; d <= s.to; d = addDays(d, 1)) out.push(midnight(d, index.centre.timeZone));
		return out;
	}
	const w = STEP_MS[step];
	for (let t = Math.floor(s.fromTs / w) * w; t < s.toTs; t += w) out.push(t);
	return out;
}

/**
 * Visits, waits, service times, hall occupancy and ratings in buckets of `step`, one row per
 * bucket (empty ones too, with zero counts and null figures), from four series of the store:
 * queue `wait_s` on calls (a call is a visit), queue `service_s` on finishes, occupancy `count`
 * (every zone), rating `score`.
 */
export async function trendsOf(store: EventStore, index: CentreIndex, s: Span, step: Step) {
	const c = index.centre;
	const base = { centre: c.id, fromTs: s.fromTs, toTs: s.toTs, step, timeZone: c.timeZone };
	const [waits, services, occupancy, ratings] = await Promise.all([
		store.query({ ...base, measurement: "queue", field: "wait_s", where: { event: "called" } }),
		store.query({ ...base, measurement: "queue", field: "service_s", where: { event: "finished" } }),
		store.query({ ...base, measurement: "occupancy", field: "count" }),
		store.query({ ...base, measurement: "rating", field: "score" }),
	]);
	const at = (rows: SeriesRow[]) => new Map(rows.map((r) => [r.t, r]));
	const [w, sv, o, r] = [at(waits), at(services), at(occupancy), at(ratings)];
	const round = (x: number | null | undefined, digits = 1) =>
		x === null || x === undefined ? null : Math.round(x * 10 ** digits) / 10 ** digits;
	const rows: TrendRow[] = buckets(index, s, step).map((t) => ({
		t,
		called: w.get(t)?.count ?? 0,
		waitMeanS: round(w.get(t)?.mean),
		waitP90S: round(w.get(t)?.p90),
		served: sv.get(t)?.count ?? 0,
		serviceMeanS: round(sv.get(t)?.mean),
		serviceP90S: round(sv.get(t)?.p90),
		occupancyMean: round(o.get(t)?.mean),
		occupancyMax: o.get(t)?.max ?? null,
		ratings: r.get(t)?.count ?? 0,
		ratingMean: round(r.get(t)?.mean, 2),
	}));
	return { centre: c.id, from: s.from, to: s.to, step, rows };
}
