/**
 * Upgrades of the SQLite store (store/sqliteSchema.ts: migrations numbered by PRAGMA
 * user_version). A store written by the previous schema version — made here from that version's
 * own SQL (the first two migrations, history that never changes) and filled as a version-2 store
 * filled it: raw events and their measurement rows — is opened by this version and migrated: the
 * events, the measurement rows (once each, not backfilled a second time) and the queries are as
 * they were, and a hub started on it rebuilds the day. A file of a newer version than this one
 * knows (a rollback without restoring the backup) is refused with what to do, and left untouched.
 */
import { execFile } from "node:child_process";
import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { indexCentre } from "../../core/centre.ts";
import type { LiveView } from "../../core/liveView.ts";
import { addDays, localDay, midnight } from "../../core/time.ts";
import { qualityOf, serviceLevelsOf, trendsOf } from "../../dashboard/reports.ts";
import type { Hub } from "../../server/hub.ts";
import { CentreClocks } from "../../store/centreClocks.ts";
import { pushEventRow } from "../../store/eventRow.ts";
import { mirrorRow, SqliteStore } from "../../store/sqlite.ts";
import { MIGRATIONS, MIRROR_COLUMNS, SchemaTooNewError } from "../../store/sqliteSchema.ts";
import type { StoredEvent } from "../../store/types.ts";
import { signedIn } from "../fixtures/auth.ts";
import { hallCentre } from "../fixtures/centres.ts";
import { startTestHub, tempDir } from "../fixtures/hub.ts";
import { storedHistory } from "../fixtures/storedHistory.ts";

const PREVIOUS = 2;
const dirs: ReturnType<typeof tempDir>[] = [];
let hub: Hub | undefined;
afterEach(async () => {
	await hub?.close();
	hub = undefined;
	for (const d of dirs.splice(0)) d.remove();
});

/** Today's events at the demo centre: ratings at two windows and a ticket's course. */
function events(now: number): StoredEvent[] {
	// From an hour ago, a minute apart — or, in the local day's first hour, between its midnight and
	// now: the hub's "today" is the centre's local day, and it must hold them all at any hour.
	const start = Math.max(now - 3_600_000, midnight(localDay(now, "Europe/Kyiv"), "Europe/Kyiv"));
	const step = Math.min(60_000, (now - start) / 7);
	const at = (i: number) => Math.round(start + i * step);
	const e = (i: number, node: string, kind: StoredEvent["kind"], data: Record<string, unknown>, derived?: object) => ({
		id: `v2-${i}`,
		centre: "demo",
		node,
		kind,
		ts: at(i),
		rxTs: at(i) + 5,
		data: { id: `v2-${i}`, ts: at(i), ...data },
		...(derived ? { derived } : {}),
	});
	return [
		e(1, "terminal-1", "queue", { event: "issued", ticket: "A001", service: "passports" }),
		e(2, "win-01", "queue", { event: "called", ticket: "A001", service: "passports", window: "w01" }, { wait_s: 60 }),
		e(
			3,
			"win-01",
			"queue",
			{ event: "finished", ticket: "A001", service: "passports", window: "w01" },
			{ service_s: 60 },
		),
		e(4, "win-01", "rating", { score: 5, window: "w01", service: "passports", scale: 5, ticket: "A001" }),
		e(5, "win-02", "rating", { score: 2, window: "w02", scale: 5 }),
		e(6, "win-01", "status", { online: true, version: "0.1.0", uptimeS: 60, buffered: 0 }),
	] as StoredEvent[];
}

/** A vikno.db as the previous schema version wrote it. */
function previousVersionFile(path: string, list: StoredEvent[]): void {
	const db = new Database(path);
	db.pragma("journal_mode = WAL");
	for (const m of MIGRATIONS.slice(0, PREVIOUS)) {
		if (typeof m !== "string") throw new Error("the first migrations are SQL");
		db.exec(m);
	}
	db.pragma(`user_version = ${PREVIOUS}`);
	const cal = new CentreClocks({ demo: "Europe/Kyiv" });
	const insertEvent = db.prepare(
		"INSERT INTO events (id, centre, node, kind, ts, rx_ts, data, derived) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	);
	for (const e of list) {
		const values: unknown[] = [];
		pushEventRow(values, e);
		insertEvent.run(values);
		const row = mirrorRow(e, cal);
		if (!row) continue;
		// Today's row, cut to the columns that version's table has (later migrations add some).
		const has = new Set((db.pragma(`table_info(${row.table})`) as { name: string }[]).map((c) => c.name));
		const names = ["id", "centre", "ts", "local_day", "local_hour", ...MIRROR_COLUMNS[row.table]];
		const kept = names.flatMap((n, i) => (has.has(n) ? [[`"${n}"`, row.values[i]] as const] : []));
		db.prepare(
			`INSERT INTO ${row.table} (${kept.map(([n]) => n).join(", ")}) VALUES (${kept.map(() => "?").join(", ")})`,
		).run(kept.map(([, v]) => v));
	}
	db.close();
}

const sqlite3 = (path: string, sql: string) =>
	promisify(execFile)("sqlite3", [path, sql], { encoding: "utf8" }).then((r) => r.stdout.trim());

describe("a store of the previous schema version", () => {
	it("is migrated: events, measurement rows (once) and queries as they were, and a hub rebuilds the day from it", async () => {
		const dir = tempDir();
		dirs.push(dir);
		const path = join(dir.path, "vikno.db");
		const now = Date.now();
		const list = events(now);
		previousVersionFile(path, list);
		const before = {
			rating: await sqlite3(path, "SELECT count(*) FROM rating"),
			queue: await sqlite3(path, "SELECT count(*) FROM queue"),
		};
		expect(before).toEqual({ rating: "2", queue: "3" });

		const store = new SqliteStore(path);
		expect(await sqlite3(path, "PRAGMA user_version")).toBe(String(MIGRATIONS.length));
		expect(await store.readRange("demo", 0, Number.MAX_SAFE_INTEGER)).toEqual(list);
		expect(await sqlite3(path, "SELECT count(*) FROM rating")).toBe("2");
		expect(await sqlite3(path, "SELECT count(*) FROM queue")).toBe("3");
		expect(await sqlite3(path, "SELECT count(*) FROM node_status")).toBe("1");
		const rows = await store.query({
			centre: "demo",
			measurement: "rating",
			field: "score",
			fromTs: now - 86_400_000,
			toTs: now,
			step: "1d",
			timeZone: "Europe/Kyiv",
		});
		expect(rows.map((r) => [r.count, r.mean])).toEqual([[2, 3.5]]);
		await store.close();

		hub = await startTestHub(dir.path);
		const live = (await (await signedIn(hub)).inject({ url: "/api/v1/centres/demo/live" })).json() as LiveView;
		expect(live.ratings.count).toBe(2);
		expect(await hub.countEvents()).toBe(list.length);
	});
});

describe("a store of version 4 (before the report roll-ups)", () => {
	it("gets its roll-ups built from the rows it holds, answering as its raw rows do", async () => {
		const dir = tempDir();
		dirs.push(dir);
		const path = join(dir.path, "vikno.db");
		const centre = hallCentre("up");
		const index = indexCentre(centre);
		const list = [...storedHistory({ centre, startDay: "2026-11-16", days: 3, seed: 3, ticketsPerDay: 40 })].flat();
		const db = new Database(path);
		db.pragma("journal_mode = WAL");
		for (const m of MIGRATIONS.slice(0, 4)) {
			if (typeof m === "string") db.exec(m);
			else m(db);
		}
		db.prepare("DELETE FROM meta WHERE key = 'backfill_mirror'").run(); // what version 4 did at open
		db.pragma("user_version = 4");
		const cal = new CentreClocks({ up: centre.timeZone });
		const insertEvent = db.prepare(
			"INSERT INTO events (id, centre, node, kind, ts, rx_ts, data, derived) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		);
		for (const e of list) {
			const values: unknown[] = [];
			pushEventRow(values, e);
			insertEvent.run(values);
			const row = mirrorRow(e, cal);
			if (!row) continue;
			const names = ["id", "centre", "ts", "local_day", "local_hour", ...MIRROR_COLUMNS[row.table]];
			db.prepare(
				`INSERT INTO ${row.table} (${names.map((n) => `"${n}"`).join(", ")}) VALUES (${names.map(() => "?").join(", ")})`,
			).run(row.values);
		}
		db.close();

		const timeZones = { up: centre.timeZone };
		const rolled = new SqliteStore(path, { timeZones });
		const raw = new SqliteStore(path, { timeZones, rollups: false });
		expect(await sqlite3(path, "PRAGMA user_version")).toBe(String(MIGRATIONS.length));
		const ratings = list.filter((e) => e.kind === "rating").length;
		expect(await sqlite3(path, "SELECT sum(n) FROM rating_day")).toBe(String(ratings));
		expect(Number(await sqlite3(path, "SELECT count(*) FROM series_hour"))).toBeGreaterThan(0);
		const s = { from: "2026-11-16", to: "2026-11-19", fromTs: 0, toTs: 0 };
		s.fromTs = midnight(s.from, centre.timeZone);
		s.toTs = midnight(addDays(s.to, 1), centre.timeZone);
		expect(await rolled.ratingDays("up", s.from, s.to, centre.timeZone)).not.toBeNull();
		for (const report of [qualityOf, serviceLevelsOf])
			expect(await report(rolled, index, s)).toEqual(await report(raw, index, s));
		for (const step of ["1h", "1d"] as const)
			expect(await trendsOf(rolled, index, s, step)).toEqual(await trendsOf(raw, index, s, step));
		// Events after the upgrade are rolled up by the triggers, once each.
		const more = [...storedHistory({ centre, startDay: "2026-11-19", days: 1, seed: 4, ticketsPerDay: 10 })].flat();
		await rolled.append([...more, ...more]);
		expect(await sqlite3(path, "SELECT sum(n) FROM rating_day")).toBe(
			String(ratings + more.filter((e) => e.kind === "rating").length),
		);
		expect(await qualityOf(rolled, index, s)).toEqual(await qualityOf(raw, index, s));
		await rolled.close();
		await raw.close();
	});
});

describe("a store of a newer schema version than this vikno", () => {
	it("is refused with what to do, and left as it was", async () => {
		const dir = tempDir();
		dirs.push(dir);
		const path = join(dir.path, "vikno.db");
		await new SqliteStore(path).close();
		await sqlite3(path, `PRAGMA user_version = ${MIGRATIONS.length + 1}`);
		const bytes = readFileSync(path);
		copyFileSync(path, `${path}.orig`);
		expect(() => new SqliteStore(path)).toThrow(SchemaTooNewError);
		expect(() => new SqliteStore(path)).toThrow(
			/newer than this vikno knows .* restore the backup taken before the upgrade/,
		);
		expect(readFileSync(path).equals(bytes)).toBe(true);

		// The command line says it in one line, and exits non-zero.
		const bin = fileURLToPath(new URL("../../bin/vikno.js", import.meta.url));
		const demo = fileURLToPath(new URL("../../config/centres/demo.yaml", import.meta.url));
		const r = await promisify(execFile)(
			process.execPath,
			[bin, "hub", "--config", demo, "--data", dir.path, "--host", "127.0.0.1", "--http-port", "0", "--mqtt-port", "0"],
			{ timeout: 30_000 },
		).catch((e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }));
		expect(r).toMatchObject({ code: 1 });
		expect((r as { stderr: string }).stderr).toMatch(
			new RegExp(
				`^vikno hub: .*vikno\\.db has store schema version ${MIGRATIONS.length + 1}, newer than this vikno knows \\(${MIGRATIONS.length}\\)`,
			),
		);
	});
});
