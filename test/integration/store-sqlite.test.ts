/** SQLite store beyond the contract: migrations of an old file, retention with hourly roll-ups, pragmas, throughput. */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SqliteStore } from "../../store/sqlite.ts";
import { MIGRATIONS } from "../../store/sqliteSchema.ts";
import type { StoredEvent } from "../../store/types.ts";
import { tempDir } from "../fixtures/hub.ts";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 23, 12);
const Z = "Europe/Kyiv";

let dir: ReturnType<typeof tempDir>;
let path: string;
beforeEach(() => {
	dir = tempDir("vikno-sqlite-");
	path = join(dir.path, "vikno.db");
});
afterEach(() => dir.remove());

let n = 0;
const rating = (ts: number, score: number, window = "w1"): StoredEvent => {
	const id = `r-${++n}`;
	return { id, centre: "c1", node: "n1", kind: "rating", ts, rxTs: ts, data: { id, ts, score, window, service: "s1" } };
};
const sqlite3 = (sql: string) => execFileSync("sqlite3", [path, sql], { encoding: "utf8" }).trim();

describe("SqliteStore", () => {
	it("migrates a version-1 file and fills the measurement tables from its events", async () => {
		const db = new Database(path);
		db.exec(`CREATE TABLE events (id TEXT PRIMARY KEY, centre TEXT NOT NULL, node TEXT NOT NULL, kind TEXT NOT NULL,
			ts INTEGER NOT NULL, rx_ts INTEGER NOT NULL, data TEXT NOT NULL) WITHOUT ROWID;
			CREATE INDEX events_centre_ts ON events (centre, ts); PRAGMA user_version = 1;`);
		const old = [rating(NOW - 2 * HOUR, 5), rating(NOW - 2 * HOUR + 1000, 3)];
		const ins = db.prepare("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?)");
		for (const e of old) ins.run(e.id, e.centre, e.node, e.kind, e.ts, e.rxTs, JSON.stringify(e.data));
		db.close();

		const store = new SqliteStore(path);
		expect(sqlite3("PRAGMA user_version")).toBe(String(MIGRATIONS.length));
		expect(await store.readRange("c1", 0, NOW)).toEqual(old);
		const rows = await store.query({
			centre: "c1",
			measurement: "rating",
			field: "score",
			fromTs: NOW - DAY,
			toTs: NOW,
			step: "1h",
			timeZone: Z,
		});
		expect(rows.map((r) => [r.count, r.mean])).toEqual([[2, 4]]);
		await store.close();
		// Opening again migrates nothing and backfills nothing twice.
		const again = new SqliteStore(path);
		expect(sqlite3("SELECT count(*) FROM rating")).toBe("2");
		await again.close();
	});

	it("runs in WAL mode with synchronous FULL", async () => {
		const store = new SqliteStore(path);
		expect(sqlite3("PRAGMA journal_mode")).toBe("wal");
		expect((store as unknown as { db: Database.Database }).db.pragma("synchronous", { simple: true })).toBe(2);
		await store.close();
		expect(await store.ping()).toBe(false);
	});

	it("keeps raw events for the retention, then hourly roll-ups that answer hourly and daily queries", async () => {
		const store = new SqliteStore(path, { retentionDays: 400, rollupRetentionDays: 3650 });
		const oldHour = Math.floor((NOW - 500 * DAY) / HOUR) * HOUR;
		const old = [rating(oldHour + 60_000, 5), rating(oldHour + 120_000, 1), rating(oldHour + 180_000, 3, "w2")];
		const recent = [rating(NOW - HOUR, 4)];
		await store.append([...old, ...recent]);
		const q = {
			centre: "c1",
			measurement: "rating",
			field: "score",
			fromTs: oldHour,
			toTs: oldHour + HOUR,
			step: "1h",
			timeZone: Z,
		} as const;
		const before = await store.query(q);
		expect(before).toEqual([{ t: oldHour, count: 3, mean: 3, min: 1, max: 5, p50: 3, p90: 5 }]);

		expect(store.prune(NOW)).toMatchObject({ events: 3, rows: 3, rollups: 0 });
		expect(await store.count()).toBe(1);
		expect(await store.readRange("c1", 0, NOW - 400 * DAY)).toEqual([]);
		// The report roll-ups (every value's count per hour) keep every figure, percentiles too.
		expect(await store.query(q)).toEqual(before);
		expect(await store.query({ ...q, groupBy: "window" })).toEqual([
			{ t: oldHour, group: "w1", count: 2, mean: 3, min: 1, max: 5, p50: 1, p90: 5 },
			{ t: oldHour, group: "w2", count: 1, mean: 3, min: 3, max: 3, p50: 3, p90: 3 },
		]);
		// Read raw, the hours pruned keep count/mean/min/max in rollup_hour; percentiles need the values.
		const raw = new SqliteStore(path, { rollups: false });
		expect(await raw.query(q)).toEqual([{ t: oldHour, count: 3, mean: 3, min: 1, max: 5, p50: null, p90: null }]);
		await raw.close();
		const day = await store.query({ ...q, fromTs: oldHour - DAY, toTs: oldHour + DAY, step: "1d" });
		expect(day.map((r) => r.count)).toEqual([3]);
		expect(new Date(day[0]?.t ?? 0).toISOString()).toMatch(/T2[12]:00:00.000Z$/); // local midnight
		// Sub-hour buckets of pruned time have no data.
		expect(await store.query({ ...q, step: "15m" })).toEqual([]);

		// Idempotent; a late event into a rolled-up hour counts at once (and in rollup_hour at the next prune).
		expect(store.prune(NOW)).toMatchObject({ events: 0, rows: 0 });
		await store.append([rating(oldHour + 240_000, 7)]);
		const four = [{ t: oldHour, count: 4, mean: 4, min: 1, max: 7, p50: 3, p90: 7 }];
		expect(await store.query(q)).toEqual(four);
		store.prune(NOW);
		expect(await store.query(q)).toEqual(four);

		// Roll-ups expire after their own retention.
		expect(store.prune(NOW + 3650 * DAY).rollups).toBeGreaterThan(0);
		expect(await store.query(q)).toEqual([]);
		await store.close();
	});

	it("keeps each row's local day and hour in its centre's time zone, as the hub passes them", async () => {
		// 04:30 UTC on 23 November: 06:30 in Kyiv, 23:30 the day before in New York.
		const ts = Date.UTC(2026, 10, 23, 4, 30);
		const store = new SqliteStore(path, { timeZones: { c1: Z, ny: "America/New_York" } });
		const inNy: StoredEvent = { ...rating(ts, 4), centre: "ny" };
		await store.append([rating(ts, 5), inNy, { ...rating(ts, 3), centre: "elsewhere" }]);
		expect(sqlite3("SELECT centre, local_day, local_hour FROM rating ORDER BY centre")).toBe(
			// A centre the store was not told about gets the default zone (Kyiv).
			"c1|2026-11-23|6\nelsewhere|2026-11-23|6\nny|2026-11-22|23",
		);
		const daily = (centre: string, timeZone: string) =>
			store.query({
				centre,
				measurement: "rating",
				field: "score",
				fromTs: ts - DAY,
				toTs: ts + DAY,
				step: "1d",
				timeZone,
			});
		// Daily buckets start at the centre's local midnight, from the stored day or worked out.
		expect((await daily("ny", "America/New_York")).map((r) => r.t)).toEqual([Date.UTC(2026, 10, 22, 5)]);
		expect((await daily("ny", Z)).map((r) => r.t)).toEqual([Date.UTC(2026, 10, 22, 22)]);
		expect((await daily("c1", Z)).map((r) => r.t)).toEqual([Date.UTC(2026, 10, 22, 22)]);
		await store.close();
	});

	it("writes 100 000 events in 1 000-event batches (figure printed)", async () => {
		const store = new SqliteStore(path);
		const events = Array.from({ length: 100_000 }, (_, i) => rating(NOW - DAY + i * 500, (i % 5) + 1, `w${i % 8}`));
		const t0 = performance.now();
		for (let i = 0; i < events.length; i += 1000) store.appendSync(events.slice(i, i + 1000));
		const s = (performance.now() - t0) / 1000;
		console.log(
			`sqlite: ${events.length} events in ${s.toFixed(2)} s = ${Math.round(events.length / s)} events/s (1000-event transactions, synchronous FULL)`,
		);
		expect(await store.count()).toBe(100_000);
		const t1 = performance.now();
		const rows = await store.query({
			centre: "c1",
			measurement: "rating",
			field: "score",
			fromTs: NOW - DAY,
			toTs: NOW,
			step: "1h",
			timeZone: Z,
			groupBy: "window",
		});
		console.log(`sqlite: query of 100 000 ratings by hour and window in ${Math.round(performance.now() - t1)} ms`);
		expect(rows.reduce((a, r) => a + r.count, 0)).toBe(100_000);
		await store.close();
	});
});
