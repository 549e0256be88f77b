/**
 * SQLite read side of `query()` and the retention of raw rows with hourly roll-ups.
 * Buckets: fixed steps are aligned to the epoch (as InfluxDB's GROUP BY time); "1d" buckets are
 * local days (core/time.ts), from the stored `local_day` when the query's zone is the centre's.
 * Statistics per bucket are computed in JS (series.ts), so percentiles match InfluxQL's.
 */
import type Database from "better-sqlite3";
import type { CentreClocks } from "./centreClocks.ts";
import { byBucket, checkQuery, summarize } from "./series.ts";
import { MIRROR_COLUMNS, MIRROR_TABLES, type MirrorTable, ROLLUP_TAGS } from "./sqliteSchema.ts";
import { type SeriesQuery, type SeriesRow, STEP_MS } from "./types.ts";

const col = (name: string) => `"${name}"`;

interface Bucket {
	t: number;
	group: string | undefined;
	values: number[];
	/** Pre-aggregated part from roll-ups (raw rows already pruned). */
	rolled?: { count: number; sum: number; min: number; max: number };
}

export function querySqlite(
	db: Database.Database,
	clocks: CentreClocks,
	q: SeriesQuery,
	prunedBefore: number,
): SeriesRow[] {
	checkQuery(q);
	const stored = clocks.of(q.centre);
	const zone = q.step === "1d" ? clocks.zone(q.timeZone) : null;
	// Rows keep their centre's local day: a query in that zone reads it, one in another works it out.
	const bucketOf = (ts: number, localDay: string): number =>
		!zone
			? Math.floor(ts / STEP_MS[q.step]) * STEP_MS[q.step]
			: zone.midnight(zone === stored ? localDay : zone.at(ts).day);

	const buckets = new Map<string, Bucket>();
	const bucket = (t: number, grp: string | null): Bucket => {
		const key = `${t}\u0000${grp ?? ""}`;
		let b = buckets.get(key);
		if (!b) {
			b = { t, group: q.groupBy ? (grp ?? "") : undefined, values: [] };
			buckets.set(key, b);
		}
		return b;
	};
	eachRawValue(db, q, q.fromTs, q.toTs, (ts, day, grp, v) => bucket(bucketOf(ts, day), grp).values.push(v));
	if (prunedBefore > q.fromTs && (q.step === "1h" || q.step === "1d")) {
		addRollups(db, q, Math.min(q.toTs, prunedBefore), (ts, day, grp, agg) => {
			const b = bucket(bucketOf(ts, day), grp);
			const r = b.rolled;
			b.rolled = r
				? {
						count: r.count + agg.count,
						sum: r.sum + agg.sum,
						min: Math.min(r.min, agg.min),
						max: Math.max(r.max, agg.max),
					}
				: agg;
		});
	}
	return [...buckets.values()].map(toRow).sort(byBucket);
}

/** Every raw value of the query's field with fromTs <= ts < toTs: its time, local day, group ('' for none). */
export function eachRawValue(
	db: Database.Database,
	q: SeriesQuery,
	fromTs: number,
	toTs: number,
	each: (ts: number, day: string, grp: string | null, v: number) => void,
): void {
	const where = ["centre = ?", "ts >= ?", "ts < ?", `${col(q.field)} IS NOT NULL`];
	const args: (string | number)[] = [q.centre, fromTs, toTs];
	for (const [tag, value] of Object.entries(q.where ?? {})) {
		if (value === undefined) continue;
		where.push(`${col(tag)} = ?`);
		args.push(value);
	}
	const group = q.groupBy ? `IFNULL(${col(q.groupBy)}, '')` : "NULL";
	const sql = `SELECT ts, local_day AS day, ${group} AS grp, ${col(q.field)} AS v FROM ${q.measurement} WHERE ${where.join(" AND ")}`;
	for (const r of db
		.prepare(sql)
		.raw()
		.iterate(...args) as Iterable<[number, string, string | null, number]>) {
		each(r[0], r[1], r[2], r[3]);
	}
}

function toRow(b: Bucket): SeriesRow {
	const row = summarize(b.t, b.values, b.group);
	const r = b.rolled;
	if (!r) return row;
	let sum = r.sum;
	for (const v of b.values) sum += v;
	const count = r.count + b.values.length;
	return {
		...row,
		count,
		mean: sum / count,
		min: Math.min(r.min, row.min ?? r.min),
		max: Math.max(r.max, row.max ?? r.max),
		// Percentiles need every value; pruned hours keep only count/sum/min/max.
		p50: null,
		p90: null,
	};
}

function addRollups(
	db: Database.Database,
	q: SeriesQuery,
	toTs: number,
	add: (
		ts: number,
		day: string,
		grp: string | null,
		agg: { count: number; sum: number; min: number; max: number },
	) => void,
) {
	const where = ["measurement = ?", "field = ?", "centre = ?", "hour_ts >= ?", "hour_ts < ?"];
	const args: (string | number)[] = [q.measurement, q.field, q.centre, q.fromTs, toTs];
	for (const [tag, value] of Object.entries(q.where ?? {})) {
		if (value === undefined) continue;
		where.push(`${col(tag)} = ?`);
		args.push(value);
	}
	const grp = q.groupBy ? col(q.groupBy) : "NULL";
	const sql = `SELECT hour_ts, local_day, ${grp}, sum(count), sum(sum), min(min), max(max) FROM rollup_hour
		WHERE ${where.join(" AND ")} GROUP BY hour_ts, local_day, ${grp}`;
	for (const r of db
		.prepare(sql)
		.raw()
		.iterate(...args) as Iterable<[number, string, string | null, number, number, number, number]>) {
		add(r[0], r[1], r[2], { count: r[3], sum: r[4], min: r[5], max: r[6] });
	}
}

/** Numeric fields rolled up per hour and tag set before their raw rows are deleted. */
export const ROLLUP_FIELDS: Record<MirrorTable, readonly string[]> = {
	rating: ["score", "extra_score"],
	queue: ["wait_s", "service_s"],
	occupancy: ["count", "in", "out"],
	node_status: ["buffered", "uptime_s", "cpu_temp_c"],
};

/**
 * Fold rows with ts < cutoff into `rollup_hour` (adding to hours already there), then delete them.
 * Centre by centre, so every statement runs on the (centre, ts) indices.
 */
export function rollUpAndDelete(db: Database.Database, cutoff: number): { events: number; rows: number } {
	const centres = (db.prepare("SELECT DISTINCT centre FROM events").pluck().all() as string[]).concat(
		...MIRROR_TABLES.map((t) => db.prepare(`SELECT DISTINCT centre FROM ${t}`).pluck().all() as string[]),
	);
	let rows = 0;
	let events = 0;
	for (const centre of new Set(centres)) {
		for (const table of MIRROR_TABLES) {
			const cols: readonly string[] = MIRROR_COLUMNS[table];
			const tags = ROLLUP_TAGS.map((t) =>
				cols.includes(t) && (table === "node_status" || t !== "node") ? `IFNULL(${col(t)}, '')` : "''",
			);
			for (const field of ROLLUP_FIELDS[table]) {
				db.prepare(
					`INSERT INTO rollup_hour (measurement, field, centre, hour_ts, local_day, local_hour,
						${ROLLUP_TAGS.map(col).join(", ")}, count, sum, min, max)
					SELECT '${table}', '${field}', centre, (ts / 3600000) * 3600000 AS h, min(local_day), min(local_hour),
						${tags.join(", ")}, count(${col(field)}), sum(${col(field)}), min(${col(field)}), max(${col(field)})
					FROM ${table} WHERE centre = ? AND ts < ? AND ${col(field)} IS NOT NULL
					GROUP BY h, ${tags.join(", ")}
					ON CONFLICT DO UPDATE SET count = count + excluded.count, sum = sum + excluded.sum,
						min = min(min, excluded.min), max = max(max, excluded.max)`,
				).run(centre, cutoff);
			}
			rows += db.prepare(`DELETE FROM ${table} WHERE centre = ? AND ts < ?`).run(centre, cutoff).changes;
		}
		events += db.prepare("DELETE FROM events WHERE centre = ? AND ts < ?").run(centre, cutoff).changes;
	}
	return { events, rows };
}
