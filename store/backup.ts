/**
 * Consistent copies of SQLite files that a running hub is writing (the store, the spool, and any
 * other database in its data dir): SQLite's online backup API (better-sqlite3's `backup()`),
 * copying every page in one step, inside one read transaction — a snapshot of the moment it
 * began, taken without stopping the writer (WAL mode lets it go on committing meanwhile). Here
 * because only store/ talks to a database (test/unit/imports.test.ts); `vikno backup` calls it.
 */
import { closeSync, openSync, readSync } from "node:fs";
import Database from "better-sqlite3";

const HEADER = Buffer.from("SQLite format 3\0", "latin1");

/** Does the file start with SQLite's header? */
export function isSqliteFile(path: string): boolean {
	const fd = openSync(path, "r");
	try {
		const head = Buffer.alloc(HEADER.length);
		return readSync(fd, head, 0, head.length, 0) === head.length && head.equals(HEADER);
	} finally {
		closeSync(fd);
	}
}

export interface SqliteCheck {
	/** `PRAGMA user_version`: the schema version of the store (store/sqliteSchema.ts). */
	userVersion: number;
	/** `PRAGMA integrity_check`: "ok", or what is wrong. */
	integrity: string;
	/** Rows per table. */
	tables: Record<string, number>;
}

/** Open a copy read-only and check it: integrity, schema version, rows per table. */
export function checkSqlite(path: string): SqliteCheck {
	const db = new Database(path, { readonly: true, fileMustExist: true });
	try {
		const integrity = (db.pragma("integrity_check", { simple: true }) as string) ?? "";
		const userVersion = db.pragma("user_version", { simple: true }) as number;
		const names = db
			.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
			.pluck()
			.all() as string[];
		const tables: Record<string, number> = {};
		for (const name of names)
			tables[name] = db
				.prepare(`SELECT count(*) FROM "${name.replaceAll('"', '""')}"`)
				.pluck()
				.get() as number;
		return { userVersion, integrity, tables };
	} finally {
		db.close();
	}
}

/**
 * Copy the database at `source` to a new file `dest` while others may be writing it. Waits up to
 * `busyMs` for a writer's exclusive moment (a checkpoint) to pass. Resolves with the pages copied.
 * The copy is a rollback-journal database (no -wal file beside it to lose).
 */
export async function backupSqlite(source: string, dest: string, busyMs = 10_000): Promise<{ pages: number }> {
	const db = new Database(source, { fileMustExist: true });
	try {
		db.pragma(`busy_timeout = ${busyMs}`);
		// The first step copies nothing and says how many pages there are; the progress callback
		// then asks for all of them at once: one step, one read transaction, one moment.
		const done = await db.backup(dest, { progress: () => 0x7fffffff });
		const copy = new Database(dest);
		try {
			copy.pragma("journal_mode = DELETE");
		} finally {
			copy.close();
		}
		return { pages: done.totalPages };
	} finally {
		db.close();
	}
}
