/**
 * `npm run bench -- store`: sustained events per second through the ingest path (decode,
 * dedupe, derive, durable write — store or spool — and forwarding; MQTT excluded) into each
 * backend, side by side with the raw driver writing the same rows in large batches.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import Database from "better-sqlite3";
import { InfluxDB } from "influx";
import { v7 as uuidv7 } from "uuid";
import { loadCentreFile } from "../config/load.ts";
import { indexCentre } from "../core/centre.ts";
import type { Kind } from "../core/contract.ts";
import { silentLog } from "../core/log.ts";
import { eventTopic } from "../core/topic.ts";
import { Forwarder } from "../hub/forwarder.ts";
import { Ingest } from "../hub/ingest.ts";
import { LiveHub } from "../hub/liveHub.ts";
import { createMetrics } from "../hub/metrics.ts";
import { CentreClocks } from "../store/centreClocks.ts";
import { Influx1Store, influxSchema } from "../store/influx1.ts";
import { toPoint } from "../store/points.ts";
import { Spool } from "../store/spool.ts";
import { mirrorRow, SqliteStore } from "../store/sqlite.ts";
import { MIRROR_COLUMNS, MIRROR_TABLES } from "../store/sqliteSchema.ts";
import type { EventStore, StoredEvent } from "../store/types.ts";
import { INFLUXD, startInfluxd } from "../test/fixtures/influxd.ts";
import { mb, printTable } from "./table.ts";

const N = Number(process.env.VIKNO_BENCH_EVENTS ?? 100_000);
/** Messages in flight at once, as many connected nodes would have. */
const IN_FLIGHT = Number(process.env.VIKNO_BENCH_INFLIGHT ?? 2_000);

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
		// As the broker hands them over: the topic decoded from the packet's bytes (a flat string,
		// not the rope a template literal makes), the payload a Buffer.
		out.push({ topic: Buffer.from(topic).toString("utf8"), bytes: Buffer.from(JSON.stringify(body)) });
	}
	return out;
}

/** CPU time so far of each of this process's threads, ms by thread id (Linux; empty elsewhere). */
function threadCpuMs(): Map<string, number> {
	const out = new Map<string, number>();
	try {
		for (const tid of readdirSync("/proc/self/task")) {
			const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
			const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
			out.set(tid, ((Number(f[11]) + Number(f[12])) * 1000) / 100); // utime + stime, in 1/100 s
		}
	} catch {}
	return out;
}

async function throughIngest(store: EventStore, dataDir: string, msgs: Message[]) {
	const centre = loadCentreFile(join(import.meta.dirname, "../config/centres/demo.yaml"));
	const centres = new Map([[centre.id, indexCentre(centre)]]);
	const metrics = createMetrics();
	await store.init();
	const spool = new Spool(join(dataDir, "spool.db"));
	const forwarder = new Forwarder({ spool, store, metrics, log: silentLog });
	const live = new LiveHub(centres);
	const ingest = new Ingest({ centres, store, spool, forwarder, metrics, log: silentLog, live });
	const rss0 = process.memoryUsage().rss;
	const cpu0 = process.cpuUsage();
	const threads0 = threadCpuMs();
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
	const cpu = process.cpuUsage(cpu0);
	const threads1 = threadCpuMs();
	const count = await store.count();
	const batches = (await metrics.storeBatch.get()).values;
	const sum = batches.find((v) => v.metricName?.endsWith("_sum"))?.value ?? 0;
	const n = batches.find((v) => v.metricName?.endsWith("_count"))?.value ?? 1;
	const writes = (await metrics.storeWrite.get()).values;
	const writeS = writes.find((v) => v.metricName?.endsWith("_sum"))?.value ?? 0;
	const writeN = writes.find((v) => v.metricName?.endsWith("_count"))?.value ?? 0;
	if (process.env.VIKNO_BENCH_DEBUG) {
		const us = (ms: number) => ((ms * 1000) / msgs.length).toFixed(1);
		const busy = [...threads1]
			.map(([tid, ms]) => ({ tid, ms: ms - (threads0.get(tid) ?? 0) }))
			.filter((t) => t.ms > 0)
			.map((t) => `${t.tid === String(process.pid) ? "event loop" : t.tid} ${us(t.ms)}`);
		console.log(
			`batches: ${n}, mean ${Math.round(sum / n)} events; ${writeN} store writes took ${writeS.toFixed(2)} s; event loop busy ${Math.round(elu * 100)} % (${us(elu * stored)} µs per event)`,
		);
		console.log(`CPU µs per event: process ${us((cpu.user + cpu.system) / 1000)}; by thread: ${busy.join(", ")}`);
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
		/** From the last acknowledgement until everything is in the store (and so queryable). */
		tailMs: Math.round(stored - acked),
	};
}

/** The rows the store writes for these messages: the events row and the measurement row. */
function storeRows(msgs: Message[]) {
	const clocks = new CentreClocks();
	return msgs.map((m) => {
		const [, , centre = "", node = "", kind = ""] = m.topic.split("/");
		const data = JSON.parse(m.bytes.toString()) as { id: string; ts: number };
		const e: StoredEvent = { id: data.id, centre, node, kind: kind as Kind, ts: data.ts, rxTs: data.ts, data };
		return {
			event: [e.id, centre, node, kind, e.ts, e.ts, m.bytes.toString(), null] as const,
			mirror: mirrorRow(e, clocks),
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

/** node-influx alone: the same points (as the store maps them, same field types), 5 000 per write. */
async function rawInflux1(port: number, database: string, msgs: Message[]): Promise<number> {
	// The store's schema, so fields get the same types (integers as `5i`): the same points.
	const schema = influxSchema().map((s) => ({ ...s, database }));
	const influx = new InfluxDB({ host: "127.0.0.1", port, database, schema });
	await influx.createDatabase(database);
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

/** Rounds of (raw, ingest) pairs: the disk here is shared, and its speed drifts over seconds. */
const ROUNDS = Number(process.env.VIKNO_BENCH_ROUNDS ?? 3);

const median = (xs: number[]) => {
	const s = [...xs].sort((a, b) => a - b);
	const m = Math.floor(s.length / 2);
	return s.length % 2 ? (s[m] as number) : Math.round((((s[m - 1] as number) + (s[m] as number)) / 2) * 1000) / 1000;
};
const ratio = (a: number, b: number) => Number((a / b).toFixed(3));

interface Round {
	eps: number;
	ackEps: number;
	tailMs: number;
	raw: number;
	narrow?: number;
	rssMb: number;
}

/**
 * Per backend: a warm-up pass (JIT, not counted), then ROUNDS rounds, each the raw driver and
 * the ingest path back to back on fresh files / a fresh database (their order alternating), so
 * both halves of a ratio see the same disk. Figures are medians over the rounds; the ratio is
 * the median of the rounds' ratios. Each round gets a directory of its own, removed after it.
 */
async function rounds(
	dir: string,
	name: string,
	msgs: Message[],
	ingest: (dir: string, round: number, msgs: Message[]) => Promise<Awaited<ReturnType<typeof throughIngest>>>,
	raw: (dir: string, round: number, msgs: Message[]) => Promise<{ same: number; narrow?: number }>,
): Promise<Round[]> {
	const once = async (r: number, batch: Message[]): Promise<Round> => {
		const d = join(dir, `${name}-${r}`);
		mkdirSync(d, { recursive: true });
		// Back to back, their order alternating from round to round.
		const rawFirst = r % 2 === 1;
		const w = rawFirst ? await raw(d, r, batch) : undefined;
		const i = await ingest(d, r, batch);
		const same = w ?? (await raw(d, r, batch));
		rmSync(d, { recursive: true, force: true });
		return { eps: i.eps, ackEps: i.ackEps, tailMs: i.tailMs, raw: same.same, narrow: same.narrow, rssMb: i.rssMb };
	};
	await once(0, msgs.slice(0, Math.min(msgs.length, 20_000)));
	const out: Round[] = [];
	for (let r = 1; r <= ROUNDS; r++) {
		const round = await once(r, msgs);
		out.push(round);
		console.log(
			`${name} round ${r}: ingest ${round.eps.toLocaleString("en-US")} ev/s, raw ${round.raw.toLocaleString("en-US")} rows/s, ratio ${ratio(round.eps, round.raw)}`,
		);
	}
	return out;
}

/** The backend's row of the table, and its figures for the last-line JSON (`sqlite_eps`, …). */
function summary(backend: string, rs: Round[]) {
	const ratios = rs.map((r) => ratio(r.eps, r.raw));
	const f = {
		eps: median(rs.map((r) => r.eps)),
		acked_eps: median(rs.map((r) => r.ackEps)),
		tail_ms: Math.max(...rs.map((r) => r.tailMs)),
		raw_eps: median(rs.map((r) => r.raw)),
		ratio: median(ratios),
		...(rs[0]?.narrow !== undefined ? { raw_one_table_eps: median(rs.map((r) => r.narrow ?? 0)) } : {}),
		rss_mb: Math.max(...rs.map((r) => r.rssMb)),
	};
	const row: Record<string, string | number> = {
		backend,
		"ingest ev/s": f.eps,
		"acked ev/s": f.acked_eps,
		"in store after last ack, ms": f.tail_ms,
		"raw same rows": f.raw_eps,
		ratio: f.ratio.toFixed(2),
		"ratios of rounds": ratios.map((x) => x.toFixed(2)).join(" "),
		"raw 1 table": f.raw_one_table_eps ?? "",
		"rss MB": f.rss_mb,
	};
	const figures = Object.fromEntries(Object.entries(f).map(([k, v]) => [`${backend}_${k}`, v]));
	return { row, figures };
}

export async function run(): Promise<Record<string, unknown>> {
	const dir = mkdtempSync(join(tmpdir(), "vikno-bench-store-"));
	try {
		const msgs = messages(N, Date.now() - N);
		const sqliteRounds = await rounds(
			dir,
			"sqlite",
			msgs,
			(d, _r, batch) => throughIngest(new SqliteStore(join(d, "store", "vikno.db")), join(d, "store"), batch),
			async (d, _r, batch) => rawSqlite(d, batch),
		);
		const sqlite = summary("sqlite", sqliteRounds);
		const rows = [sqlite.row];
		const figures: Record<string, unknown> = { events: N, rounds: ROUNDS, ...sqlite.figures };
		if (existsSync(INFLUXD)) {
			const influxd = await startInfluxd();
			try {
				const influxRounds = await rounds(
					dir,
					"influx1",
					msgs,
					(d, r, batch) =>
						throughIngest(new Influx1Store({ host: "127.0.0.1", port: influxd.port, database: `vikno${r}` }), d, batch),
					async (_d, r, batch) => ({ same: await rawInflux1(influxd.port, `raw${r}`, batch) }),
				);
				const influx = summary("influx1", influxRounds);
				rows.push(influx.row);
				Object.assign(figures, influx.figures);
			} finally {
				await influxd.dispose();
			}
		} else console.log(`(${INFLUXD} not found: InfluxDB 1.x not measured)`);
		printTable(
			`store: ${N.toLocaleString("en-US")} events through ingest vs the raw driver (medians of ${ROUNDS} rounds)`,
			rows,
		);
		return figures;
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}
