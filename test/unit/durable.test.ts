/**
 * The store-or-spool step of ingest (hub/durable.ts) with a real SQLite store and spool: an event
 * whose row cannot be made (a value nested too deep to serialise — no longer reachable from the
 * wire, whose unknown fields are dropped) is kept as a dead letter with its payload as received;
 * the rest of its batch is written; and what decides "this row" from "this database".
 */
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { silentLog } from "../../core/log.ts";
import { Durable } from "../../hub/durable.ts";
import { Forwarder } from "../../hub/forwarder.ts";
import { createMetrics } from "../../hub/metrics.ts";
import { isRowError, RowError, StoreWriteError } from "../../store/errors.ts";
import { Spool } from "../../store/spool.ts";
import { SqliteStore } from "../../store/sqlite.ts";
import { SqliteWriteError } from "../../store/sqliteWriter.ts";
import { storedRating } from "../fixtures/events.ts";
import { tempDir } from "../fixtures/hub.ts";

const dir = tempDir("vikno-durable-");
afterAll(() => dir.remove());
const T0 = Date.UTC(2026, 10, 23, 8);

describe("Durable", () => {
	it("keeps an event whose row cannot be made as a dead letter and writes the rest of its batch", async () => {
		const store = new SqliteStore(join(dir.path, "vikno.db"));
		const spool = new Spool(join(dir.path, "spool.db"));
		const metrics = createMetrics();
		const forwarder = new Forwarder({ spool, store, metrics, log: silentLog });
		const durable = new Durable({ store, spool, forwarder, metrics, log: silentLog, now: () => T0 });
		let deep: unknown = [];
		for (let i = 0; i < 100_000; i++) deep = [deep];
		const events = [1, 2, 3].map((i) => storedRating(i, T0));
		(events[1] as { data: Record<string, unknown> }).data.window = deep;
		const texts = events.map((e) => `{"id":"${e.id}","ts":${e.ts},"score":3}`);

		const written = await durable.write(events, texts);
		expect(written.outcomes[0]).toBe("new");
		expect(written.outcomes[1]).toEqual({ dead: expect.stringMatching(/event ev-2 cannot be serialised/) });
		expect(written.outcomes[2]).toBe("new");
		expect(await store.count()).toBe(2);
		const dead = spool.deadLetters();
		expect(dead.map((d) => [d.event.id, d.event.data])).toEqual([["ev-2", { id: "ev-2", ts: T0 + 2, score: 3 }]]);
		expect(spool.deadLetterSummary).toEqual({ count: 1, last: { id: "ev-2", reason: dead[0]?.reason, at: T0 } });
		expect((await metrics.deadLetters.get()).values[0]?.value).toBe(1);

		// Written again: the two are there (their rows are read back), the dead letter stays one.
		const again = await durable.write(
			[1, 3].map((i) => storedRating(i, T0)),
			[texts[0] ?? "", texts[2] ?? ""],
		);
		expect(again.outcomes).toEqual(["there", "there"]);
		expect([...again.rows.keys()].sort()).toEqual(["ev-1", "ev-3"]);
		expect(spool.deadLetterSummary.count).toBe(1);
		await forwarder.close();
		await store.close();
		spool.close();
	});
});

describe("isRowError: one event's fault, or the backend's", () => {
	const cases: [string, unknown, boolean][] = [
		["a row that cannot be made", new RowError("cannot be serialised"), true],
		["InfluxDB: field type conflict (HTTP 400)", new StoreWriteError("influx1", "conflict", 400), true],
		["InfluxDB: unprocessable (HTTP 422)", new StoreWriteError("influx2", "bad", 422), true],
		["InfluxDB: bad credentials (HTTP 401)", new StoreWriteError("influx2", "unauthorized", 401), false],
		["InfluxDB: unknown bucket (HTTP 404)", new StoreWriteError("influx2", "not found", 404), false],
		["InfluxDB: down", new StoreWriteError("influx1", new Error("ECONNREFUSED")), false],
		["SQLite: a trigger or CHECK refuses the row", new SqliteWriteError("refused", "SQLITE_CONSTRAINT_TRIGGER"), true],
		["SQLite: NOT NULL", new SqliteWriteError("null", "SQLITE_CONSTRAINT_NOTNULL"), true],
		["SQLite: too big", new SqliteWriteError("too big", "SQLITE_TOOBIG"), true],
		["SQLite: locked", new SqliteWriteError("locked", "SQLITE_BUSY"), false],
		["SQLite: disk full", new SqliteWriteError("full", "SQLITE_FULL"), false],
		["SQLite: read-only", new SqliteWriteError("readonly", "SQLITE_READONLY"), false],
		["SQLite: refused behind a failed write", new SqliteWriteError("earlier", "EARLIER"), false],
		["the writer thread stopped", new Error("the SQLite writer stopped"), false],
		["not an error", "boom", false],
	];
	it.each(cases)("%s", (_, err, row) => {
		expect(isRowError(err)).toBe(row);
	});
});
