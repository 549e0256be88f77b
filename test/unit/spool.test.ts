/** The hub's spool on a real SQLite file: order, the forwarded watermark across a reopen, dedupe, dead letters, pruning. */
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Spool } from "../../hub/spool.ts";
import type { StoredEvent } from "../../store/types.ts";
import { tempDir } from "../fixtures/hub.ts";

const dir = tempDir("vikno-spool-");
afterAll(() => dir.remove());

const T0 = Date.UTC(2026, 10, 23, 8);
const ev = (i: number): StoredEvent => ({
	id: `ev-${i}`,
	centre: "demo",
	node: "win-01",
	kind: "rating",
	ts: T0 + i,
	rxTs: T0 + i,
	data: { id: `ev-${i}`, ts: T0 + i, score: 3 },
});
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

	it("deletes forwarded rows at once for a local store", () => {
		const spool = new Spool(join(dir.path, "c.db"));
		spool.add([1, 2, 3].map(ev));
		spool.forwarded(spool.peek(2).at(-1)?.seq ?? 0, T0, true);
		expect(spool.depth).toBe(1);
		// Deleted, so an id repeated later is taken again (the local store's own key dedupes it).
		expect(spool.add([ev(1)])).toEqual([true]);
		spool.close();
	});
});
