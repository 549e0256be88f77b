/**
 * `npm run bench -- store`: sustained events per second through the ingest path (decode,
 * dedupe, derive, durable write — store or spool — and forwarding; MQTT excluded) into each
 * backend, side by side with the raw driver writing the same rows in large batches.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { v7 as uuidv7 } from "uuid";
import { loadCentreFile } from "../config/load.ts";
import { indexCentre } from "../core/centre.ts";
import { eventTopic } from "../core/topic.ts";
import { Forwarder } from "../hub/forwarder.ts";
import { Ingest } from "../hub/ingest.ts";
import { LiveHub } from "../hub/liveHub.ts";
import { silentLogger } from "../hub/logger.ts";
import { createMetrics } from "../hub/metrics.ts";
import { Spool } from "../hub/spool.ts";
import { SqliteStore } from "../store/sqlite.ts";
import type { EventStore } from "../store/types.ts";
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
	const count = await store.count();
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

/** better-sqlite3 alone: the same rows, 1 000 per transaction, same pragmas as the store. */
function rawSqlite(path: string, msgs: Message[]): number {
	const db = new Database(path);
	db.pragma("journal_mode = WAL");
	db.pragma("synchronous = FULL");
	db.exec(
		"CREATE TABLE events (id TEXT PRIMARY KEY, centre TEXT, node TEXT, kind TEXT, ts INTEGER, rx_ts INTEGER, data TEXT) WITHOUT ROWID",
	);
	const rows = msgs.map((m) => {
		const [, , centre, node, kind] = m.topic.split("/");
		const data = JSON.parse(m.bytes.toString()) as { id: string; ts: number };
		return [data.id, centre, node, kind, data.ts, data.ts, m.bytes.toString()] as const;
	});
	const insert = db.prepare("INSERT OR IGNORE INTO events VALUES (?, ?, ?, ?, ?, ?, ?)");
	const tx = db.transaction((batch: (typeof rows)[number][]) => {
		for (const r of batch) insert.run(...r);
	});
	const t0 = performance.now();
	for (let i = 0; i < rows.length; i += 1_000) tx(rows.slice(i, i + 1_000));
	const ms = performance.now() - t0;
	db.close();
	return Math.round(rows.length / (ms / 1000));
}

export async function run(): Promise<Record<string, unknown>> {
	const dir = mkdtempSync(join(tmpdir(), "vikno-bench-store-"));
	try {
		const msgs = messages(N, Date.now() - N);
		const raw = rawSqlite(join(dir, "raw.db"), msgs);
		const sqliteDir = join(dir, "sqlite");
		const sqlite = await throughIngest(new SqliteStore(join(sqliteDir, "vikno.db")), sqliteDir, msgs);
		const rows: Record<string, string | number>[] = [
			{ backend: "sqlite", "ingest ev/s": sqlite.eps, "raw ev/s": raw, ratio: (sqlite.eps / raw).toFixed(2), "rss MB": sqlite.rssMb },
		];
		printTable(`store: ${N.toLocaleString("en-US")} events through ingest vs the raw driver`, rows);
		return {
			events: N,
			sqlite_eps: sqlite.eps,
			sqlite_raw_eps: raw,
			sqlite_ratio: Number((sqlite.eps / raw).toFixed(3)),
			sqlite_rss_mb: sqlite.rssMb,
		};
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}
