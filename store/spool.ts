/**
 * The hub's local durable spool: a SQLite file (WAL, synchronous=FULL) beside the store.
 * Events go here, in arrival order, when the store is remote (InfluxDB) or failing; a
 * forwarder drains it into the store in order. How far it got is one number, the forwarded
 * watermark (`spool_mark.upto`): events with a larger seq wait. Rows already forwarded are kept
 * for a while (`keepForwardedMs`) so a repeated id is recognised even after the store took it.
 * Marking a batch forwarded is one small write, not an update of every row; if the mark is lost
 * in a crash the events are forwarded again, which the store takes as the same events.
 * Ingest appends and the forwarder's marks go through a worker thread (store/sqliteWriter.ts), so
 * the event loop goes on decoding while a batch is synced; reads stay on this thread. An event
 * is kept in columns (the payload as its JSON text), as the store's `events` table keeps it.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { EVENT_COLUMNS, type EventRow, eventFromRow, pushEventRow } from "./eventRow.ts";
import { SqliteWriter } from "./sqliteWriter.ts";
import type { StoredEvent } from "./types.ts";

/** Most waiting events also kept in memory (a long outage reads them back from the file). */
const MAX_WAITING_IN_MEMORY = 100_000;
const PRAGMAS = ["journal_mode = WAL", "synchronous = FULL"];
const INSERT = `INSERT OR IGNORE INTO spool (${EVENT_COLUMNS.join(", ")}) VALUES (${EVENT_COLUMNS.map(() => "?").join(", ")})`;
const FORWARDED = "UPDATE spool_mark SET upto = ? WHERE id = 1 AND upto < ?";
/** The waiting events after a seq, oldest first, at most a limit. */
const WAITING = "SELECT * FROM spool WHERE seq > ? AND dead IS NULL ORDER BY seq LIMIT ?";
const TABLE = `(
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	id TEXT NOT NULL UNIQUE,
	rx_ts INTEGER NOT NULL,
	centre TEXT NOT NULL,
	node TEXT NOT NULL,
	kind TEXT NOT NULL,
	ts INTEGER NOT NULL,
	-- the payload's JSON, and the derived values' (NULL when none)
	data TEXT NOT NULL,
	derived TEXT,
	forwarded_at INTEGER,
	-- why the store refused this event for good (kept, never pruned, for a person to look at)
	dead TEXT
)`;

type Row = EventRow & { seq: number };

/**
 * Spool files written before the columns (one `event` JSON column) are rebuilt in the new layout,
 * keeping every seq and the autoincrement counter (the forwarded mark refers to them).
 */
function migrate(db: Database.Database) {
	const cols = db.prepare("SELECT name FROM pragma_table_info('spool')").pluck().all() as string[];
	if (!cols.includes("event")) return;
	db.transaction(() => {
		const last = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'spool'").pluck().get() as number | undefined;
		db.exec(`CREATE TABLE spool_columns ${TABLE};
		INSERT INTO spool_columns (seq, id, rx_ts, centre, node, kind, ts, data, derived, forwarded_at, dead)
			SELECT seq, id, rx_ts, event ->> '$.centre', event ->> '$.node', event ->> '$.kind', event ->> '$.ts',
				event -> '$.data', event -> '$.derived', forwarded_at, dead FROM spool;
		DROP TABLE spool;
		ALTER TABLE spool_columns RENAME TO spool;`);
		if (last !== undefined) {
			db.prepare("UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'spool'").run(last);
			db.prepare(
				"INSERT INTO sqlite_sequence (name, seq) SELECT 'spool', ? WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'spool')",
			).run(last);
		}
	})();
}

export interface SpooledEvent {
	seq: number;
	event: StoredEvent;
}

/** How many dead letters the spool file keeps, and the latest (for /healthz). */
export interface DeadLetterSummary {
	count: number;
	last?: { id: string; reason: string; at: number };
}

export class Spool {
	private readonly db: Database.Database;
	private readonly insert: Database.Statement;
	private readonly addTx: (events: readonly StoredEvent[]) => boolean[];
	private pendingCount: number;
	/**
	 * The waiting events in seq order, as they were added (so forwarding them needs no read and
	 * parse), or null when not all of them are here: after a restart with events waiting, or
	 * while more than MAX_WAITING_IN_MEMORY wait. Back to [] once the spool is drained.
	 */
	private waiting: SpooledEvent[] | null;
	private readonly writer: SqliteWriter;
	/** Every event with seq <= mark has been forwarded (or set aside as a dead letter). */
	private mark: number;
	private dead: DeadLetterSummary;

	constructor(
		readonly path: string,
		private readonly keepForwardedMs = 24 * 3_600_000,
	) {
		mkdirSync(dirname(path), { recursive: true });
		this.db = new Database(path);
		for (const p of PRAGMAS) this.db.pragma(p);
		// This connection's few writes (marks, dead letters) wait for the writer thread's commit.
		this.db.pragma("busy_timeout = 1000");
		migrate(this.db);
		this.db.exec(`CREATE TABLE IF NOT EXISTS spool ${TABLE};
		CREATE TABLE IF NOT EXISTS spool_mark (id INTEGER PRIMARY KEY CHECK (id = 1), upto INTEGER NOT NULL);
		INSERT OR IGNORE INTO spool_mark (id, upto) VALUES (1, 0);`);
		this.mark = (this.db.prepare("SELECT upto FROM spool_mark WHERE id = 1").get() as { upto: number }).upto;
		this.insert = this.db.prepare(INSERT);
		this.writer = new SqliteWriter({ path, pragmas: PRAGMAS, statements: [INSERT, FORWARDED] });
		this.addTx = this.db.transaction((events: readonly StoredEvent[]) =>
			events.map((e) => {
				const values: unknown[] = [];
				pushEventRow(values, e);
				const info = this.insert.run(values);
				if (info.changes === 1) this.added(Number(info.lastInsertRowid), e);
				return info.changes === 1;
			}),
		);
		this.pendingCount = this.countWaiting(this.mark, Number.MAX_SAFE_INTEGER);
		this.waiting = this.pendingCount === 0 ? [] : null;
		this.dead = this.readDeadSummary();
	}

	private readDeadSummary(): DeadLetterSummary {
		const count = (this.db.prepare("SELECT count(*) FROM spool WHERE dead IS NOT NULL").pluck().get() as number) ?? 0;
		const last = this.db
			.prepare(
				"SELECT id, dead AS reason, forwarded_at AS at FROM spool WHERE dead IS NOT NULL ORDER BY seq DESC LIMIT 1",
			)
			.get() as { id: string; reason: string; at: number | null } | undefined;
		return last ? { count, last: { id: last.id, reason: last.reason, at: last.at ?? 0 } } : { count };
	}

	/** Append durably (one transaction, synced). Per event: false when the id is already spooled. */
	add(events: readonly StoredEvent[]): boolean[] {
		if (events.length === 0) return [];
		return this.addTx(events);
	}

	/** The same, from the writer thread: resolves once the batch is synced. Batches land in call order. */
	async addAsync(events: readonly StoredEvent[]): Promise<boolean[]> {
		if (events.length === 0) return [];
		const values: unknown[] = [];
		for (const e of events) pushEventRow(values, e);
		const { changes, rowids } = await this.writer.write(new Uint8Array(events.length), values);
		const fresh: boolean[] = new Array(changes.length);
		for (let i = 0; i < changes.length; i++) {
			fresh[i] = (changes[i] as number) > 0;
			if (fresh[i]) this.added(rowids[i] as number, events[i] as StoredEvent);
		}
		return fresh;
	}

	/** One more event waiting, kept in memory too while the waiting ones are few. */
	private added(seq: number, event: StoredEvent) {
		this.pendingCount++;
		if (!this.waiting) return;
		if (this.waiting.length >= MAX_WAITING_IN_MEMORY) this.waiting = null;
		else this.waiting.push({ seq, event });
	}

	/** Events not yet forwarded, oldest first; with `after`, only those with a larger seq. */
	peek(limit: number, after = this.mark): SpooledEvent[] {
		if (this.waiting) {
			let from = 0;
			if (after > this.mark)
				while (from < this.waiting.length && (this.waiting[from] as SpooledEvent).seq <= after) from++;
			return this.waiting.slice(from, from + limit);
		}
		const rows = this.db.prepare(WAITING).all(Math.max(after, this.mark), limit) as Row[];
		return rows.map((r) => ({ seq: r.seq, event: eventFromRow(r) }));
	}

	/** Waiting events (not dead letters) with from < seq <= to. */
	private countWaiting(from: number, to: number): number {
		return (
			this.db.prepare("SELECT count(*) AS n FROM spool WHERE seq > ? AND seq <= ? AND dead IS NULL").get(from, to) as {
				n: number;
			}
		).n;
	}

	/** How many waiting events an advance of the mark to `upToSeq` forwards (memory when it has them all). */
	private advancing(upToSeq: number): number {
		if (upToSeq <= this.mark) return 0;
		if (this.waiting) {
			let n = 0;
			while (n < this.waiting.length && (this.waiting[n] as SpooledEvent).seq <= upToSeq) n++;
			return n;
		}
		return this.countWaiting(this.mark, upToSeq);
	}

	/** Mark everything up to `seq` as forwarded; `forget` also deletes those rows at once. */
	forwarded(upToSeq: number, _now: number, forget: boolean): void {
		const n = this.advancing(upToSeq);
		if (upToSeq <= this.mark) return;
		this.db.transaction(() => {
			this.db.prepare(FORWARDED).run(upToSeq, upToSeq);
			if (forget) this.db.prepare("DELETE FROM spool WHERE seq <= ? AND dead IS NULL").run(upToSeq);
		})();
		this.mark = upToSeq;
		this.left(n, (w) => w.seq <= upToSeq);
	}

	/** `changes` events left the waiting ones (those matching `gone`). */
	private left(changes: number, gone: (w: SpooledEvent) => boolean) {
		this.pendingCount -= changes;
		if (this.pendingCount === 0) this.waiting = [];
		else if (this.waiting) {
			let n = 0;
			while (n < this.waiting.length && gone(this.waiting[n] as SpooledEvent)) n++;
			if (n > 0) this.waiting = this.waiting.slice(n);
			else this.waiting = this.waiting.filter((w) => !gone(w));
		}
	}

	/** `forwarded(upToSeq, now, false)` from the writer thread: one small synced write per batch. */
	async forwardedAsync(upToSeq: number, _now: number): Promise<void> {
		const n = this.advancing(upToSeq);
		if (upToSeq <= this.mark) return;
		await this.writer.write(Uint8Array.of(1), [upToSeq, upToSeq]);
		if (upToSeq <= this.mark) return;
		this.mark = upToSeq;
		this.left(n, (w) => w.seq <= upToSeq);
	}

	/** The store refuses this event whatever we do (e.g. a field type conflict): set it aside, keep it. */
	deadLetter(seq: number, reason: string, now: number): void {
		const row = this.db
			.prepare("UPDATE spool SET forwarded_at = ?, dead = ? WHERE seq = ? AND seq > ? AND dead IS NULL RETURNING id")
			.get(now, reason, seq, this.mark) as { id: string } | undefined;
		if (!row) return;
		this.deadAdded(row.id, reason, now);
		this.left(1, (w) => w.seq === seq);
	}

	/**
	 * Keep an event that could not be written as it is (its payload cannot be serialised) straight
	 * among the dead letters, with `text` — the payload as received — for its data. Synchronous and
	 * synced, like `add`. False when its id is already in the spool.
	 */
	keepDead(event: StoredEvent, text: string, reason: string, now: number): boolean {
		const values: unknown[] = [];
		pushEventRow(values, { ...event, derived: {} }, text);
		const changes = this.db
			.prepare(
				`INSERT OR IGNORE INTO spool (${EVENT_COLUMNS.join(", ")}, forwarded_at, dead) VALUES (${EVENT_COLUMNS.map(() => "?").join(", ")}, ?, ?)`,
			)
			.run(...values, now, reason).changes;
		if (changes === 1) this.deadAdded(event.id, reason, now);
		return changes === 1;
	}

	private deadAdded(id: string, reason: string, at: number) {
		this.dead = { count: this.dead.count + 1, last: { id, reason, at } };
	}

	/** Dead letters kept, and the latest. */
	get deadLetterSummary(): DeadLetterSummary {
		return this.dead;
	}

	/** The spooled events with these ids (waiting, forwarded and kept, or dead letters). */
	lookup(ids: readonly string[]): StoredEvent[] {
		if (ids.length === 0) return [];
		const rows = this.db
			.prepare(`SELECT * FROM spool WHERE id IN (${ids.map(() => "?").join(", ")})`)
			.all(...ids) as Row[];
		return rows.map(eventFromRow);
	}

	/** Events the store refused for good. */
	deadLetters(): { seq: number; reason: string; event: StoredEvent }[] {
		const rows = this.db.prepare("SELECT * FROM spool WHERE dead IS NOT NULL ORDER BY seq").all() as (Row & {
			dead: string;
		})[];
		return rows.map((r) => ({ seq: r.seq, reason: r.dead, event: eventFromRow(r) }));
	}

	/**
	 * Drop forwarded rows older than the keep time (never the dead letters). Rows are in order of
	 * receipt, so only the old ones at the start are read: up to the first that is not old yet.
	 */
	prune(now: number): number {
		const cutoff = now - this.keepForwardedMs;
		const young = this.db
			.prepare("SELECT seq FROM spool WHERE seq <= ? AND rx_ts >= ? ORDER BY seq LIMIT 1")
			.pluck()
			.get(this.mark, cutoff) as number | undefined;
		const upTo = young === undefined ? this.mark : young - 1;
		return this.db.prepare("DELETE FROM spool WHERE seq <= ? AND dead IS NULL AND rx_ts < ?").run(upTo, cutoff).changes;
	}

	/** Every event with a seq up to this has been forwarded (or set aside). */
	get forwardedUpTo(): number {
		return this.mark;
	}

	/** Events waiting to be forwarded. */
	get depth(): number {
		return this.pendingCount;
	}

	/** Receive time of the oldest event waiting, if any (the first in seq order: they wait in order of receipt). */
	oldestRxTs(): number | undefined {
		if (this.pendingCount === 0) return undefined;
		if (this.waiting) return this.waiting[0]?.event.rxTs;
		const t = this.db
			.prepare("SELECT rx_ts FROM spool WHERE seq > ? AND dead IS NULL ORDER BY seq LIMIT 1")
			.pluck()
			.get(this.mark) as number | undefined;
		return t ?? undefined;
	}

	/** Closes the file; resolves once the writer thread has written its last batch and closed its connection too. */
	async close(): Promise<void> {
		if (this.db.open) this.db.close();
		await this.writer.close();
	}
}
