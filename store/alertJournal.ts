/**
 * The alert journal: `DATA/alerts.db`, a SQLite file beside the users and the event store (which
 * may be InfluxDB; the journal is the hub's own, whatever the store). One row per alert from
 * raised to resolved (core/alertJournal.ts), and one per acknowledgement or comment: who, when,
 * what. The hub writes each change of the active set (`record`) and each acknowledgement; the
 * dashboard reads the open ones and those of a period. Kept 400 days, like raw events.
 */
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import Database from "better-sqlite3";
import {
	type AlertAck,
	type AlertId,
	type AlertRecord,
	journalChanges,
	MAX_COMMENT,
	sameAlert,
} from "../core/alertJournal.ts";
import type { Alert } from "../core/hubState.ts";

export const ALERTS_FILE = "alerts.db";
const KEPT_MS = 400 * 86_400_000;

export function alertsPath(dataDir: string): string {
	return join(dataDir, ALERTS_FILE);
}

const MIGRATIONS = [
	`CREATE TABLE alerts (
		centre TEXT NOT NULL,
		key TEXT NOT NULL,
		since INTEGER NOT NULL,
		rule TEXT NOT NULL,
		severity TEXT NOT NULL,
		-- JSON: subject {service?, zone?, node?, window?}, message {uk, en}
		subject TEXT NOT NULL,
		message TEXT NOT NULL,
		value REAL NOT NULL,
		threshold REAL NOT NULL,
		raised_at INTEGER NOT NULL,
		resolved_at INTEGER,
		PRIMARY KEY (centre, key, since)
	) WITHOUT ROWID;
	CREATE INDEX alerts_open ON alerts (centre, resolved_at);
	CREATE INDEX alerts_raised ON alerts (centre, raised_at);
	CREATE TABLE alert_acks (
		centre TEXT NOT NULL,
		key TEXT NOT NULL,
		since INTEGER NOT NULL,
		by_user TEXT NOT NULL,
		at INTEGER NOT NULL,
		comment TEXT NOT NULL
	);
	CREATE INDEX alert_acks_alert ON alert_acks (centre, key, since, at);`,
];

interface Row {
	centre: string;
	key: string;
	since: number;
	rule: string;
	severity: string;
	subject: string;
	message: string;
	value: number;
	threshold: number;
	raised_at: number;
	resolved_at: number | null;
}

interface AckRow {
	key: string;
	since: number;
	by_user: string;
	at: number;
	comment: string;
}

export class AlertJournal {
	private readonly db: Database.Database;

	constructor(readonly path: string) {
		mkdirSync(dirname(path), { recursive: true });
		this.db = new Database(path);
		this.db.pragma("journal_mode = WAL");
		this.db.pragma("busy_timeout = 5000");
		const version = this.db.pragma("user_version", { simple: true }) as number;
		for (let v = version; v < MIGRATIONS.length; v++) {
			this.db.transaction(() => {
				this.db.exec(MIGRATIONS[v] as string);
				this.db.pragma(`user_version = ${v + 1}`);
			})();
		}
	}

	/**
	 * The centre's active set at `at` (the whole set, on every change): new alerts are recorded,
	 * open ones follow their figures, and open ones no longer in the set are resolved at `at`.
	 */
	record(centre: string, at: number, active: readonly Alert[]): void {
		const changes = journalChanges(this.open(centre), active);
		if (!changes.raised.length && !changes.updated.length && !changes.resolved.length) return;
		const insert = this.db.prepare(
			`INSERT OR REPLACE INTO alerts (centre, key, since, rule, severity, subject, message, value, threshold, raised_at, resolved_at)
			 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`,
		);
		const update = this.db.prepare(
			"UPDATE alerts SET severity = ?, message = ?, value = ?, threshold = ? WHERE centre = ? AND key = ? AND since = ?",
		);
		const resolve = this.db.prepare(
			"UPDATE alerts SET resolved_at = ? WHERE centre = ? AND key = ? AND since = ? AND resolved_at IS NULL",
		);
		this.db.transaction(() => {
			for (const a of changes.raised)
				insert.run(
					centre,
					a.key,
					a.since,
					a.rule,
					a.severity,
					JSON.stringify(a.subject),
					JSON.stringify(a.message),
					a.value,
					a.threshold,
					at,
				);
			for (const a of changes.updated)
				update.run(a.severity, JSON.stringify(a.message), a.value, a.threshold, centre, a.key, a.since);
			for (const r of changes.resolved) resolve.run(at, centre, r.key, r.since);
		})();
	}

	/** Add an acknowledgement (or a further comment) to a recorded alert; undefined if there is none. */
	acknowledge(centre: string, id: AlertId, ack: AlertAck): AlertRecord | undefined {
		const found = this.db
			.prepare("SELECT 1 FROM alerts WHERE centre = ? AND key = ? AND since = ?")
			.get(centre, id.key, id.since);
		if (!found) return undefined;
		this.db
			.prepare("INSERT INTO alert_acks (centre, key, since, by_user, at, comment) VALUES (?, ?, ?, ?, ?, ?)")
			.run(centre, id.key, id.since, ack.by, ack.at, ack.comment.slice(0, MAX_COMMENT));
		return this.get(centre, id);
	}

	get(centre: string, id: AlertId): AlertRecord | undefined {
		const row = this.db
			.prepare("SELECT * FROM alerts WHERE centre = ? AND key = ? AND since = ?")
			.get(centre, id.key, id.since) as Row | undefined;
		return row ? this.withAcks(centre, [row])[0] : undefined;
	}

	/** The records still active (not resolved), oldest first. */
	open(centre: string): AlertRecord[] {
		const rows = this.db
			.prepare("SELECT * FROM alerts WHERE centre = ? AND resolved_at IS NULL ORDER BY raised_at, key")
			.all(centre) as Row[];
		return this.withAcks(centre, rows);
	}

	/** Records active at some time in [fromTs, toTs): raised before its end, not resolved before its start. Newest first. */
	between(centre: string, fromTs: number, toTs: number): AlertRecord[] {
		const rows = this.db
			.prepare(
				`SELECT * FROM alerts WHERE centre = ? AND raised_at < ? AND (resolved_at IS NULL OR resolved_at >= ?)
				 ORDER BY raised_at DESC, key`,
			)
			.all(centre, toTs, fromTs) as Row[];
		return this.withAcks(centre, rows);
	}

	/** Forget records resolved more than 400 days before `now`, with their acknowledgements. */
	prune(now: number): number {
		const cutoff = now - KEPT_MS;
		return this.db.transaction(() => {
			this.db
				.prepare(
					`DELETE FROM alert_acks WHERE rowid IN (SELECT a.rowid FROM alert_acks a JOIN alerts r
					 ON a.centre = r.centre AND a.key = r.key AND a.since = r.since WHERE r.resolved_at < ?)`,
				)
				.run(cutoff);
			return this.db.prepare("DELETE FROM alerts WHERE resolved_at < ?").run(cutoff).changes;
		})();
	}

	close(): void {
		this.db.close();
	}

	private withAcks(centre: string, rows: Row[]): AlertRecord[] {
		if (!rows.length) return [];
		const acks = this.db
			.prepare(
				`SELECT key, since, by_user, at, comment FROM alert_acks WHERE centre = ? AND since >= ? ORDER BY at, rowid`,
			)
			.all(centre, Math.min(...rows.map((r) => r.since))) as AckRow[];
		return rows.map((r) => ({
			key: r.key,
			rule: r.rule as AlertRecord["rule"],
			severity: r.severity as AlertRecord["severity"],
			subject: JSON.parse(r.subject) as AlertRecord["subject"],
			message: JSON.parse(r.message) as AlertRecord["message"],
			since: r.since,
			value: r.value,
			threshold: r.threshold,
			raisedAt: r.raised_at,
			resolvedAt: r.resolved_at,
			acks: acks.filter((a) => sameAlert(a, r)).map((a) => ({ by: a.by_user, at: a.at, comment: a.comment })),
		}));
	}
}
