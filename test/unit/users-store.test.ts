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

	it("refuses a user it could not use, saying every problem at once", () => {
		expect(problemsOf({ name: "Olena K", role: "boss", centres: ["Demo"] })).toEqual([
			'user name "Olena K": lower case letters, digits and . _ @ - only, 1–64 characters',
			'role "boss": must be one of admin, manager, viewer',
			'centre "Demo": must match ^[a-z0-9][a-z0-9-]{0,31}$',
		]);
		expect(problemsOf({ name: "root", role: "admin", centres: ["demo"] })).toEqual([
			"an admin sees every centre: give no centres",
		]);
		expect(problemsOf({ name: "wall", role: "viewer", centres: [] })).toEqual(["a viewer needs at least one centre"]);
		const s = new UserStore(usersPath(dir.path));
		try {
			expect(() => s.add({ name: "wall", role: "viewer", centres: [], hash: "x" })).toThrow(UserStoreError);
			expect(s.get("wall")).toBeUndefined();
		} finally {
			s.close();
		}
	});
});
