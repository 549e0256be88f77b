/**
 * The users of the manager dashboard: `DATA/users.db`, a SQLite file beside the device
 * credentials (DATA/devices.json) and the event store. One row per user: the role, the centres
 * (for a manager or viewer) and only a salted hash of the password — hashed by the caller with
 * the same scrypt format as the devices' (broker/passwords.ts). `vikno user` writes it while the
 * hub runs (WAL, a busy timeout); the hub reads the row at every request, so adding, removing or
 * changing a user takes effect at once, without a restart.
 */
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import Database from "better-sqlite3";
import { ID_PATTERN, isId } from "../core/ids.ts";
import { isRole, isUserName, ROLE_NAMES, ROLES, type Role } from "../core/roles.ts";

export const USERS_FILE = "users.db";

export function usersPath(dataDir: string): string {
	return join(dataDir, USERS_FILE);
}

export interface UserRecord {
	name: string;
	role: Role;
	/** The centres a manager or viewer sees; empty for an admin (every centre). */
	centres: string[];
	/** An operator's windows, "centre/window" (their centres are among `centres`); empty for the others. */
	windows: string[];
	/** `scrypt$N$r$p$salt$key` (broker/passwords.ts). */
	hash: string;
	/** ISO time of creation and of the latest password change. */
	created: string;
	passwordChanged: string;
}

export type NewUser = Pick<UserRecord, "name" | "role" | "centres" | "hash"> & { windows?: string[] };

export class UserStoreError extends Error {}

const MIGRATIONS = [
	`CREATE TABLE users (
		name TEXT PRIMARY KEY,
		role TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'viewer')),
		-- JSON array of centre ids
		centres TEXT NOT NULL,
		hash TEXT NOT NULL,
		created TEXT NOT NULL,
		password_changed TEXT NOT NULL
	) WITHOUT ROWID;`,
	// 2: the operator role, bound to windows. SQLite cannot change a CHECK: the table is made again.
	`CREATE TABLE users2 (
		name TEXT PRIMARY KEY,
		role TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'operator', 'viewer')),
		centres TEXT NOT NULL,
		-- JSON array of "centre/window" (an operator's)
		windows TEXT NOT NULL DEFAULT '[]',
		hash TEXT NOT NULL,
		created TEXT NOT NULL,
		password_changed TEXT NOT NULL
	) WITHOUT ROWID;
	INSERT INTO users2 (name, role, centres, hash, created, password_changed)
		SELECT name, role, centres, hash, created, password_changed FROM users;
	DROP TABLE users;
	ALTER TABLE users2 RENAME TO users;`,
];

interface Row {
	name: string;
	role: string;
	centres: string;
	windows: string;
	hash: string;
	created: string;
	password_changed: string;
}

/** What is wrong with a new user, every problem at once (empty when nothing is). */
export function problemsOf(user: {
	name: string;
	role: string;
	centres: readonly string[];
	windows?: readonly string[] | undefined;
}): string[] {
	const problems: string[] = [];
	if (!isUserName(user.name))
		problems.push(`user name "${user.name}": lower case letters, digits and . _ @ - only, 1–64 characters`);
	if (!isRole(user.role)) problems.push(`role "${user.role}": must be one of ${ROLE_NAMES.join(", ")}`);
	for (const c of user.centres) if (!isId(c)) problems.push(`centre "${c}": must match ${ID_PATTERN}`);
	if (isRole(user.role)) {
		if (ROLES[user.role].allCentres && user.centres.length > 0)
			problems.push(`an ${user.role} sees every centre: give no centres`);
		if (!ROLES[user.role].allCentres && user.centres.length === 0)
			problems.push(`a ${user.role} needs at least one centre`);
		const windows = user.windows ?? [];
		if (user.role === "operator" && windows.length === 0) problems.push("an operator needs at least one window");
		if (user.role !== "operator" && windows.length > 0)
			problems.push(`windows are an operator's; a ${user.role} has none`);
		for (const w of windows) {
			const [centre, window, ...rest] = w.split("/");
			if (rest.length > 0 || !centre || !window || !isId(centre) || !isId(window))
				problems.push(`window "${w}": must be centre/window, each matching ${ID_PATTERN}`);
			else if (!user.centres.includes(centre)) problems.push(`window "${w}": its centre is not among the user's`);
		}
	}
	return problems;
}

export class UserStore {
	private readonly db: Database.Database;
	private readonly byName: Database.Statement<[string], Row>;

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
		this.byName = this.db.prepare("SELECT * FROM users WHERE name = ?");
	}

	get(name: string): UserRecord | undefined {
		const row = this.byName.get(name);
		return row ? recordOf(row) : undefined;
	}

	list(): UserRecord[] {
		return (this.db.prepare("SELECT * FROM users ORDER BY name").all() as Row[]).map(recordOf);
	}

	/** Add a user; a name already taken is refused. */
	add(user: NewUser, now = new Date()): UserRecord {
		const problems = problemsOf(user);
		if (problems.length > 0) throw new UserStoreError(problems.join("; "));
		const at = now.toISOString();
		const centres = [...new Set(user.centres)].sort();
		const windows = [...new Set(user.windows ?? [])].sort();
		const inserted = this.db
			.prepare(
				"INSERT OR IGNORE INTO users (name, role, centres, windows, hash, created, password_changed) VALUES (?, ?, ?, ?, ?, ?, ?)",
			)
			.run(user.name, user.role, JSON.stringify(centres), JSON.stringify(windows), user.hash, at, at);
		if (inserted.changes === 0) throw new UserStoreError(`user "${user.name}" exists already`);
		return { ...user, centres, windows, created: at, passwordChanged: at };
	}

	/** Replace a user's password hash; false when there is no such user. */
	setHash(name: string, hash: string, now = new Date()): boolean {
		const r = this.db
			.prepare("UPDATE users SET hash = ?, password_changed = ? WHERE name = ?")
			.run(hash, now.toISOString(), name);
		return r.changes > 0;
	}

	/** Remove a user; false when there was none. */
	remove(name: string): boolean {
		return this.db.prepare("DELETE FROM users WHERE name = ?").run(name).changes > 0;
	}

	close(): void {
		this.db.close();
	}
}

function recordOf(row: Row): UserRecord {
	// The CHECK constraint keeps the role one of ROLES; were it ever not, the least one is assumed.
	const role = isRole(row.role) ? row.role : "viewer";
	return {
		name: row.name,
		role,
		centres: JSON.parse(row.centres) as string[],
		windows: JSON.parse(row.windows ?? "[]") as string[],
		hash: row.hash,
		created: row.created,
		passwordChanged: row.password_changed,
	};
}
