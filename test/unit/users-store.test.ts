import { mkdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { problemsOf, UserStore, UserStoreError, usersPath } from "../../store/users.ts";
import { tempDir } from "../fixtures/hub.ts";

const dir = tempDir();
afterAll(() => dir.remove());

describe("the user store (DATA/users.db)", () => {
	it("adds, reads, lists, re-hashes and removes users; a second opener sees every change", () => {
		const a = new UserStore(usersPath(dir.path));
		const b = new UserStore(usersPath(dir.path));
		try {
			const at = new Date("2026-12-01T08:00:00Z");
			a.add({ name: "olena", role: "manager", centres: ["lutsk", "demo", "demo"], hash: "scrypt$1" }, at);
			a.add({ name: "root", role: "admin", centres: [], hash: "scrypt$2" }, at);
			expect(b.get("olena")).toEqual({
				name: "olena",
				role: "manager",
				centres: ["demo", "lutsk"],
				windows: [],
				hash: "scrypt$1",
				created: at.toISOString(),
				passwordChanged: at.toISOString(),
			});
			expect(b.list().map((u) => u.name)).toEqual(["olena", "root"]);
			expect(() => b.add({ name: "olena", role: "viewer", centres: ["demo"], hash: "x" })).toThrow(/exists already/);

			const later = new Date("2026-12-02T08:00:00Z");
			expect(b.setHash("olena", "scrypt$3", later)).toBe(true);
			expect(a.get("olena")).toMatchObject({ hash: "scrypt$3", passwordChanged: later.toISOString() });
			expect(a.setHash("nobody", "x")).toBe(false);

			expect(a.remove("olena")).toBe(true);
			expect(a.remove("olena")).toBe(false);
			expect(b.get("olena")).toBeUndefined();
		} finally {
			a.close();
			b.close();
		}
	});

	it("keeps an operator's windows, and opens a file of the first version with its users intact", () => {
		const old = join(dir.path, "v1");
		mkdirSync(old);
		const db = new Database(usersPath(old));
		db.exec(`CREATE TABLE users (name TEXT PRIMARY KEY, role TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'viewer')),
			centres TEXT NOT NULL, hash TEXT NOT NULL, created TEXT NOT NULL, password_changed TEXT NOT NULL) WITHOUT ROWID;
			INSERT INTO users VALUES ('olena', 'manager', '["demo"]', 'scrypt$1', 't0', 't0');
			PRAGMA user_version = 1;`);
		db.close();
		const s = new UserStore(usersPath(old));
		try {
			expect(s.get("olena")).toMatchObject({ role: "manager", centres: ["demo"], windows: [], hash: "scrypt$1" });
			s.add({ name: "ivan", role: "operator", centres: ["demo"], windows: ["demo/w04", "demo/w03"], hash: "x" });
			expect(s.get("ivan")).toMatchObject({ role: "operator", windows: ["demo/w03", "demo/w04"] });
		} finally {
			s.close();
		}
	});

	it("refuses a user it could not use, saying every problem at once", () => {
		expect(problemsOf({ name: "Olena K", role: "boss", centres: ["Demo"] })).toEqual([
			'user name "Olena K": lower case letters, digits and . _ @ - only, 1–64 characters',
			'role "boss": must be one of admin, manager, operator, viewer',
			'centre "Demo": must match ^[a-z0-9][a-z0-9-]{0,31}$',
		]);
		expect(problemsOf({ name: "root", role: "admin", centres: ["demo"] })).toEqual([
			"an admin sees every centre: give no centres",
		]);
		expect(problemsOf({ name: "wall", role: "viewer", centres: [] })).toEqual(["a viewer needs at least one centre"]);
		expect(problemsOf({ name: "ivan", role: "operator", centres: ["demo"] })).toEqual([
			"an operator needs at least one window",
		]);
		expect(
			problemsOf({ name: "ivan", role: "operator", centres: ["demo"], windows: ["demo/w03", "lutsk/w01", "w3"] }),
		).toEqual([
			'window "lutsk/w01": its centre is not among the user\'s',
			'window "w3": must be centre/window, each matching ^[a-z0-9][a-z0-9-]{0,31}$',
		]);
		expect(problemsOf({ name: "olena", role: "manager", centres: ["demo"], windows: ["demo/w03"] })).toEqual([
			"windows are an operator's; a manager has none",
		]);
		const s = new UserStore(usersPath(dir.path));
		try {
			expect(() => s.add({ name: "wall", role: "viewer", centres: [], hash: "x" })).toThrow(UserStoreError);
			expect(s.get("wall")).toBeUndefined();
		} finally {
			s.close();
		}
	});
});
