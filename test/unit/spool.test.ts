/** The hub's spool on a real SQLite file: order, the forwarded watermark across a reopen, dedupe, dead letters, pruning. */
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { dataText, payloadText } from "../../store/payloadText.ts";
import { Spool } from "../../store/spool.ts";
import type { StoredEvent } from "../../store/types.ts";
import { storedRating } from "../fixtures/events.ts";
import { tempDir } from "../fixtures/hub.ts";

const dir = tempDir("vikno-spool-");
afterAll(() => dir.remove());

const T0 = Date.UTC(2026, 10, 23, 8);
const ev = (i: number) => storedRating(i, T0);
const ids = (rows: { event: StoredEvent }[]) => rows.map((r) => r.event.id);

describe("spool", () => {
	it("keeps order and the forwarded watermark across a reopen; repeats are recognised", async () => {
		const path = join(dir.path, "a.db");
		let spool = new Spool(path);
		expect(spool.add([1, 2, 3, 4, 5].map(ev))).toEqual([true, true, true, true, true]);
		expect(await spool.addAsync([6, 7, 3].map(ev))).toEqual([true, true, false]);
		expect(spool.depth).toBe(7);
		const first = spool.peek(3);
		expect(ids(first)).toEqual(["ev-1", "ev-2", "ev-3"]);
		await spool.forwardedAsync(first.at(-1)?.seq ?? 0, T0);
		expect(spool.depth).toBe(4);
		expect(ids(spool.peek(10))).toEqual(["ev-4", "ev-5", "ev-6", "ev-7"]);
		spool.close();

		spool = new Spool(path);
		expect(spool.depth).toBe(4);
		expect(ids(spool.peek(2))).toEqual(["ev-4", "ev-5"]);
		expect(spool.oldestRxTs()).toBe(T0 + 4);
		// Forwarded events are still known: a repeat is not spooled again.
		expect(spool.add([ev(1), ev(8)])).toEqual([false, true]);
		expect(spool.depth).toBe(5);
		spool.close();
	});

	it("sets a refused event aside, forwards past it, and prunes only forwarded rows past the keep time", () => {
		const spool = new Spool(join(dir.path, "b.db"), 60_000);
		spool.add([1, 2, 3, 4].map(ev));
		const rows = spool.peek(10);
		spool.deadLetter(rows[1]?.seq ?? 0, "field type conflict", T0);
		expect(spool.depth).toBe(3);
		expect(ids(spool.peek(10))).toEqual(["ev-1", "ev-3", "ev-4"]);
		spool.forwarded(rows[3]?.seq ?? 0, T0, false);
		expect(spool.depth).toBe(0);
		expect(spool.peek(10)).toEqual([]);
		expect(spool.prune(T0 + 1_000)).toBe(0); // within the keep time
		expect(spool.prune(T0 + 120_000)).toBe(3); // the forwarded ones; the dead letter stays
		expect(spool.deadLetters().map((d) => [d.event.id, d.reason])).toEqual([["ev-2", "field type conflict"]]);
		spool.close();
	});

	it("prunes the old forwarded rows at the start, up to the first that is not old yet", () => {
		const spool = new Spool(join(dir.path, "ages.db"), 60_000);
		const at = (i: number, rxTs: number) => ({ ...ev(i), rxTs });
		spool.add([at(1, T0), at(2, T0 + 1_000), at(3, T0 + 100_000), at(4, T0 + 2_000), at(5, T0 + 200_000)]);
		spool.forwarded(spool.peek(4).at(-1)?.seq ?? 0, T0, false);
		// Keep time ends at T0 + 50 000: ev-1 and ev-2 go; ev-4 is old too but received after a young
		// one (a clock step), so it waits for the next prune; ev-5 is not forwarded yet.
		expect(spool.prune(T0 + 110_000)).toBe(2);
		expect(spool.prune(T0 + 170_000)).toBe(2);
		expect(spool.depth).toBe(1);
		spool.close();
	});

	it("peeks past a seq, from memory and from the file alike", () => {
		const path = join(dir.path, "after.db");
		let spool = new Spool(path);
		spool.add([1, 2, 3, 4, 5].map(ev));
		const seqs = spool.peek(10).map((w) => w.seq);
		expect(ids(spool.peek(2, seqs[1]))).toEqual(["ev-3", "ev-4"]);
		spool.close();
		spool = new Spool(path); // nothing in memory after a reopen with events waiting
		expect(ids(spool.peek(2, seqs[1]))).toEqual(["ev-3", "ev-4"]);
		expect(spool.peek(10, seqs[4])).toEqual([]);
		spool.close();
	});

	it("deletes forwarded rows at once for a local store", () => {
		const spool = new Spool(join(dir.path, "c.db"));
		spool.add([1, 2, 3].map(ev));
		spool.forwarded(spool.peek(2).at(-1)?.seq ?? 0, T0, true);
		expect(spool.depth).toBe(1);
		// Deleted, so an id repeated later is taken again (the local store's own key dedupes it).
		expect(spool.add([ev(1)])).toEqual([true]);
		spool.close();
	});

	it("rebuilds a spool file of the older one-column layout, keeping seqs, the mark and dead letters", async () => {
		const path = join(dir.path, "old.db");
		const db = new Database(path);
		db.exec(`CREATE TABLE spool (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
			rx_ts INTEGER NOT NULL, event TEXT NOT NULL, forwarded_at INTEGER, dead TEXT);
			CREATE TABLE spool_mark (id INTEGER PRIMARY KEY CHECK (id = 1), upto INTEGER NOT NULL);`);
		const ins = db.prepare("INSERT INTO spool (id, rx_ts, event, dead) VALUES (?, ?, ?, ?)");
		const queued = {
			...ev(5),
			kind: "queue" as const,
			derived: { wait_s: 61.5 },
			data: { id: "ev-5", ts: T0 + 5, event: "called" },
		};
		for (const e of [ev(1), ev(2), ev(3), ev(4), queued, ev(6)])
			ins.run(e.id, e.rxTs, JSON.stringify(e), e.id === "ev-4" ? "refused" : null);
		// ev-1..3 forwarded and deleted (a local store): the counter is past every seq left.
		db.prepare("DELETE FROM spool WHERE seq <= 3").run();
		db.prepare("INSERT INTO spool_mark (id, upto) VALUES (1, 3)").run();
		db.close();

		const spool = new Spool(path);
		expect(spool.depth).toBe(2);
		const waiting = spool.peek(10);
		expect(waiting.map((w) => w.seq)).toEqual([5, 6]);
		expect(waiting.map((w) => w.event)).toEqual([queued, ev(6)]);
		expect(spool.deadLetters().map((d) => [d.seq, d.event, d.reason])).toEqual([[4, ev(4), "refused"]]);
		// New events continue after the old seqs (never at or below the mark).
		expect(await spool.addAsync([ev(7)])).toEqual([true]);
		expect(spool.peek(10).map((w) => [w.seq, w.event.id])).toEqual([
			[5, "ev-5"],
			[6, "ev-6"],
			[7, "ev-7"],
		]);
		spool.close();
		const reopened = new Spool(path);
		expect(reopened.peek(10).map((w) => w.seq)).toEqual([5, 6, 7]);
		reopened.close();
	});

	it("keeps a payload's own text, and serialises one that was replaced", () => {
		const spool = new Spool(join(dir.path, "text.db"));
		const received = ev(1);
		const asReceived: StoredEvent = {
			...received,
			text: payloadText(received.data, '{"id":"ev-1", "ts":1795420800001,"score":3}'),
		};
		// Spread into a new event with other data: the text of the old data must not be written.
		const replaced: StoredEvent = { ...asReceived, id: "ev-2", data: { ...asReceived.data, id: "ev-2", score: 5 } };
		spool.add([asReceived, replaced]);
		const db = new Database(join(dir.path, "text.db"), { readonly: true });
		expect(db.prepare("SELECT data FROM spool ORDER BY seq").pluck().all()).toEqual([
			'{"id":"ev-1", "ts":1795420800001,"score":3}',
			JSON.stringify(replaced.data),
		]);
		db.close();
		spool.close();
		// Read back from the file: the same event (the text is not part of it).
		const reopened = new Spool(join(dir.path, "text.db"));
		expect(reopened.peek(1)[0]?.event).toEqual(ev(1));
		reopened.close();
	});

	it("pairs a text with a payload that can no longer change", () => {
		const e = ev(3);
		e.text = payloadText(e.data, JSON.stringify(e.data));
		expect(() => {
			e.data.score = 1;
		}).toThrow(TypeError);
		expect(dataText(e)).toBe(JSON.stringify(ev(3).data));
		// Assigning other data leaves the text behind with the old object.
		e.data = { ...e.data, score: 1 };
		expect(dataText(e)).toBe(JSON.stringify(e.data));
	});
});
