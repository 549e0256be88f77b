/**
 * The hub's local durable spool: a SQLite file (WAL, synchronous=FULL) beside the store.
 * Events go here, in arrival order, when the store is remote (InfluxDB) or failing; a
 * forwarder drains it into the store in order. Rows already forwarded are kept for a while
 * (`keepForwardedMs`) so a repeated id is recognised even after the store took it.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { StoredEvent } from "../store/types.ts";

export interface SpooledEvent {
	seq: number;
	event: StoredEvent;
}

export class Spool {
	private readonly db: Database.Database;
	private readonly insert: Database.Statement;
	private readonly addTx: (events: readonly StoredEvent[]) => boolean[];
	private pendingCount: number;

	constructor(
		readonly path: string,
		private readonly keepForwardedMs = 24 * 3_600_000,
	) {
		mkdirSync(dirname(path), { recursive: true });
		this.db = new Database(path);
		this.db.pragma("journal_mode = WAL");
		this.db.pragma("synchronous = FULL");
		this.db.exec(`CREATE TABLE IF NOT EXISTS spool (
			seq INTEGER PRIMARY KEY AUTOINCREMENT,
			id TEXT NOT NULL UNIQUE,
			rx_ts INTEGER NOT NULL,
			event TEXT NOT NULL,
			forwarded_at INTEGER,
			-- why the store refused this event for good (kept, never pruned, for a person to look at)
			dead TEXT
		);
		CREATE INDEX IF NOT EXISTS spool_pending ON spool (seq) WHERE forwarded_at IS NULL;
		CREATE INDEX IF NOT EXISTS spool_forwarded ON spool (forwarded_at) WHERE forwarded_at IS NOT NULL;`);
		this.insert = this.db.prepare("INSERT OR IGNORE INTO spool (id, rx_ts, event) VALUES (?, ?, ?)");
		this.addTx = this.db.transaction((events: readonly StoredEvent[]) =>
			events.map((e) => this.insert.run(e.id, e.rxTs, JSON.stringify(e)).changes === 1),
		);
		this.pendingCount = (
			this.db.prepare("SELECT count(*) AS n FROM spool WHERE forwarded_at IS NULL").get() as { n: number }
		).n;
	}

	/** Append durably (one transaction, synced). Per event: false when the id is already spooled. */
	add(events: readonly StoredEvent[]): boolean[] {
		if (events.length === 0) return [];
		const fresh = this.addTx(events);
		this.pendingCount += fresh.filter(Boolean).length;
		return fresh;
	}

	/** Events not yet forwarded, oldest first. */
	peek(limit: number): SpooledEvent[] {
		const rows = this.db
			.prepare("SELECT seq, event FROM spool WHERE forwarded_at IS NULL ORDER BY seq LIMIT ?")
			.all(limit) as { seq: number; event: string }[];
		return rows.map((r) => ({ seq: r.seq, event: JSON.parse(r.event) as StoredEvent }));
	}

	/** Mark everything up to `seq` as forwarded; `forget` deletes them at once instead. */
	forwarded(upToSeq: number, now: number, forget: boolean): void {
		const stmt = forget
			? this.db.prepare("DELETE FROM spool WHERE seq <= ? AND forwarded_at IS NULL")
			: this.db.prepare("UPDATE spool SET forwarded_at = ? WHERE seq <= ? AND forwarded_at IS NULL");
		const changes = (forget ? stmt.run(upToSeq) : stmt.run(now, upToSeq)).changes;
		this.pendingCount -= changes;
	}

	/** The store refuses this event whatever we do (e.g. a field type conflict): set it aside, keep it. */
	deadLetter(seq: number, reason: string, now: number): void {
		const changes = this.db
			.prepare("UPDATE spool SET forwarded_at = ?, dead = ? WHERE seq = ? AND forwarded_at IS NULL")
			.run(now, reason, seq).changes;
		this.pendingCount -= changes;
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
			.prepare("DELETE FROM spool WHERE forwarded_at IS NOT NULL AND dead IS NULL AND forwarded_at < ?")
			.run(now - this.keepForwardedMs).changes;
	}

	/** Events waiting to be forwarded. */
	get depth(): number {
		return this.pendingCount;
	}

	/** Receive time of the oldest event waiting, if any. */
	oldestRxTs(): number | undefined {
		const row = this.db.prepare("SELECT min(rx_ts) AS t FROM spool WHERE forwarded_at IS NULL").get() as {
			t: number | null;
		};
		return row.t ?? undefined;
	}

	close(): void {
		if (this.db.open) this.db.close();
	}
}
