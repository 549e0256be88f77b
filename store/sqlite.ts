/**
 * The embedded default store: one SQLite file (better-sqlite3), WAL mode.
 * `synchronous = FULL` makes each committed batch durable before `append` resolves, which is
 * what lets the hub acknowledge an event only once it is on disk.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { Kind } from "../core/contract.ts";
import type { EventStore, StoredEvent } from "./types.ts";

const MIGRATIONS: string[] = [
	`CREATE TABLE events (
		id TEXT PRIMARY KEY,
		centre TEXT NOT NULL,
		node TEXT NOT NULL,
		kind TEXT NOT NULL,
		ts INTEGER NOT NULL,
		rx_ts INTEGER NOT NULL,
		data TEXT NOT NULL
	) WITHOUT ROWID;
	CREATE INDEX events_centre_ts ON events (centre, ts);`,
];

interface Row {
	id: string;
	centre: string;
	node: string;
	kind: string;
	ts: number;
	rx_ts: number;
	data: string;
}

export class SqliteStore implements EventStore {
	readonly name = "sqlite";
	readonly localDurable = true;
	private readonly db: Database.Database;
	private readonly insert: Database.Statement;
	private readonly appendTx: (events: readonly StoredEvent[]) => boolean[];

	constructor(readonly path: string) {
		if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
		this.db = new Database(path);
		this.db.pragma("journal_mode = WAL");
		this.db.pragma("synchronous = FULL");
		// better-sqlite3 blocks the event loop while it waits for a lock: wait briefly, then let the spool take over.
		this.db.pragma("busy_timeout = 100");
		this.migrate();
		this.insert = this.db.prepare(
			"INSERT OR IGNORE INTO events (id, centre, node, kind, ts, rx_ts, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
		);
		this.appendTx = this.db.transaction((events: readonly StoredEvent[]) =>
			events.map(
				(e) => this.insert.run(e.id, e.centre, e.node, e.kind, e.ts, e.rxTs, JSON.stringify(e.data)).changes === 1,
			),
		);
	}

	private migrate() {
		const version = this.db.pragma("user_version", { simple: true }) as number;
		for (let v = version; v < MIGRATIONS.length; v++) {
			this.db.transaction(() => {
				this.db.exec(MIGRATIONS[v] as string);
				this.db.pragma(`user_version = ${v + 1}`);
			})();
		}
	}

	async init(): Promise<void> {}

	async ping(): Promise<boolean> {
		return this.db.open;
	}

	async query(): Promise<never> {
		throw new Error("not yet");
	}

	async append(events: readonly StoredEvent[]): Promise<boolean[]> {
		return this.appendSync(events);
	}

	/** Synchronous write, for callers that batch themselves (group commit in ingest). */
	appendSync(events: readonly StoredEvent[]): boolean[] {
		if (events.length === 0) return [];
		return this.appendTx(events);
	}

	async readRange(centre: string, fromTs: number, toTs: number): Promise<StoredEvent[]> {
		const rows = this.db
			.prepare("SELECT * FROM events WHERE centre = ? AND ts >= ? AND ts < ? ORDER BY ts, rx_ts")
			.all(centre, fromTs, toTs) as Row[];
		return rows.map((r) => ({
			id: r.id,
			centre: r.centre,
			node: r.node,
			kind: r.kind as Kind,
			ts: r.ts,
			rxTs: r.rx_ts,
			data: JSON.parse(r.data),
		}));
	}

	async count(filter: { centre?: string; kind?: Kind } = {}): Promise<number> {
		const where: string[] = [];
		const args: string[] = [];
		if (filter.centre) {
			where.push("centre = ?");
			args.push(filter.centre);
		}
		if (filter.kind) {
			where.push("kind = ?");
			args.push(filter.kind);
		}
		const sql = `SELECT count(*) AS n FROM events${where.length ? ` WHERE ${where.join(" AND ")}` : ""}`;
		return (this.db.prepare(sql).get(...args) as { n: number }).n;
	}

	async close(): Promise<void> {
		if (this.db.open) this.db.close();
	}
}
