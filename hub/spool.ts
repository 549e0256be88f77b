/**
 * The hub's local durable spool: a SQLite file (WAL, synchronous=FULL) beside the store.
 * Events go here, in arrival order, when the store is remote (InfluxDB) or failing; a
 * forwarder drains it into the store in order. How far it got is one number, the forwarded
 * watermark (`spool_mark.upto`): events with a larger seq wait. Rows already forwarded are kept
 * for a while (`keepForwardedMs`) so a repeated id is recognised even after the store took it.
 * Marking a batch forwarded is one small write, not an update of every row; if the mark is lost
 * in a crash the events are forwarded again, which the store takes as the same events.
 * Ingest appends and the forwarder's marks go through a worker thread (store/sqliteWriter.ts), so
 * the event loop goes on decoding while a batch is synced; reads stay on this thread.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { SqliteWriter } from "../store/sqliteWriter.ts";
import type { StoredEvent } from "../store/types.ts";

/** Most waiting events also kept in memory (a long outage reads them back from the file). */
const MAX_WAITING_IN_MEMORY = 100_000;
const PRAGMAS = ["journal_mode = WAL", "synchronous = FULL"];
const INSERT = "INSERT OR IGNORE INTO spool (id, rx_ts, event) VALUES (?, ?, ?)";
const FORWARDED = "UPDATE spool_mark SET upto = ? WHERE id = 1 AND upto < ?";

export interface SpooledEvent {
	seq: number;
	event: StoredEvent;
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

	constructor(
		readonly path: string,
		private readonly keepForwardedMs = 24 * 3_600_000,
	) {
		mkdirSync(dirname(path), { recursive: true });
		this.db = new Database(path);
		for (const p of PRAGMAS) this.db.pragma(p);
		this.db.exec(`CREATE TABLE IF NOT EXISTS spool (
			seq INTEGER PRIMARY KEY AUTOINCREMENT,
			id TEXT NOT NULL UNIQUE,
			rx_ts INTEGER NOT NULL,
			event TEXT NOT NULL,
			forwarded_at INTEGER,
			-- why the store refused this event for good (kept, never pruned, for a person to look at)
			dead TEXT
		);
		CREATE TABLE IF NOT EXISTS spool_mark (id INTEGER PRIMARY KEY CHECK (id = 1), upto INTEGER NOT NULL);
		INSERT OR IGNORE INTO spool_mark (id, upto) VALUES (1, 0);`);
		this.mark = (this.db.prepare("SELECT upto FROM spool_mark WHERE id = 1").get() as { upto: number }).upto;
		this.insert = this.db.prepare(INSERT);
		this.writer = new SqliteWriter({ path, pragmas: PRAGMAS, statements: [INSERT, FORWARDED] });
		this.addTx = this.db.transaction((events: readonly StoredEvent[]) =>
			events.map((e) => {
				const info = this.insert.run(e.id, e.rxTs, JSON.stringify(e));
				if (info.changes === 1) this.added(Number(info.lastInsertRowid), e);
				return info.changes === 1;
			}),
		);
		this.pendingCount = this.countWaiting(this.mark, Number.MAX_SAFE_INTEGER);
		this.waiting = this.pendingCount === 0 ? [] : null;
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
		for (const e of events) values.push(e.id, e.rxTs, JSON.stringify(e));
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

	/** Events not yet forwarded, oldest first. */
	peek(limit: number): SpooledEvent[] {
		if (this.waiting) return this.waiting.slice(0, limit);
		const rows = this.db
			.prepare("SELECT seq, event FROM spool WHERE seq > ? AND dead IS NULL ORDER BY seq LIMIT ?")
			.all(this.mark, limit) as { seq: number; event: string }[];
		return rows.map((r) => ({ seq: r.seq, event: JSON.parse(r.event) as StoredEvent }));
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
		const changes = this.db
			.prepare("UPDATE spool SET forwarded_at = ?, dead = ? WHERE seq = ? AND seq > ? AND dead IS NULL")
			.run(now, reason, seq, this.mark).changes;
		this.left(changes, (w) => w.seq === seq);
	}

	/** Events the store refused for good. */
	deadLetters(): { seq: number; reason: string; event: StoredEvent }[] {
		const rows = this.db.prepare("SELECT seq, dead, event FROM spool WHERE dead IS NOT NULL ORDER BY seq").all() as {
			seq: number;
			dead: string;
			event: string;
		}[];
		return rows.map((r) => ({ seq: r.seq, reason: r.dead, event: JSON.parse(r.event) as StoredEvent }));
	}

	/** Drop forwarded rows older than the keep time (never the dead letters). */
	prune(now: number): number {
		return this.db
			.prepare("DELETE FROM spool WHERE seq <= ? AND dead IS NULL AND rx_ts < ?")
			.run(this.mark, now - this.keepForwardedMs).changes;
	}

	/** Events waiting to be forwarded. */
	get depth(): number {
		return this.pendingCount;
	}

	/** Receive time of the oldest event waiting, if any. */
	oldestRxTs(): number | undefined {
		const row = this.db.prepare("SELECT min(rx_ts) AS t FROM spool WHERE seq > ? AND dead IS NULL").get(this.mark) as {
			t: number | null;
		};
		return row.t ?? undefined;
	}

	/** Closes the file; the writer thread closes its connection once its last batch is written. */
	close(): void {
		if (this.db.open) this.db.close();
		void this.writer.close();
	}
}
