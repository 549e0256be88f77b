/**
 * `npm run bench -- reports`: the manager reports over a long history in SQLite, from the report
 * roll-ups (store/sqliteRollup.ts) against the raw rows (the same file, `rollups: false`). A year
 * of 50 centres is generated straight into the store through its batch write (`appendSync`,
 * firmware-sim/storedHistory.ts), then quality, service levels, trends and one history series of
 * one centre for a month — and for a year — are asked repeatedly through dashboard/reports.ts.
 *
 * Then the same years in InfluxDB 1.x (a real influxd), where trends and history are its
 * `GROUP BY time` aggregates and quality and service levels read the span's points.
 *
 * VIKNO_BENCH_CENTRES (50), VIKNO_BENCH_DAYS (365), VIKNO_BENCH_TICKETS (tickets a centre's open
 * day, 80), VIKNO_BENCH_REPEAT (20); VIKNO_BENCH_REPORTS_DB=FILE keeps the generated file there
 * and reuses it on the next run (generating takes minutes); VIKNO_BENCH_SQLITE=0 and
 * VIKNO_BENCH_INFLUX_CENTRES=0 leave a part out.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { type Centre, indexCentre } from "../core/centre.ts";
import { quantileSorted } from "../core/stats.ts";
import { addDays, midnight } from "../core/time.ts";
import { qualityOf, type Span, serviceLevelsOf, trendsOf } from "../dashboard/reports.ts";
import { Influx1Store } from "../store/influx1.ts";
import { SqliteStore } from "../store/sqlite.ts";
import type { EventStore, StoredEvent } from "../store/types.ts";
import { hallCentre } from "../test/fixtures/centres.ts";
import { influxdAvailable, startInfluxd } from "../test/fixtures/influxd.ts";
import { storedHistory } from "../test/fixtures/storedHistory.ts";
import { mb, printTable } from "./table.ts";

const CENTRES = Number(process.env.VIKNO_BENCH_CENTRES ?? 50);
const DAYS = Number(process.env.VIKNO_BENCH_DAYS ?? 365);
const TICKETS = Number(process.env.VIKNO_BENCH_TICKETS ?? 80);
const REPEAT = Number(process.env.VIKNO_BENCH_REPEAT ?? 20);
const KEEP = process.env.VIKNO_BENCH_REPORTS_DB;
/** VIKNO_BENCH_SQLITE=0: no SQLite part. */
const SQLITE = process.env.VIKNO_BENCH_SQLITE !== "0";
/** Centres written into InfluxDB (0: no InfluxDB part). */
const INFLUX_CENTRES = Number(process.env.VIKNO_BENCH_INFLUX_CENTRES ?? (influxdAvailable() ? CENTRES : 0));
/** The last generated day; the year runs up to it. */
const LAST = "2026-11-30";
const FIRST = addDays(LAST, 1 - DAYS);
const BATCH = 20_000;

const centres: Centre[] = Array.from({ length: CENTRES }, (_, i) => hallCentre(`c${String(i + 1).padStart(2, "0")}`));
const timeZones = Object.fromEntries(centres.map((c) => [c.id, c.timeZone]));

/**
 * Every centre's history (of the first `count`), day by day (all centres' day, then the next), in
 * batches of the store's own write.
 */
async function generate(
	write: (batch: StoredEvent[]) => Promise<unknown>,
	count: number,
): Promise<{ events: number; seconds: number }> {
	const days = centres
		.slice(0, count)
		.map((centre, i) => storedHistory({ centre, startDay: FIRST, days: DAYS, seed: 1000 + i, ticketsPerDay: TICKETS }));
	const t0 = performance.now();
	let events = 0;
	let batch: StoredEvent[] = [];
	for (let d = 0; d < DAYS; d++) {
		for (const g of days) batch.push(...(g.next().value ?? []));
		if (batch.length >= BATCH || d === DAYS - 1) {
			await write(batch);
			events += batch.length;
			batch = [];
		}
		if (d % 30 === 29)
			process.stderr.write(`  generated ${d + 1}/${DAYS} days, ${events.toLocaleString("en-US")} events\n`);
	}
	return { events, seconds: (performance.now() - t0) / 1000 };
}

async function generateSqlite(path: string) {
	const store = new SqliteStore(path, { timeZones });
	const made = await generate(async (batch) => store.appendSync(batch), CENTRES);
	await store.close();
	return made;
}

/**
 * The first call (cold: day tallies computed, pages read), then `repeat` more: their p50 and p95,
 * and the p50 of this process's CPU time per call (what the call costs, whoever else shares the cores).
 */
async function timed(
	repeat: number,
	f: () => Promise<unknown>,
): Promise<{ p50: number; p95: number; first: number; cpu: number }> {
	const ms: number[] = [];
	const cpu: number[] = [];
	const t = performance.now();
	await f();
	const first = performance.now() - t;
	for (let i = 0; i < repeat; i++) {
		const c0 = process.cpuUsage();
		const t0 = performance.now();
		await f();
		ms.push(performance.now() - t0);
		const c = process.cpuUsage(c0);
		cpu.push((c.user + c.system) / 1000);
	}
	ms.sort((a, b) => a - b);
	cpu.sort((a, b) => a - b);
	const r = (x: number) => Math.round(x * 10) / 10;
	return {
		p50: r(quantileSorted(ms, 0.5)),
		p95: r(quantileSorted(ms, 0.95)),
		first: r(first),
		cpu: r(quantileSorted(cpu, 0.5)),
	};
}

const centre = centres[0] as Centre;
const index = indexCentre(centre);
const zone = centre.timeZone;
const span = (from: string, to: string): Span => ({
	from,
	to,
	fromTs: midnight(from, zone),
	toTs: midnight(addDays(to, 1), zone),
});
const MONTH = span(addDays(LAST, -29), LAST);
const YEAR = span(FIRST, LAST);

const REPORTS: [string, (store: EventStore, s: Span) => Promise<unknown>][] = [
	["quality", (store, s) => qualityOf(store, index, s)],
	["service_levels", (store, s) => serviceLevelsOf(store, index, s)],
	["trends_1d", (store, s) => trendsOf(store, index, s, "1d")],
	[
		"history_1h",
		(store, s) =>
			store.query({
				centre: centre.id,
				measurement: "queue",
				field: "wait_s",
				where: { event: "called" },
				fromTs: s.fromTs,
				toTs: s.toTs,
				step: "1h",
				timeZone: zone,
			}),
	],
];

/** Every report of one centre for a month and a year, from the roll-ups and raw; figures prefixed. */
async function measure(prefix: string, rolled: EventStore, raw: EventStore | null, rawYearRepeat: number) {
	const rows: Record<string, string | number>[] = [];
	const figures: Record<string, number> = {};
	for (const [name, s, rawRepeat] of [
		["month", MONTH, REPEAT],
		["year", YEAR, rawYearRepeat],
	] as const) {
		for (const [report, f] of REPORTS) {
			const r = await timed(REPEAT, () => f(rolled, s));
			const key = `${prefix}${name}_${report}`;
			figures[`${key}_p50_ms`] = r.p50;
			figures[`${key}_p95_ms`] = r.p95;
			figures[`${key}_first_ms`] = r.first;
			figures[`${key}_cpu_ms`] = r.cpu;
			const row: Record<string, string | number> = {
				span: name,
				report,
				"first ms": r.first,
				"p50 ms": r.p50,
				"p95 ms": r.p95,
				"cpu ms": r.cpu,
			};
			if (raw) {
				const w = await timed(rawRepeat, () => f(raw, s));
				figures[`${key}_raw_p95_ms`] = w.p95;
				figures[`${key}_ratio_raw`] = Math.round((w.p50 / Math.max(r.p50, 0.01)) * 10) / 10;
				Object.assign(row, {
					"raw p50 ms": w.p50,
					"raw p95 ms": w.p95,
					"raw cpu ms": w.cpu,
					"raw ÷ roll-up": figures[`${key}_ratio_raw`] as number,
				});
			}
			rows.push(row);
		}
	}
	const worst = Math.max(
		...Object.entries(figures).flatMap(([k, v]) => (/month_.*_p95_ms$/.test(k) && !/raw/.test(k) ? [v] : [])),
	);
	return { rows, figures, worst };
}

async function sqlitePart(): Promise<Record<string, unknown>> {
	const dir = KEEP ? null : mkdtempSync(join(tmpdir(), "vikno-bench-reports-"));
	const path = KEEP ?? join(dir as string, "vikno.db");
	const made = KEEP && existsSync(path) ? null : await generateSqlite(path);
	const rolled = new SqliteStore(path, { timeZones });
	const raw = new SqliteStore(path, { timeZones, rollups: false });
	const events = await rolled.count();
	const dbMb = mb(statSync(path).size + (existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0));
	const { rows, figures, worst } = await measure("", rolled, raw, 3);
	printTable(
		`reports of one centre from ${CENTRES} centres × ${DAYS} days in SQLite (${events.toLocaleString("en-US")} events, ${dbMb} MB${made ? `, generated in ${Math.round(made.seconds)} s` : ""})`,
		rows,
	);
	await rolled.close();
	await raw.close();
	if (dir) rmSync(dir, { recursive: true, force: true });
	return {
		events,
		db_mb: dbMb,
		...(made
			? { generate_s: Math.round(made.seconds), generate_events_per_s: Math.round(made.events / made.seconds) }
			: {}),
		month_p95_ms_max: worst,
		...figures,
	};
}

/**
 * The same reports over InfluxDB: trends and history through its `GROUP BY time` aggregates,
 * quality and service levels from its rating and queue points of the span.
 */
async function influxPart(): Promise<Record<string, unknown>> {
	const influxd = await startInfluxd();
	try {
		const store = new Influx1Store({
			host: "127.0.0.1",
			port: influxd.port,
			database: "vikno_bench",
			timeoutMs: 300_000,
		});
		await store.init();
		const made = await generate((batch) => store.append(batch), INFLUX_CENTRES);
		const { rows, figures, worst } = await measure("influx_", store, null, 0);
		printTable(
			`the same in InfluxDB 1.x: ${INFLUX_CENTRES} centres × ${DAYS} days (${made.events.toLocaleString("en-US")} events, written in ${Math.round(made.seconds)} s)`,
			rows,
		);
		await store.close();
		return {
			influx_centres: INFLUX_CENTRES,
			influx_events: made.events,
			influx_write_s: Math.round(made.seconds),
			influx_month_p95_ms_max: worst,
			...figures,
		};
	} finally {
		await influxd.dispose();
	}
}

export async function run(): Promise<Record<string, unknown>> {
	const sqlite = SQLITE ? await sqlitePart() : {};
	const influx = INFLUX_CENTRES > 0 ? await influxPart() : {};
	return { centres: CENTRES, days: DAYS, tickets_per_day: TICKETS, ...sqlite, ...influx };
}
