/**
 * InfluxQL shared by the InfluxDB 1.x backend and the 2.x backend (which queries the v1
 * compatibility endpoint `/query`): query text from the store's questions, and answers from
 * InfluxDB's JSON. Pure. Queries are sent with `epoch=ms`: InfluxDB truncates the point time
 * (ts·1e6 + id offset, see points.ts) to milliseconds, which is the event's `ts` again.
 */
import type { Kind } from "../core/contract.ts";
import { byTime, fromPoint, MEASUREMENT_OF, MEASUREMENTS, type PointMeasurement } from "./points.ts";
import { byBucket, checkQuery } from "./series.ts";
import type { SeriesQuery, SeriesRow, StoredEvent } from "./types.ts";

/** InfluxDB keeps int64 nanoseconds: epoch ms beyond these bounds cannot be stored or asked for. */
const MIN_MS = -9_223_372_036_853;
const MAX_MS = 9_223_372_036_853;

export const ident = (name: string) => `"${name.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
export const literal = (value: string) => `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
/** A time bound in ns (integer literals in a time condition are nanoseconds). */
export const timeNs = (ms: number) =>
	(BigInt(Math.trunc(Math.min(MAX_MS, Math.max(MIN_MS, ms)))) * 1_000_000n).toString();

const STEP: Record<SeriesQuery["step"], string> = { "1m": "1m", "5m": "5m", "15m": "15m", "1h": "1h", "1d": "1d" };

/** One statement: count, mean, min, max, p50, p90 of a field per time bucket (and tag). */
export function seriesQuery(q: SeriesQuery): string {
	checkQuery(q);
	const f = ident(q.field);
	const where = [`centre = ${literal(q.centre)}`, `time >= ${timeNs(q.fromTs)}`, `time < ${timeNs(q.toTs)}`];
	for (const [tag, value] of Object.entries(q.where ?? {})) {
		if (value !== undefined) where.push(`${ident(tag)} = ${literal(value)}`);
	}
	const group = [`time(${STEP[q.step]})`, ...(q.groupBy ? [ident(q.groupBy)] : [])];
	// Days start at local midnight only with tz(); shorter steps are aligned to the epoch, as
	// SQLite's buckets are (Kyiv's offsets are whole hours, so hours agree either way).
	const tz = q.step === "1d" ? ` tz(${literal(q.timeZone)})` : "";
	return (
		`SELECT COUNT(${f}) AS "count", MEAN(${f}) AS "mean", MIN(${f}) AS "min", MAX(${f}) AS "max", ` +
		`PERCENTILE(${f}, 50) AS "p50", PERCENTILE(${f}, 90) AS "p90" ` +
		`FROM ${ident(q.measurement)} WHERE ${where.join(" AND ")} GROUP BY ${group.join(", ")} fill(none)${tz}`
	);
}

/**
 * One statement per measurement: a wildcard over several measurements would merge their keys,
 * and `node` (a tag of node_status, a field elsewhere) would come back empty for node_status.
 */
export function readRangeQuery(centre: string, fromTs: number, toTs: number, kind?: Kind): string {
	const where = `WHERE centre = ${literal(centre)} AND time >= ${timeNs(fromTs)} AND time < ${timeNs(toTs)}`;
	return (kind ? [MEASUREMENT_OF[kind]] : MEASUREMENTS).map((m) => `SELECT * FROM ${ident(m)} ${where}`).join("; ");
}

export function countQuery(filter: { centre?: string; kind?: Kind } = {}): string {
	const from = filter.kind ? [MEASUREMENT_OF[filter.kind]] : MEASUREMENTS;
	const where = [`time >= ${timeNs(MIN_MS)}`, `time <= ${timeNs(MAX_MS)}`];
	if (filter.centre) where.push(`centre = ${literal(filter.centre)}`);
	return `SELECT COUNT("id") FROM ${from.map(ident).join(", ")} WHERE ${where.join(" AND ")}`;
}

interface Series {
	name: string;
	tags?: Record<string, string>;
	columns: string[];
	values: unknown[][];
}
export interface InfluxResponse {
	results?: { statement_id?: number; series?: Series[]; error?: string }[];
	error?: string;
}

/** The series of the first statement; an InfluxDB error becomes a thrown Error. */
export function seriesOf(res: InfluxResponse): Series[] {
	return allSeries(res, 1);
}

/** The series of every statement (of the first `max`); any statement's error is thrown. */
function allSeries(res: InfluxResponse, max = Number.POSITIVE_INFINITY): Series[] {
	if (res.error) throw new Error(`InfluxDB: ${res.error}`);
	const out: Series[] = [];
	for (const r of (res.results ?? []).slice(0, max)) {
		if (r.error) throw new Error(`InfluxDB: ${r.error}`);
		out.push(...(r.series ?? []));
	}
	return out;
}

function rowsOf(s: Series): Record<string, unknown>[] {
	return s.values.map((v) => Object.fromEntries(s.columns.map((c, i) => [c, v[i]])));
}

export function parseSeries(res: InfluxResponse, q: SeriesQuery): SeriesRow[] {
	const out: SeriesRow[] = [];
	for (const s of seriesOf(res)) {
		for (const r of rowsOf(s)) {
			const num = (k: string) => (typeof r[k] === "number" ? (r[k] as number) : null);
			const row: SeriesRow = {
				t: Number(r.time),
				count: num("count") ?? 0,
				mean: num("mean"),
				min: num("min"),
				max: num("max"),
				p50: num("p50"),
				p90: num("p90"),
			};
			if (q.groupBy) row.group = s.tags?.[q.groupBy] ?? "";
			if (row.count > 0) out.push(row);
		}
	}
	return out.sort(byBucket);
}

export function parseReadRange(res: InfluxResponse): StoredEvent[] {
	const events: StoredEvent[] = [];
	for (const s of allSeries(res)) {
		const m = s.name as PointMeasurement;
		if (!MEASUREMENTS.includes(m)) continue;
		for (const r of rowsOf(s)) events.push(fromPoint(m, r, Number(r.time)));
	}
	return events.sort(byTime);
}

export function parseCount(res: InfluxResponse): number {
	let n = 0;
	for (const s of seriesOf(res)) for (const v of s.values) n += Number(v[1] ?? 0);
	return n;
}

/** The reads both InfluxDB backends answer the same way: only how a query is sent differs (`raw`). */
export abstract class InfluxQlReads {
	protected abstract raw(q: string): Promise<InfluxResponse>;

	async readRange(centre: string, fromTs: number, toTs: number, kind?: Kind): Promise<StoredEvent[]> {
		return parseReadRange(await this.raw(readRangeQuery(centre, fromTs, toTs, kind)));
	}

	async query(q: SeriesQuery): Promise<SeriesRow[]> {
		return parseSeries(await this.raw(seriesQuery(q)), q);
	}

	async count(filter?: { centre?: string; kind?: Kind }): Promise<number> {
		return parseCount(await this.raw(countQuery(filter)));
	}
}
