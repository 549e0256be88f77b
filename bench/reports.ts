/**
 * `npm run bench -- reports`: the manager reports over a long history in SQLite, from the report
 * roll-ups (store/sqliteRollup.ts) against the raw rows (the same file, `rollups: false`). A year
 * of 50 centres is generated straight into the store through its batch write (`appendSync`,
 * firmware-sim/storedHistory.ts), then quality, service levels, trends and one history series of
 * one centre for a month — and for a year — are asked repeatedly through dashboard/reports.ts.
 *
 * VIKNO_BENCH_CENTRES (50), VIKNO_BENCH_DAYS (365), VIKNO_BENCH_TICKETS (tickets a centre's open
 * day, 80), VIKNO_BENCH_REPEAT (20); VIKNO_BENCH_REPORTS_DB=FILE keeps the generated file there
 * and reuses it on the next run (generating takes minutes).
 */
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { type Centre, indexCentre } from "../core/centre.ts";
import { quantileSorted } from "../core/stats.ts";
import { addDays, midnight } from "../core/time.ts";
import { qualityOf, type Span, serviceLevelsOf, trendsOf } from "../dashboard/reports.ts";
import { storedHistory } from "../firmware-sim/storedHistory.ts";
import { SqliteStore } from "../store/sqlite.ts";
import type { StoredEvent } from "../store/types.ts";
import { hallCentre } from "../test/fixtures/centres.ts";
import { mb, printTable } from "./table.ts";

const CENTRES = Number(process.env.VIKNO_BENCH_CENTRES ?? 50);
const DAYS = Number(process.env.VIKNO_BENCH_DAYS ?? 365);
const TICKETS = Number(process.env.VIKNO_BENCH_TICKETS ?? 80);
const REPEAT = Number(process.env.VIKNO_BENCH_REPEAT ?? 20);
const KEEP = process.env.VIKNO_BENCH_REPORTS_DB;
/** The last generated day; the year runs up to it. */
const LAST = "2026-11-30";
const FIRST = addDays(LAST, 1 - DAYS);
const BATCH = 20_000;

const centres: Centre[] = Array.from({ length: CENTRES }, (_, i) => hallCentre(`c${String(i + 1).padStart(2, "0")}`));
const timeZones = Object.fromEntries(centres.map((c) => [c.id, c.timeZone]));

/** Every centre's history, day by day (all centres' day, then the next), in batches of the store's write. */
function generate(path: string): { events: number; seconds: number } {
	const store = new SqliteStore(path, { timeZones });
	const days = centres.map((centre, i) =>
		storedHistory({ centre, startDay: FIRST, days: DAYS, seed: 1000 + i, ticketsPerDay: TICKETS }),
	);
	const t0 = performance.now();
	let events = 0;
	let batch: StoredEvent[] = [];
	for (let d = 0; d < DAYS; d++) {
		for (const g of days) batch.push(...(g.next().value ?? []));
		if (batch.length >= BATCH || d === DAYS - 1) {
			events += store.appendSync(batch).length;
			batch = [];
		}
		if (d % 30 === 29)
			process.stderr.write(`  generated ${d + 1}/${DAYS} days, ${events.toLocaleString("en-US")} events\n`);
	}
	void store.close();
	return { events, seconds: (performance.now() - t0) / 1000 };
}

/** The first call (cold: day tallies computed, pages read), then `repeat` more: their p50 and p95. */
async function timed(repeat: number, f: () => Promise<unknown>): Promise<{ p50: number; p95: number; first: number }> {
	const ms: number[] = [];
	const t = performance.now();
	await f();
	const first = performance.now() - t;
	for (let i = 0; i < repeat; i++) {
		const t0 = performance.now();
		await f();
		ms.push(performance.now() - t0);
	}
	ms.sort((a, b) => a - b);
	const r = (x: number) => Math.round(x * 10) / 10;
	return { p50: r(quantileSorted(ms, 0.5)), p95: r(quantileSorted(ms, 0.95)), first: r(first) };
}

export async function run(): Promise<Record<string, unknown>> {
	const dir = KEEP ? null : mkdtempSync(join(tmpdir(), "vikno-bench-reports-"));
	const path = KEEP ?? join(dir as string, "vikno.db");
	const made = KEEP && existsSync(path) ? null : generate(path);
	const rolled = new SqliteStore(path, { timeZones });
	const raw = new SqliteStore(path, { timeZones, rollups: false });
	const events = await rolled.count();
	const dbMb = mb(statSync(path).size + (existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0));

	const centre = centres[0] as Centre;
	const index = indexCentre(centre);
	const zone = centre.timeZone;
	const span = (from: string, to: string): Span => ({
		from,
		to,
		fromTs: midnight(from, zone),
		toTs: midnight(addDays(to, 1), zone),
	});
	const month = span(addDays(LAST, -29), LAST);
	const year = span(FIRST, LAST);
	const history = (store: SqliteStore, s: Span) =>
		store.query({
			centre: centre.id,
			measurement: "queue",
			field: "wait_s",
			where: { event: "called" },
			fromTs: s.fromTs,
			toTs: s.toTs,
			step: "1h",
			timeZone: zone,
		});
	const reports: [string, (store: SqliteStore, s: Span) => Promise<unknown>][] = [
		["quality", (store, s) => qualityOf(store, index, s)],
		["service_levels", (store, s) => serviceLevelsOf(store, index, s)],
		["trends_1d", (store, s) => trendsOf(store, index, s, "1d")],
		["history_1h", history],
	];

	const rows: Record<string, string | number>[] = [];
	const figures: Record<string, number> = {};
	for (const [name, s, rawRepeat] of [
		["month", month, REPEAT],
		["year", year, 3],
	] as const) {
		for (const [report, f] of reports) {
			const r = await timed(REPEAT, () => f(rolled, s));
			const w = await timed(rawRepeat, () => f(raw, s));
			const key = `${name}_${report}`;
			figures[`${key}_p50_ms`] = r.p50;
			figures[`${key}_p95_ms`] = r.p95;
			figures[`${key}_first_ms`] = r.first;
			figures[`${key}_raw_p95_ms`] = w.p95;
			figures[`${key}_ratio_raw`] = Math.round((w.p50 / Math.max(r.p50, 0.01)) * 10) / 10;
			rows.push({
				span: name,
				report,
				"first ms": r.first,
				"p50 ms": r.p50,
				"p95 ms": r.p95,
				"raw p50 ms": w.p50,
				"raw p95 ms": w.p95,
				"raw ÷ roll-up": figures[`${key}_ratio_raw`] as number,
			});
		}
	}
	printTable(
		`reports of one centre from ${CENTRES} centres × ${DAYS} days in SQLite (${events.toLocaleString("en-US")} events, ${dbMb} MB${made ? `, generated in ${Math.round(made.seconds)} s` : ""})`,
		rows,
	);
	await rolled.close();
	await raw.close();
	if (dir) rmSync(dir, { recursive: true, force: true });
	const worst = Math.max(...Object.entries(figures).flatMap(([k, v]) => (/^month_.*_p95_ms$/.test(k) ? [v] : [])));
	return {
		centres: CENTRES,
		days: DAYS,
		tickets_per_day: TICKETS,
		events,
		db_mb: dbMb,
		...(made
			? { generate_s: Math.round(made.seconds), generate_events_per_s: Math.round(made.events / made.seconds) }
			: {}),
		month_p95_ms_max: worst,
		...figures,
	};
}
