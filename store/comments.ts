/**
 * Visitors' comments ("Залишити відгук") left after a QR rating: a SQLite file of their own under
 * the data dir (`DATA/feedback.db`), whatever the event store is. Kept apart from the ratings on
 * purpose: a comment is free text a person typed, so it is never published over MQTT, never in
 * the public API and never in the time-series store; managers read it through the manager API.
 * One comment per rating (its event id), at most `MAX_COMMENT` characters; kept as long as raw
 * events (400 days).
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { type Comment, type CommentBook, MAX_COMMENT } from "./types.ts";

const KEEP_MS = 400 * 86_400_000;

export class CommentStore implements CommentBook {
	private readonly db: Database.Database;
	private readonly insert: Database.Statement;
	private readonly select: Database.Statement;

	constructor(path: string) {
		mkdirSync(dirname(path), { recursive: true });
		this.db = new Database(path);
		this.db.pragma("journal_mode = WAL");
		this.db.pragma("synchronous = FULL");
		this.db.exec(`CREATE TABLE IF NOT EXISTS comments (
			rating_id TEXT PRIMARY KEY,
			centre TEXT NOT NULL,
			at INTEGER NOT NULL,
			"window" TEXT NOT NULL,
			service TEXT,
			ticket TEXT,
			score INTEGER NOT NULL,
			text TEXT NOT NULL
		) WITHOUT ROWID;
		CREATE INDEX IF NOT EXISTS comments_centre_at ON comments (centre, at);`);
		this.insert = this.db.prepare(
			`INSERT OR IGNORE INTO comments (rating_id, centre, at, "window", service, ticket, score, text)
			VALUES (@ratingId, @centre, @at, @window, @service, @ticket, @score, @text)`,
		);
		this.select = this.db.prepare(
			`SELECT rating_id AS ratingId, centre, at, "window", service, ticket, score, text FROM comments
			WHERE centre = ? AND at >= ? AND at < ? ORDER BY at DESC LIMIT ?`,
		);
	}

	/** Keep a comment; false when its rating already has one (nothing changes). */
	add(c: Comment): boolean {
		if (c.text.length > MAX_COMMENT) throw new RangeError(`a comment is at most ${MAX_COMMENT} characters`);
		return this.insert.run(c).changes === 1;
	}

	/** A centre's comments written in [fromTs, toTs), newest first, at most `limit`. */
	list(centre: string, fromTs: number, toTs: number, limit = 1000): Comment[] {
		return this.select.all(centre, fromTs, toTs, limit) as Comment[];
	}

	/** Forget comments older than raw events are kept; returns how many. */
	prune(now: number): number {
		return this.db.prepare("DELETE FROM comments WHERE at < ?").run(now - KEEP_MS).changes;
	}

	close(): void {
		this.db.close();
	}
}
