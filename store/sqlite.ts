/**
 * The embedded default store: one SQLite file (better-sqlite3), WAL mode.
 * `synchronous = FULL` makes each committed batch durable before `append` resolves, which is
 * what lets the hub acknowledge an event only once it is on disk. `append` runs on a connection
 * of its own in a worker thread (sqliteWriter.ts), so the hub decodes the next events meanwhile;
 * reads, migrations, retention and `appendSync` use this thread's connection.
 *
 * `events` keeps every payload as received (unique on id: INSERT OR IGNORE); the tables
 * rating / queue / occupancy / node_status mirror DESIGN.md's time-series layout for queries.
 * `prune(now)` deletes raw rows older than the retention and keeps hourly roll-ups longer.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { Kind } from "../core/contract.ts";
import type { DayTallies } from "../core/serviceLevels.ts";
import { CentreClocks } from "./centreClocks.ts";
import { EVENT_COLUMNS, type EventRow, eventFromRow, pushEventRow } from "./eventRow.ts";
import { type FieldValue, pointBody } from "./points.ts";
import { querySqlite, rollUpAndDelete } from "./sqliteQuery.ts";
import { pruneReportRollups, SqliteRollups } from "./sqliteRollup.ts";
import { MIRROR_COLUMNS, MIRROR_TABLES, type MirrorTable, migrate } from "./sqliteSchema.ts";
import { DEPENDENT, SqliteWriter } from "./sqliteWriter.ts";
import type { EventStore, RatingCount, SeriesQuery, SeriesRow, StoredEvent } from "./types.ts";

const DAY_MS = 86_400_000;
const PRAGMAS = ["journal_mode = WAL", "synchronous = FULL", "busy_timeout = 100"];
const EVENT_INSERT = `INSERT OR IGNORE INTO events (${EVENT_COLUMNS.join(", ")}) VALUES (${EVENT_COLUMNS.map(() => "?").join(", ")})`;
const mirrorInsert = (t: MirrorTable) => {
	const cols = ["id", "centre", "ts", "local_day", "local_hour", ...MIRROR_COLUMNS[t]];
	return `INSERT INTO ${t} (${cols.map((c) => `"${c}"`).join(", ")}) VALUES (${cols.map(() => "?").join(", ")})`;
};
/** Writer statement index of each mirror table (0 is the events insert). */
const MIRROR_OP = Object.fromEntries(MIRROR_TABLES.map((t, i) => [t, i + 1])) as Record<MirrorTable, number>;

export interface SqliteOptions {
	/** Raw events (and their measurement rows) are kept this long. Default 400. */
	retentionDays?: number;
	/** Hourly roll-ups are kept this long. Default 3650. */
	rollupRetentionDays?: number;
	/**
	 * Each centre's time zone (centre id → IANA name, from the centre files): the calendar of its
	 * rows' `local_day` / `local_hour`. A centre not listed gets the centres' default zone.
	 */
	timeZones?: Readonly<Record<string, string>>;
	/**
	 * Answer reports from the roll-ups (sqliteRollup.ts; default true). False reads the raw rows
	 * for everything — the same figures, slower: for tests and benchmarks that compare the two.
	 * The roll-ups are kept either way.
	 */
	rollups?: boolean;
}

const sqlValue = (v: FieldValue | undefined) => (v === undefined ? null : typeof v === "boolean" ? Number(v) : v);

/** The measurement-table row of an event (none for `request`): table name and column values in order. */
export function mirrorRow(
	e: StoredEvent,
	clocks: CentreClocks,
): { table: MirrorTable; values: (string | number | null)[] } | undefined {
	const values: (string | number | null)[] = [];
	const table = pushMirrorRow(e, clocks, values);
	return table ? { table, values } : undefined;
}

/** Append the measurement-table row's values to `values`; its table, or undefined for `request`. */
function pushMirrorRow(e: StoredEvent, clocks: CentreClocks, values: unknown[]): MirrorTable | undefined {
	if (e.kind === "request") return undefined;
	const p = pointBody(e);
	if (p.measurement === "request") return undefined;
	const local = clocks.of(e.centre).at(e.ts);
	values.push(e.id, e.centre, e.ts, local.day, local.hour);
	const { tags, fields } = p;
	for (const c of MIRROR_COLUMNS[p.measurement]) values.push(sqlValue(tags[c] ?? fields[c]));
	return p.measurement;
}

export class SqliteStore implements EventStore {
	readonly name = "sqlite";
	readonly localDurable = true;
	readonly retentionDays: number;
	readonly rollupRetentionDays: number;
	private readonly db: Database.Database;
	private readonly clocks: CentreClocks;
	private readonly insert: Database.Statement;
	private readonly mirror: Record<MirrorTable, Database.Statement>;
	private readonly appendTx: (events: readonly StoredEvent[]) => boolean[];
	private readonly writer: SqliteWriter | null;
	private readonly rollups: SqliteRollups | null;

	constructor(
		readonly path: string,
		opts: SqliteOptions = {},
	) {
		this.retentionDays = opts.retentionDays ?? 400;
		this.rollupRetentionDays = opts.rollupRetentionDays ?? 3650;
		this.clocks = new CentreClocks(opts.timeZones);
		if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
		this.db = new Database(path);
		// better-sqlite3 blocks its thread while it waits for a lock held by another writer:
		// wait briefly, then fail, and the hub's spool takes the events (hub/ingest.ts).
		for (const p of PRAGMAS) this.db.pragma(p);
		migrate(this.db);
		this.insert = this.db.prepare(EVENT_INSERT);
		this.mirror = Object.fromEntries(MIRROR_TABLES.map((t) => [t, this.db.prepare(mirrorInsert(t))])) as Record<
			MirrorTable,
			Database.Statement
		>;
		this.appendTx = this.db.transaction((events: readonly StoredEvent[]) =>
			events.map((e) => {
				const row: unknown[] = [];
				pushEventRow(row, e);
				const fresh = this.insert.run(row).changes === 1;
				if (fresh) this.writeMirror(e);
				return fresh;
			}),
		);
		// Appends from ingest run on a connection of their own in a worker thread (same pragmas).
		this.writer =
			path === ":memory:"
				? null
				: new SqliteWriter({ path, pragmas: PRAGMAS, statements: [EVENT_INSERT, ...MIRROR_TABLES.map(mirrorInsert)] });
		this.backfill();
		this.rollups = opts.rollups === false ? null : new SqliteRollups(this.db, this.clocks, () => this.rollupsFrom());
	}

	/** The event's row in its measurement table, columns from the same point InfluxDB gets. */
	private writeMirror(e: StoredEvent) {
		const values: unknown[] = [];
		const table = pushMirrorRow(e, this.clocks, values);
		if (table) this.mirror[table].run(values);
	}

	/**
	 * Events stored before the measurement tables existed get their rows once (migration 3) — only
	 * those without one: a file of version 2 already has rows for the events it stored.
	 */
	private backfill() {
		const flag = this.db.prepare("SELECT value FROM meta WHERE key = 'backfill_mirror'").get();
		if (!flag) return;
		this.db.transaction(() => {
			const mirrored = new Set<string>();
			for (const t of MIRROR_TABLES)
				for (const id of this.db.prepare(`SELECT id FROM ${t}`).pluck().iterate() as Iterable<string>) mirrored.add(id);
			for (const r of this.db.prepare("SELECT * FROM events").all() as EventRow[])
				if (!mirrored.has(r.id)) this.writeMirror(eventFromRow(r));
			this.db.prepare("DELETE FROM meta WHERE key = 'backfill_mirror'").run();
		})();
	}

	async init(): Promise<void> {
		// The schema is migrated when the file is opened, so `appendSync` works without init().
	}

	/**
	 * Resolves once the batch has committed (synced). Batches commit in call order; after a failed
	 * one, those already called behind it fail too (see sqliteWriter.ts).
	 */
	async append(events: readonly StoredEvent[]): Promise<boolean[]> {
		if (!this.writer) return this.appendSync(events);
		if (events.length === 0) return [];
		const ops = new Uint8Array(events.length * 2);
		let n = 0;
		const values: unknown[] = [];
		for (const e of events) {
			ops[n++] = 0;
			pushEventRow(values, e);
			const table = pushMirrorRow(e, this.clocks, values);
			if (table) ops[n++] = MIRROR_OP[table] | DEPENDENT;
		}
		const { changes: fresh } = await this.writer.write(ops.slice(0, n), values);
		const out: boolean[] = new Array(fresh.length);
		for (let i = 0; i < fresh.length; i++) out[i] = (fresh[i] as number) > 0;
		return out;
	}

	/** Synchronous write, for callers that batch themselves (group commit in ingest). */
	appendSync(events: readonly StoredEvent[]): boolean[] {
		if (events.length === 0) return [];
		return this.appendTx(events);
	}

	lookup(ids: readonly string[]): StoredEvent[] {
		if (ids.length === 0) return [];
		const rows = this.db
			.prepare(`SELECT * FROM events WHERE id IN (${ids.map(() => "?").join(", ")})`)
			.all(...ids) as EventRow[];
		return rows.map(eventFromRow);
	}

	async readRange(centre: string, fromTs: number, toTs: number, kind?: Kind): Promise<StoredEvent[]> {
		const to = Math.min(toTs, Number.MAX_SAFE_INTEGER);
		const rows = (
			kind
				? this.db
						.prepare("SELECT * FROM events WHERE centre = ? AND ts >= ? AND ts < ? AND kind = ? ORDER BY ts, rx_ts, id")
						.all(centre, fromTs, to, kind)
				: this.db
						.prepare("SELECT * FROM events WHERE centre = ? AND ts >= ? AND ts < ? ORDER BY ts, rx_ts, id")
						.all(centre, fromTs, to)
		) as EventRow[];
		return rows.map(eventFromRow);
	}

	async query(q: SeriesQuery): Promise<SeriesRow[]> {
		return this.rollups?.series(q) ?? querySqlite(this.db, this.clocks, q, this.prunedBefore());
	}

	async ratingDays(centre: string, fromDay: string, toDay: string, timeZone: string): Promise<RatingCount[] | null> {
		return this.rollups?.ratingDays(centre, fromDay, toDay, timeZone) ?? null;
	}

	async queueDays(centre: string, fromDay: string, toDay: string, timeZone: string): Promise<DayTallies | null> {
		return this.rollups?.queueDays(centre, fromDay, toDay, timeZone) ?? null;
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

	/** Readable, and the write lock can be taken (a read-only or locked file answers false). */
	async ping(): Promise<boolean> {
		if (!this.db.open) return false;
		try {
			this.db.exec("BEGIN IMMEDIATE; ROLLBACK;");
			return true;
		} catch {
			return false;
		}
	}

	/**
	 * Retention: raw events older than `retentionDays` are rolled up per hour and tag set
	 * (count, sum, min, max — added to an hour already rolled up) and deleted; roll-ups older
	 * than `rollupRetentionDays` are deleted. Call it daily; it is idempotent.
	 */
	prune(now: number): { events: number; rows: number; rollups: number } {
		const cutoff = now - this.retentionDays * DAY_MS;
		this.rollups?.keepQueueDays(cutoff);
		return this.db.transaction(() => {
			const done = rollUpAndDelete(this.db, cutoff);
			const keepFrom = now - this.rollupRetentionDays * DAY_MS;
			const rollups =
				this.db.prepare("DELETE FROM rollup_hour WHERE hour_ts < ?").run(keepFrom).changes +
				pruneReportRollups(this.db, keepFrom);
			if (cutoff > this.prunedBefore()) {
				this.db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('pruned_before', ?)").run(String(cutoff));
			}
			return { ...done, rollups };
		})();
	}

	/** The roll-ups hold every row from this time on (hours pruned before migration 5 have only `rollup_hour`). */
	private rollupsFrom(): number {
		const r = this.db.prepare("SELECT value FROM meta WHERE key = 'rollups_from'").get() as
			| { value: string }
			| undefined;
		return r ? Number(r.value) : Number.NEGATIVE_INFINITY;
	}

	/** Raw rows before this time have been rolled up and deleted. */
	private prunedBefore(): number {
		const r = this.db.prepare("SELECT value FROM meta WHERE key = 'pruned_before'").get() as
			| { value: string }
			| undefined;
		return r ? Number(r.value) : Number.NEGATIVE_INFINITY;
	}

	async close(): Promise<void> {
		await this.writer?.close();
		if (this.db.open) this.db.close();
	}
}
