import type { Session } from "fastify";
import { describe, expect, it } from "vitest";
import { SessionStore } from "../../dashboard/auth/sessions.ts";

const data = (user?: string) => ({ cookie: { originalMaxAge: null }, ...(user ? { user } : {}) }) as unknown as Session;

function store(maxSessions?: number) {
	const clock = { now: 0 };
	const s = new SessionStore({ idleMs: 1_000, maxMs: 5_000 }, () => clock.now, maxSessions);
	const get = (id: string) => {
		let out: Session | null | undefined;
		s.get(id, (_e, v) => {
			out = v;
		});
		return out;
	};
	const set = (id: string, v: Session) => s.set(id, v, () => {});
	return { s, clock, get, set };
}

describe("the session store", () => {
	it("keeps a copy of the data, not the object it was given", () => {
		const { get, set } = store();
		const d = data("olena");
		set("a", d);
		(d as unknown as { user: string }).user = "petro";
		expect(get("a")?.user).toBe("olena");
	});

	it("ends a session nobody used for the idle time", () => {
		const { s, clock, get, set } = store();
		set("a", data("olena"));
		clock.now = 999;
		expect(s.touch("a")).toBe(true);
		clock.now = 1_998;
		expect(get("a")?.user).toBe("olena");
		clock.now = 1_999;
		expect(get("a")).toBeNull();
		expect(s.touch("a")).toBe(false);
	});

	it("ends a session at its absolute end, however much it is used", () => {
		const { s, clock, get, set } = store();
		set("a", data("olena"));
		for (clock.now = 500; clock.now < 5_000; clock.now += 500) expect(s.touch("a")).toBe(true);
		expect(s.expiry("a")).toBeUndefined();
		expect(get("a")).toBeNull();
	});

	it("tells listeners when a session ends: destroyed, expired in a sweep, or evicted", () => {
		const { s, clock, set } = store(2);
		const ended: string[] = [];
		for (const id of ["a", "b", "c", "d"]) {
			set(id, data(id));
			s.onEnd(id, () => ended.push(id));
		}
		// Four sessions in a store of two: the least recently used went first.
		expect(ended).toEqual(["a", "b"]);
		s.destroy("c", () => {});
		expect(ended).toEqual(["a", "b", "c"]);
		const off = s.onEnd("d", () => ended.push("d again"));
		off();
		clock.now = 1_000;
		s.sweep();
		expect(ended).toEqual(["a", "b", "c", "d"]);
	});

	it("counts sessions signed in and anonymous, and says when each ends", () => {
		const { s, clock, set } = store();
		set("a", data("olena"));
		set("b", data());
		expect(s.count((d) => typeof d.user === "string")).toEqual({ signedIn: 1, anonymous: 1 });
		clock.now = 300;
		s.touch("a");
		expect(s.expiry("a")).toEqual({ idleAt: 1_300, at: 5_000 });
	});
});
