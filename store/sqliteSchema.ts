/**
 * SQLite schema, as migrations numbered by `PRAGMA user_version`. A migration is history: never
 * edit one that has shipped, add the next. Tables mirror DESIGN.md's time-series layout
 * (rating, queue, occupancy, node_status) beside the raw `events`; `local_day` / `local_hour` are
 * the calendar of the row's centre (its time zone, from the centre file) so daily buckets start at
 * local midnight.
 */
import type Database from "better-sqlite3";

import { ROLLUP_BUILD, ROLLUP_TABLES, ROLLUP_TRIGGERS } from "./sqliteRollupSchema.ts";

export type Migration = string | ((db: Database.Database) => void);

/** Columns of each mirror table besides id, centre, ts, local_day, local_hour. */
export const MIRROR_COLUMNS = {
	rating: ["window", "service", "node", "score", "scale", "extra_score", "extra", "ticket", "source"],
	queue: ["service", "event", "window", "priority", "node", "wait_s", "service_s", "ticket"],
	occupancy: ["zone", "node", "count", "in", "out"],
	node_status: ["node", "online", "buffered", "uptime_s", "cpu_temp_c", "version"],
} as const;

export type MirrorTable = keyof typeof MIRROR_COLUMNS;
export const MIRROR_TABLES = Object.keys(MIRROR_COLUMNS) as MirrorTable[];

/** Tag columns of the hourly roll-ups ('' where a measurement has no such tag). */
export const ROLLUP_TAGS = ["service", "window", "event", "priority", "zone", "node"] as const;

// Rows are written only for an event new to `events` (whose key is the id), so these tables need
// no unique index of their own: one index per table keeps the write path cheap.
const common = `id TEXT NOT NULL, centre TEXT NOT NULL, ts INTEGER NOT NULL,
	local_day TEXT NOT NULL, local_hour INTEGER NOT NULL`;

export const MIGRATIONS: Migration[] = [
	// 1: raw events, one row per id (the idempotency key).
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
	// 2: derived values, the measurement tables, hourly roll-ups, store metadata.
	`ALTER TABLE events ADD COLUMN derived TEXT;
	CREATE TABLE rating (${common},
		"window" TEXT, service TEXT, node TEXT NOT NULL,
		score INTEGER, scale INTEGER, extra_score INTEGER, extra INTEGER, ticket TEXT);
	CREATE INDEX rating_centre_ts ON rating (centre, ts);
	CREATE TABLE queue (${common},
		service TEXT, event TEXT, "window" TEXT, priority TEXT, node TEXT NOT NULL,
		wait_s REAL, service_s REAL, ticket TEXT);
	CREATE INDEX queue_centre_ts ON queue (centre, ts);
	CREATE TABLE occupancy (${common},
		zone TEXT, node TEXT NOT NULL, count INTEGER, "in" INTEGER, "out" INTEGER);
	CREATE INDEX occupancy_centre_ts ON occupancy (centre, ts);
	CREATE TABLE node_status (${common},
		node TEXT NOT NULL, online INTEGER, buffered INTEGER, uptime_s REAL, cpu_temp_c REAL, version TEXT);
	CREATE INDEX node_status_centre_ts ON node_status (centre, ts);
	CREATE TABLE rollup_hour (
		measurement TEXT NOT NULL, field TEXT NOT NULL, centre TEXT NOT NULL,
		hour_ts INTEGER NOT NULL, local_day TEXT NOT NULL, local_hour INTEGER NOT NULL,
		service TEXT NOT NULL, "window" TEXT NOT NULL, event TEXT NOT NULL,
		priority TEXT NOT NULL, zone TEXT NOT NULL, node TEXT NOT NULL,
		count INTEGER NOT NULL, sum REAL NOT NULL, min REAL NOT NULL, max REAL NOT NULL,
		PRIMARY KEY (measurement, field, centre, hour_ts, service, "window", event, priority, zone, node)
	) WITHOUT ROWID;
	CREATE INDEX rollup_hour_ts ON rollup_hour (hour_ts);
	CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;`,
	// 3: events stored before version 2 get their measurement rows (filled in by the store).
	(db) => {
		db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('backfill_mirror', '1')").run();
	},
	// 4: how a rating was given (button | qr); rows from before are the buttons'.
	`ALTER TABLE rating ADD COLUMN source TEXT;`,
	// 5: the reports' roll-ups (sqliteRollup.ts), built from the rows already stored, then kept by
	// triggers on the measurement tables in the transaction of each insert.
	(db) => {
		db.exec(ROLLUP_TABLES);
		db.exec(ROLLUP_BUILD);
		db.exec(ROLLUP_TRIGGERS);
		// Hours already pruned have only `rollup_hour` (no values): queries before this read as before.
		db.prepare(
			"INSERT OR REPLACE INTO meta (key, value) SELECT 'rollups_from', value FROM meta WHERE key = 'pruned_before'",
		).run();
	},
];

/**
 * A file written by a newer vikno than this one (after a rollback without restoring the backup
 * taken before the upgrade): opening it would let this version write rows the newer schema does
 * not expect, so it is refused.
 */
export class SchemaTooNewError extends Error {
	constructor(
		readonly path: string,
		readonly version: number,
	) {
		super(
			`${path} has store schema version ${version}, newer than this vikno knows (${MIGRATIONS.length}): it was ` +
				"written by a newer vikno. Run that version again, or restore the backup taken before the upgrade " +
				"(vikno restore; docs/deploy.md, Upgrade and roll back)",
		);
	}
}

export function migrate(db: Database.Database): void {
	const version = db.pragma("user_version", { simple: true }) as number;
	if (version > MIGRATIONS.length) throw new SchemaTooNewError(db.name, version);
	for (let v = version; v < MIGRATIONS.length; v++) {
		db.transaction(() => {
			const m = MIGRATIONS[v] as Migration;
			if (typeof m === "string") db.exec(m);
			else m(db);
			db.pragma(`user_version = ${v + 1}`);
		})();
	}
}
