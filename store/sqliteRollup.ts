/**
 * The SQLite read side of the reports' roll-ups (their tables and triggers: sqliteRollupSchema.ts).
 * Every answer equals what the raw rows give — the same figures, computed by the same functions —
 * and is null where a roll-up cannot say it (a step under an hour, a field not rolled up, another
 * time zone than the centre's, hours pruned before the roll-ups existed): the caller then reads
 * the raw rows.
 */
import type Database from "better-sqlite3";
import { type DayTallies, type DayTally, dayTallies, queueRecord } from "../core/serviceLevels.ts";
import { addDays, HOUR_MS } from "../core/time.ts";
import type { CentreClocks } from "./centreClocks.ts";
import { type EventRow, eventFromRow } from "./eventRow.ts";
import { byBucket, checkQuery } from "./series.ts";
import { eachRawValue } from "./sqliteQuery.ts";
import { SERIES_ROLLED } from "./sqliteRollupSchema.ts";
import type { RatingCount, SeriesQuery, SeriesRow } from "./types.ts";

const col = (name: string) => `"${name}"`;

interface ValueBucket {
	t: number;
	group: string | undefined;
	/** value → how many times it occurred */
	values: Map<number, number>;
}

/** A bucket's statistics from its values' counts, as `summarize` gives them from the values. */
function fromCounts(b: ValueBucket): SeriesRow {
	const values = [...b.values.keys()].sort((x, y) => x - y);
	let n = 0;
	let sum = 0;
	// Add each value as often as it occurred, in ascending order: the raw path's sum, bit for bit.
	for (const v of values) {
		const k = b.values.get(v) as number;
		n += k;
		for (let i = 0; i < k; i++) sum += v;
	}
	// series.ts's nearest-rank `percentile`, walking the counts instead of an array.
	const at = (p: number): number | null => {
		const i = Math.floor((n * p) / 100 + 0.5) - 1;
		if (i < 0 || i >= n) return null;
		let seen = 0;
		for (const v of values) {
			seen += b.values.get(v) as number;
			if (i < seen) return v;
		}
		return null;
	};
	const row: SeriesRow = {
		t: b.t,
		count: n,
		mean: n ? sum / n : null,
		min: n ? (values[0] as number) : null,
		max: n ? (values[values.length - 1] as number) : null,
		p50: at(50),
		p90: at(90),
	};
	if (b.group !== undefined) row.group = b.group;
	return row;
}

export class SqliteRollups {
	constructor(
		private readonly db: Database.Database,
		private readonly clocks: CentreClocks,
		/** Raw rows before this time were pruned before the roll-ups existed. */
		private readonly from: () => number,
	) {}

	/** Is the centre's stored calendar that of `timeZone`, and are its roll-ups whole from `fromTs`? */
	private covers(centre: string, timeZone: string, fromTs: number): boolean {
		return this.clocks.of(centre) === this.clocks.zone(timeZone) && fromTs >= this.from();
	}

	/**
	 * `query()` from `series_hour` for whole hours, raw rows for the parts of an hour at either end;
	 * null where the roll-ups cannot answer.
	 */
	series(q: SeriesQuery): SeriesRow[] | null {
		const rolled = SERIES_ROLLED[q.measurement as keyof typeof SERIES_ROLLED];
		if (!rolled || !(rolled.fields as readonly string[]).includes(q.field)) return null;
		if (q.step !== "1h" && q.step !== "1d") return null;
		checkQuery(q);
		const stored = this.clocks.of(q.centre);
		if (q.step === "1d" && !this.covers(q.centre, q.timeZone, q.fromTs)) return null;
		if (q.fromTs < this.from()) return null;
		const hFrom = Math.ceil(q.fromTs / HOUR_MS) * HOUR_MS;
		const hTo = Math.floor(q.toTs / HOUR_MS) * HOUR_MS;
		if (hFrom >= hTo) return null;
		const bucketOf = (ts: number, day: string) =>
			q.step === "1h" ? Math.floor(ts / HOUR_MS) * HOUR_MS : stored.midnight(day);
		const buckets = new Map<string, ValueBucket>();
		const add = (ts: number, day: string, grp: string | null, v: number, n: number) => {
			const t = bucketOf(ts, day);
			const key = `${t}\u0000${grp ?? ""}`;
			let b = buckets.get(key);
			if (!b) {
				b = { t, group: q.groupBy ? (grp ?? "") : undefined, values: new Map() };
				buckets.set(key, b);
			}
			b.values.set(v, (b.values.get(v) ?? 0) + n);
		};

		const where = ["centre = ?", "measurement = ?", "field = ?", "hour_ts >= ?", "hour_ts < ?"];
		const args: (string | number)[] = [q.centre, q.measurement, q.field, hFrom, hTo];
		for (const [tag, value] of Object.entries(q.where ?? {})) {
			if (value === undefined) continue;
			where.push(`${col(tag)} = ?`);
			args.push(value);
		}
		const grp = q.groupBy ? col(q.groupBy) : "NULL";
		// Rows in key order, summed by `add`: no sort in SQLite.
		const sql = `SELECT hour_ts, local_day, ${grp}, value, n FROM series_hour WHERE ${where.join(" AND ")}`;
		for (const r of this.db
			.prepare(sql)
			.raw()
			.iterate(...args) as Iterable<[number, string, string | null, number, number]>)
			add(r[0], r[1], r[2], r[3], r[4]);
		const raw = (ts: number, day: string, g: string | null, v: number) => add(ts, day, g, v, 1);
		if (q.fromTs < hFrom) eachRawValue(this.db, q, q.fromTs, hFrom, raw);
		if (hTo < q.toTs) eachRawValue(this.db, q, hTo, q.toTs, raw);
		return [...buckets.values()].map(fromCounts).sort(byBucket);
	}

	/** Ratings per local day and kind in [fromDay, toDay] (rating_day), or null. */
	ratingDays(centre: string, fromDay: string, toDay: string, timeZone: string): RatingCount[] | null {
		if (!this.covers(centre, timeZone, this.clocks.zone(timeZone).midnight(fromDay))) return null;
		const rows = this.db
			.prepare(
				`SELECT local_day, "window", service, source, extra, score, n FROM rating_day
				WHERE centre = ? AND local_day >= ? AND local_day <= ?`,
			)
			.raw()
			.all(centre, fromDay, toDay) as [string, string, string, string, number, number, number][];
		return rows.map(([day, window, service, source, extra, score, n]) => ({
			day,
			window,
			service,
			source,
			extra: extra === 1,
			score,
			n,
		}));
	}

	/**
	 * Each local day's service-level tallies in [fromDay, toDay], or null. Tallies kept in
	 * `queue_day` at the day's current mark are read; the others (never computed, or written into
	 * since) are computed from the raw rows of the day and the day before, and kept for next time.
	 */
	queueDays(centre: string, fromDay: string, toDay: string, timeZone: string): DayTallies | null {
		const clock = this.clocks.zone(timeZone);
		if (!this.covers(centre, timeZone, clock.midnight(addDays(fromDay, -1)))) return null;
		const marks = this.marks(centre, fromDay, toDay);
		const kept = new Map<string, { gen: number; tallies: string }>();
		for (const [day, gen, tallies] of this.db
			.prepare("SELECT day, gen, tallies FROM queue_day WHERE centre = ? AND day >= ? AND day <= ?")
			.raw()
			.iterate(centre, fromDay, toDay) as Iterable<[string, number, string]>)
			kept.set(day, { gen, tallies });
		const out: DayTallies = new Map();
		const stale: string[] = [];
		for (let d = fromDay; d <= toDay; d = addDays(d, 1)) {
			const k = kept.get(d);
			if (k && k.gen === (marks.get(d) ?? 0)) out.set(d, parseTallies(k.tallies));
			else stale.push(d);
		}
		for (const run of runs(stale)) {
			const computed = this.compute(centre, run[0], run[1], timeZone);
			for (const [day, tallies] of computed) out.set(day, tallies);
		}
		// Days in order, as the raw path gives them.
		return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
	}

	private marks(centre: string, fromDay: string, toDay: string): Map<string, number> {
		return new Map(
			this.db
				.prepare("SELECT day, gen FROM queue_day_mark WHERE centre = ? AND day >= ? AND day <= ?")
				.raw()
				.all(centre, fromDay, toDay) as [string, number][],
		);
	}

	/** Tallies of [fromDay, toDay] from the raw rows (one snapshot with the marks), kept at those marks. */
	private compute(centre: string, fromDay: string, toDay: string, timeZone: string): DayTallies {
		const clock = this.clocks.zone(timeZone);
		const { marks, rows } = this.db.transaction(() => ({
			marks: this.marks(centre, fromDay, toDay),
			rows: this.db
				.prepare(
					"SELECT * FROM events WHERE centre = ? AND ts >= ? AND ts < ? AND kind = 'queue' ORDER BY ts, rx_ts, id",
				)
				.all(centre, clock.midnight(addDays(fromDay, -1)), clock.midnight(addDays(toDay, 1))) as EventRow[],
		}))();
		const records = rows.map((r) => {
			const e = eventFromRow(r);
			return queueRecord(e.ts, e.data, e.derived);
		});
		const tallies = dayTallies(records, timeZone, [fromDay, toDay]);
		const out: DayTallies = new Map();
		for (let d = fromDay; d <= toDay; d = addDays(d, 1)) out.set(d, tallies.get(d) ?? new Map());
		try {
			const keep = this.db.prepare("INSERT OR REPLACE INTO queue_day (centre, day, gen, tallies) VALUES (?, ?, ?, ?)");
			this.db.transaction(() => {
				for (const [day, t] of out) keep.run(centre, day, marks.get(day) ?? 0, JSON.stringify(Object.fromEntries(t)));
			})();
		} catch {
			// Kept only to be quicker next time: a busy file (the writer's long batch) just misses it.
		}
		return out;
	}

	/**
	 * Before retention deletes the raw rows of days before `cutoff`, their service-level tallies
	 * are computed (those not kept yet, or stale), so the reports of those days still answer.
	 */
	keepQueueDays(cutoff: number): void {
		for (const [centre, first] of this.db
			.prepare("SELECT centre, min(day) FROM queue_day_mark GROUP BY centre")
			.raw()
			.all() as [string, string][]) {
			const clock = this.clocks.of(centre);
			const last = clock.at(cutoff).day;
			if (first <= last) this.queueDays(centre, first, last, clock.timeZone);
		}
	}
}

/** Report roll-ups older than `beforeTs` (their retention) are deleted; how many rows. */
export function pruneReportRollups(db: Database.Database, beforeTs: number): number {
	const day = new Date(beforeTs).toISOString().slice(0, 10);
	let n = db.prepare("DELETE FROM series_hour WHERE hour_ts < ?").run(beforeTs).changes;
	for (const t of ["rating_day WHERE local_day", "queue_day WHERE day", "queue_day_mark WHERE day"])
		n += db.prepare(`DELETE FROM ${t} < ?`).run(day).changes;
	return n;
}

function parseTallies(text: string): Map<string, DayTally> {
	return new Map(Object.entries(JSON.parse(text) as Record<string, DayTally>));
}

/** Consecutive days as [first, last] runs. */
function runs(days: readonly string[]): [string, string][] {
	const out: [string, string][] = [];
	for (const d of days) {
		const last = out[out.length - 1];
		if (last && addDays(last[1], 1) === d) last[1] = d;
		else out.push([d, d]);
	}
	return out;
}
