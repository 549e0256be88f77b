import { EventEmitter } from "node:events";
import type { Client } from "aedes";
import { describe, expect, it } from "vitest";
import { ConnectTurns, type TurnStart } from "../../broker/connectTurns.ts";

/** What the turns read of an aedes client: its connection's close event and whether it is closed. */
function client() {
	const conn = Object.assign(new EventEmitter(), { destroyed: false });
	const c = { conn, closed: false };
	return {
		c: c as unknown as Client,
		close() {
			conn.destroyed = true;
			c.closed = true;
			conn.emit("close");
		},
	};
}

/** Turns on a clock the test moves. */
function turnsOf(max: number, maxWaitMs = 5_000) {
	const clock = { t: 0 };
	return { turns: new ConnectTurns(max, maxWaitMs, () => clock.t), clock };
}

describe("ConnectTurns", () => {
	it("lets at most `max` connect at once, the others in the order they came", () => {
		const { turns } = turnsOf(2);
		const started: number[] = [];
		const cs = Array.from({ length: 5 }, () => client());
		cs.forEach((x, i) => {
			turns.enter(x.c, (how) => {
				expect(how).toBe("go");
				started.push(i);
			});
		});
		expect(started).toEqual([0, 1]);
		expect(turns.connecting).toBe(2);
		expect(turns.waiting).toBe(3);
		turns.done((cs[1] as { c: Client }).c);
		expect(started).toEqual([0, 1, 2]);
		turns.done((cs[0] as { c: Client }).c);
		expect(started).toEqual([0, 1, 2, 3]);
		expect(turns.waiting).toBe(1);
	});

	it("ends a turn when the connection closes, and only once", () => {
		const { turns } = turnsOf(1);
		const a = client();
		const b = client();
		const c = client();
		const started: string[] = [];
		turns.enter(a.c, () => started.push("a"));
		turns.enter(b.c, () => started.push("b"));
		turns.enter(c.c, () => started.push("c"));
		a.close();
		expect(started).toEqual(["a", "b"]);
		// a's turn already ended: a late done() must not end b's as well.
		turns.done(a.c);
		expect(started).toEqual(["a", "b"]);
		expect(turns.connecting).toBe(1);
		turns.done(b.c);
		b.close();
		expect(started).toEqual(["a", "b", "c"]);
		expect(turns.connecting).toBe(1);
	});

	it("skips a client that left while waiting, without taking a turn", () => {
		const { turns } = turnsOf(1);
		const first = client();
		const left = client();
		const last = client();
		const seen: [string, TurnStart][] = [];
		turns.enter(first.c, (how) => seen.push(["first", how]));
		turns.enter(left.c, (how) => seen.push(["left", how]));
		turns.enter(last.c, (how) => seen.push(["last", how]));
		left.close();
		turns.done(first.c);
		expect(seen).toEqual([
			["first", "go"],
			["left", "gone"],
			["last", "go"],
		]);
		expect(turns.connecting).toBe(1);
		expect(turns.waiting).toBe(0);
	});

	it("passes many waiting clients that left, one after another, without deep recursion", () => {
		const { turns } = turnsOf(1);
		const holder = client();
		turns.enter(holder.c, () => {});
		const gone = Array.from({ length: 50_000 }, () => client());
		let skipped = 0;
		for (const g of gone) turns.enter(g.c, (how) => (skipped += how === "gone" ? 1 : 0));
		for (const g of gone) g.close();
		const last = client();
		let lastStarted = false;
		turns.enter(last.c, () => {
			lastStarted = true;
		});
		turns.done(holder.c);
		expect(skipped).toBe(50_000);
		expect(lastStarted).toBe(true);
		expect(turns.waiting).toBe(0);
	});

	it("answers a client that waited longer than the bound at once, without a turn, and serves the next", () => {
		const { turns, clock } = turnsOf(1, 5_000);
		const holder = client();
		const early = client();
		const seen: [string, TurnStart][] = [];
		turns.enter(holder.c, (how) => seen.push(["holder", how]));
		turns.enter(early.c, (how) => seen.push(["early", how]));
		clock.t = 4_000;
		const fresh = client();
		turns.enter(fresh.c, (how) => seen.push(["fresh", how]));
		clock.t = 5_001;
		turns.done(holder.c);
		// early waited 5 001 ms (> 5 000): refused; fresh waited 1 001 ms: its turn.
		expect(seen).toEqual([
			["holder", "go"],
			["early", "late"],
			["fresh", "go"],
		]);
		expect(turns.connecting).toBe(1);
	});

	it("tells every change: connecting and waiting", () => {
		const changes: [number, number][] = [];
		const turns = new ConnectTurns(
			1,
			5_000,
			() => 0,
			(c, w) => changes.push([c, w]),
		);
		const a = client();
		const b = client();
		turns.enter(a.c, () => {});
		turns.enter(b.c, () => {});
		turns.done(a.c);
		turns.done(b.c);
		expect(changes).toEqual([
			[1, 0],
			[1, 1],
			[1, 0],
			[0, 0],
		]);
	});

	it("refuses a bound under 1", () => {
		expect(() => new ConnectTurns(0, 5_000, () => 0)).toThrow(/at least 1/);
	});
});
