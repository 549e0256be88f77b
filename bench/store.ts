/**
 * `npm run bench -- store`: sustained events per second through the ingest path (decode,
 * dedupe, derive, durable write — store or spool — and forwarding; MQTT excluded) into each
 * backend, side by side with the raw driver writing the same rows in large batches.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import Database from "better-sqlite3";
import { InfluxDB } from "influx";
import { v7 as uuidv7 } from "uuid";
import { loadCentreFile } from "../config/load.ts";
import { indexCentre } from "../core/centre.ts";
import type { Kind } from "../core/contract.ts";
import { eventTopic } from "../core/topic.ts";
import { Forwarder } from "../hub/forwarder.ts";
import { Ingest } from "../hub/ingest.ts";
import { LiveHub } from "../hub/liveHub.ts";
import { silentLogger } from "../hub/logger.ts";
import { createMetrics } from "../hub/metrics.ts";
import { Spool } from "../hub/spool.ts";
import { LocalCalendar } from "../store/calendar.ts";
import { Influx1Store } from "../store/influx1.ts";
import { toPoint } from "../store/points.ts";
import { mirrorRow, SqliteStore } from "../store/sqlite.ts";
import { MIRROR_COLUMNS, MIRROR_TABLES } from "../store/sqliteSchema.ts";
import type { EventStore, StoredEvent } from "../store/types.ts";
import { INFLUXD, startInfluxd } from "../test/fixtures/influxd.ts";
import { mb, printTable } from "./table.ts";

const N = Number(process.env.VIKNO_BENCH_EVENTS ?? 100_000);
/** Messages in flight at once, as many connected nodes would have. */
const IN_FLIGHT = 2_000;

interface Message {
	topic: string;
	bytes: Buffer;
}

/** A realistic mix: tickets issued and called, ratings, door counts. */
function messages(n: number, t0: number): Message[] {
	const out: Message[] = [];
	for (let i = 0; i < n; i++) {
		const ts = t0 + i;
		const id = uuidv7();
		const w = String((i % 12) + 1).padStart(2, "0");
		let topic: string;
		let body: object;
		switch (i % 4) {
			case 0:
				topic = eventTopic("demo", "terminal-1", "queue");
				body = { id, ts, event: "issued", ticket: `A${i}`, service: "passports" };
				break;
			case 1:
				topic = eventTopic("demo", `win-${w}`, "queue");
				body = { id, ts, event: "called", ticket: `A${i - 1}`, service: "passports", window: `w${w}` };
				break;
			case 2:
				topic = eventTopic("demo", `win-${w}`, "rating");
				body = { id, ts, score: (i % 5) + 1 };
				break;
			default:
				topic = eventTopic("demo", "door-main", "occupancy");
				body = { id, ts, zone: "hall", in: 1, out: i % 3 === 0 ? 1 : 0 };
		}
		out.push({ topic, bytes: Buffer.from(JSON.stringify(body)) });
	}
	return out;
}

async function throughIngest(store: EventStore, dataDir: string, msgs: Message[]) {
	const centre = loadCentreFile(join(import.meta.dirname, "../config/centres/demo.yaml"));
	const centres = new Map([[centre.id, indexCentre(centre)]]);
	const metrics = createMetrics();
	await store.init();
	const spool = new Spool(join(dataDir, "spool.db"));
	const forwarder = new Forwarder({ spool, store, metrics, log: silentLogger });
	const live = new LiveHub(centres);
	const ingest = new Ingest({ centres, store, spool, forwarder, metrics, log: silentLogger, live });
	const rss0 = process.memoryUsage().rss;
	const elu0 = performance.eventLoopUtilization();
	const t0 = performance.now();
	let next = 0;
	const worker = async () => {
		while (next < msgs.length) {
			const m = msgs[next++];
			if (m) await ingest.handle(m.topic, m.bytes);
		}
	};
	await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
	await ingest.drain();
	const acked = performance.now() - t0;
	await forwarder.idle();
	const stored = performance.now() - t0;
	const elu = performance.eventLoopUtilization(elu0).utilization;
	const count = await store.count();
	const batches = (await metrics.storeBatch.get()).values;
	const sum = batches.find((v) => v.metricName?.endsWith("_sum"))?.value ?? 0;
	const n = batches.find((v) => v.metricName?.endsWith("_count"))?.value ?? 1;
	const writes = (await metrics.storeWrite.get()).values;
	const writeS = writes.find((v) => v.metricName?.endsWith("_sum"))?.value ?? 0;
	if (process.env.VIKNO_BENCH_DEBUG) {
		console.log(
			`batches: ${n}, mean ${Math.round(sum / n)} events; store writes took ${writeS.toFixed(2)} s; event loop busy ${Math.round(elu * 100)} %`,
		);
	}
	const rss = process.memoryUsage().rss;
	await forwarder.close();
	spool.close();
	await store.close();
	if (count !== msgs.length) throw new Error(`stored ${count} of ${msgs.length}`);
	return {
		eps: Math.round(msgs.length / (stored / 1000)),
		ackEps: Math.round(msgs.length / (acked / 1000)),
		rssMb: mb(rss),
		rssGrowthMb: mb(rss - rss0),
	};
}

/** The rows the store writes for these messages: the events row and the measurement row. */
function storeRows(msgs: Message[]) {
	const cal = new LocalCalendar("Europe/Kyiv");
	return msgs.map((m) => {
		const [, , centre = "", node = "", kind = ""] = m.topic.split("/");
		const data = JSON.parse(m.bytes.toString()) as { id: string; ts: number };
		const e: StoredEvent = { id: data.id, centre, node, kind: kind as Kind, ts: data.ts, rxTs: data.ts, data };
		return {
			event: [e.id, centre, node, kind, e.ts, e.ts, m.bytes.toString(), null] as const,
			mirror: mirrorRow(e, cal),
		};
	});
}

/**
 * better-sqlite3 alone, 1 000 rows per transaction, the store's pragmas: `narrow` inserts one
 * row per event into a one-table schema (the figure usually quoted for SQLite); `same` inserts
 * exactly the rows the store writes (events + measurement row, the store's own schema and
 * indices) — the physical limit for this layout.
 */
function rawSqlite(dir: string, msgs: Message[]): { narrow: number; same: number } {
	const rows = storeRows(msgs);
	const open = (file: string) => {
		const db = new Database(join(dir, file));
		db.pragma("journal_mode = WAL");
		db.pragma("synchronous = FULL");
		return db;
	};
	const timed = (db: Database.Database, write: (batch: typeof rows) => void) => {
		const tx = db.transaction(write);
		const t0 = performance.now();
		for (let i = 0; i < rows.length; i += 1_000) tx(rows.slice(i, i + 1_000));
		const eps = Math.round(rows.length / ((performance.now() - t0) / 1000));
		db.close();
		return eps;
	};

	const narrowDb = open("narrow.db");
	narrowDb.exec(
		"CREATE TABLE events (id TEXT PRIMARY KEY, centre TEXT, node TEXT, kind TEXT, ts INTEGER, rx_ts INTEGER, data TEXT, derived TEXT) WITHOUT ROWID",
	);
	const narrowInsert = narrowDb.prepare("INSERT OR IGNORE INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
	const narrow = timed(narrowDb, (batch) => {
		for (const r of batch) narrowInsert.run(...r.event);
	});

	new SqliteStore(join(dir, "same.db")).close();
	const sameDb = open("same.db");
	const eventInsert = sameDb.prepare(
		"INSERT OR IGNORE INTO events (id, centre, node, kind, ts, rx_ts, data, derived) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	);
	const mirrorInsert = Object.fromEntries(
		MIRROR_TABLES.map((t) => {
			const cols = ["id", "centre", "ts", "local_day", "local_hour", ...MIRROR_COLUMNS[t]].map((c) => `"${c}"`);
			return [t, sameDb.prepare(`INSERT INTO ${t} (${cols.join(", ")}) VALUES (${cols.map(() => "?").join(", ")})`)];
		}),
	);
	const same = timed(sameDb, (batch) => {
		for (const r of batch) {
			eventInsert.run(...r.event);
			if (r.mirror) mirrorInsert[r.mirror.table]?.run(r.mirror.values);
		}
	});
	return { narrow, same };
}

/** node-influx alone: the same points (as the store maps them), 5 000 per write. */
async function rawInflux1(port: number, msgs: Message[]): Promise<number> {
	const influx = new InfluxDB({ host: "127.0.0.1", port, database: "raw" });
	await influx.createDatabase("raw");
	const points = msgs.map((m) => {
		const [, , centre = "", node = "", kind = ""] = m.topic.split("/");
		const data = JSON.parse(m.bytes.toString()) as { id: string; ts: number };
		const p = toPoint({ id: data.id, centre, node, kind: kind as Kind, ts: data.ts, rxTs: data.ts, data });
		return { measurement: p.measurement, tags: p.tags, fields: p.fields, timestamp: p.timeNs };
	});
	const t0 = performance.now();
	for (let i = 0; i < points.length; i += 5_000) {
		await influx.writePoints(points.slice(i, i + 5_000), { precision: "n" });
	}
	return Math.round(points.length / ((performance.now() - t0) / 1000));
}

export async function run(): Promise<Record<string, unknown>> {
	const dir = mkdtempSync(join(tmpdir(), "vikno-bench-store-"));
	try {
		const msgs = messages(N, Date.now() - N);
		const raw = rawSqlite(dir, msgs);
		const sqliteDir = join(dir, "sqlite");
		const sqlite = await throughIngest(new SqliteStore(join(sqliteDir, "vikno.db")), sqliteDir, msgs);
		const rows: Record<string, string | number>[] = [
			{
				backend: "sqlite",
				"ingest ev/s": sqlite.eps,
				"acked ev/s": sqlite.ackEps,
				"raw same rows": raw.same,
				ratio: (sqlite.eps / raw.same).toFixed(2),
				"raw 1 table": raw.narrow,
				"rss MB": sqlite.rssMb,
			},
		];
		const figures: Record<string, unknown> = {};
		if (existsSync(INFLUXD)) {
			const influxd = await startInfluxd();
			try {
				const rawEps = await rawInflux1(influxd.port, msgs);
				const influxDir = join(dir, "influx1");
				const store = new Influx1Store({ host: "127.0.0.1", port: influxd.port, database: "vikno" });
				const influx = await throughIngest(store, influxDir, msgs);
				rows.push({
					backend: "influx1",
					"ingest ev/s": influx.eps,
					"acked ev/s": influx.ackEps,
					"raw same rows": rawEps,
					ratio: (influx.eps / rawEps).toFixed(2),
					"raw 1 table": "",
					"rss MB": influx.rssMb,
				});
				Object.assign(figures, {
					influx1_eps: influx.eps,
					influx1_acked_eps: influx.ackEps,
					influx1_raw_eps: rawEps,
					influx1_ratio: Number((influx.eps / rawEps).toFixed(3)),
				});
			} finally {
				await influxd.dispose();
			}
		} else console.log(`(${INFLUXD} not found: InfluxDB 1.x not measured)`);
		printTable(`store: ${N.toLocaleString("en-US")} events through ingest vs the raw driver`, rows);
		return {
			events: N,
			sqlite_eps: sqlite.eps,
			sqlite_raw_eps: raw.same,
			sqlite_ratio: Number((sqlite.eps / raw.same).toFixed(3)),
			sqlite_raw_one_table_eps: raw.narrow,
			sqlite_rss_mb: sqlite.rssMb,
			...figures,
		};
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}
