/**
 * The SQLite store's report roll-ups (store/sqliteRollupSchema.ts, store/sqliteRollup.ts) give the
 * figures the raw rows give: one file, read by a store that answers from its roll-ups and by one
 * that reads raw rows only, over days that cross a change to summer time — after events arrive
 * twice, and after events arrive late into hours and days already rolled up and read. Then, with
 * the raw rows of the rolled days deleted, the roll-ups alone still give the same answers.
 */
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Centre, indexCentre } from "../../core/centre.ts";
import { mulberry32 } from "../../core/stats.ts";
import { addDays, instantOf, midnight } from "../../core/time.ts";
import { qualityOf, type Span, serviceLevelsOf, trendsOf } from "../../dashboard/reports.ts";
import { SqliteStore } from "../../store/sqlite.ts";
import type { SeriesQuery, StoredEvent } from "../../store/types.ts";
import { hallCentre } from "../fixtures/centres.ts";
import { tempDir } from "../fixtures/hub.ts";
import { storedHistory } from "../fixtures/storedHistory.ts";

const centre: Centre = { ...hallCentre("roll"), administrators: [{ id: "olena", windows: ["w01", "w02"] }] };
const index = indexCentre(centre);
const zone = centre.timeZone;
// Kyiv moves to summer time on Sunday 2026-03-29: a 23-hour day inside the span.
const FIRST = "2026-03-25";
const DAYS = 8;
const LAST = addDays(FIRST, DAYS - 1);
const timeZones = { [centre.id]: zone };

const dir = tempDir();
const path = join(dir.path, "vikno.db");
let rolled: SqliteStore;
let raw: SqliteStore;

/** Events the generator does not make: a ticket issued before midnight and called after it, a rating nobody was served for. */
function oddEvents(): StoredEvent[] {
	const day = "2026-03-26";
	const at = (d: string, min: number) => instantOf(d, min, zone);
	const e = (id: string, node: string, kind: StoredEvent["kind"], ts: number, data: object, derived?: object) => ({
		id,
		centre: centre.id,
		node,
		kind,
		ts,
		rxTs: ts + 1,
		data: { id, ts, ...data },
		...(derived ? { derived } : {}),
	});
	const q = { ticket: "Z001", service: "passport" };
	return [
		e("odd-1", "terminal-1", "queue", at(day, 23 * 60 + 50), { event: "issued", ...q }),
		e("odd-2", "win-w01", "queue", at(addDays(day, 1), 10), { event: "called", ...q, window: "w01" }, { wait_s: 999 }),
		e(
			"odd-3",
			"win-w01",
			"queue",
			at(addDays(day, 1), 25),
			{ event: "finished", ...q, window: "w01" },
			{ service_s: 900 },
		),
		e("odd-4", "win-w05", "rating", at(day, 12 * 60), { score: 2, scale: 5 }),
	] as StoredEvent[];
}

const all = [
	...[...storedHistory({ centre, startDay: FIRST, days: DAYS, seed: 11, ticketsPerDay: 50 })].flat(),
	...oddEvents(),
];
// Delivered in a shuffled order: the second half falls into hours and days the first already filled.
const rand = mulberry32(5);
const shuffled = all
	.map((e) => [rand(), e] as const)
	.sort((a, b) => a[0] - b[0])
	.map(([, e]) => e);
const firstHalf = shuffled.slice(0, shuffled.length / 2);
const secondHalf = shuffled.slice(shuffled.length / 2);

const spanOf = (from: string, to: string): Span => ({
	from,
	to,
	fromTs: midnight(from, zone),
	toTs: midnight(addDays(to, 1), zone),
});
const SPANS = [spanOf(FIRST, LAST), spanOf("2026-03-29", "2026-03-29"), spanOf("2026-03-27", "2026-03-30")];

function queries(s: Span, edges: boolean): SeriesQuery[] {
	const base = { centre: centre.id, fromTs: s.fromTs, toTs: s.toTs, timeZone: zone };
	const out: SeriesQuery[] = [];
	for (const step of ["1h", "1d"] as const) {
		out.push(
			{ ...base, step, measurement: "queue", field: "wait_s", where: { event: "called" } },
			{ ...base, step, measurement: "queue", field: "wait_s", groupBy: "service" },
			{ ...base, step, measurement: "queue", field: "service_s", groupBy: "window", where: { service: "residence" } },
			{ ...base, step, measurement: "rating", field: "score" },
			{ ...base, step, measurement: "rating", field: "score", groupBy: "window" },
			{ ...base, step, measurement: "occupancy", field: "count", groupBy: "zone" },
		);
	}
	// Parts of hours at either end: whole hours from the roll-ups, the rest from raw rows.
	if (edges)
		out.push({
			...base,
			fromTs: s.fromTs + 9 * 3_600_000 + 17 * 60_000,
			toTs: s.toTs - 6 * 3_600_000 - 5 * 60_000,
			step: "1h",
			measurement: "queue",
			field: "wait_s",
		});
	return out;
}

/** Every report and series of every span, from one store (`edges`: with queries of parts of hours). */
async function answers(store: SqliteStore, edges = true) {
	const out: unknown[] = [];
	for (const s of SPANS) {
		out.push(await qualityOf(store, index, s), await serviceLevelsOf(store, index, s));
		out.push(await trendsOf(store, index, s, "1h"), await trendsOf(store, index, s, "1d"));
		for (const q of queries(s, edges)) out.push(await store.query(q));
	}
	return out;
}

beforeAll(() => {
	rolled = new SqliteStore(path, { timeZones });
	raw = new SqliteStore(path, { timeZones, rollups: false });
});

afterAll(async () => {
	await rolled?.close();
	await raw?.close();
	dir.remove();
});

describe("report roll-ups in SQLite", () => {
	it("give the raw rows' figures, with events delivered twice and late into rolled hours and days", async () => {
		await rolled.append(firstHalf);
		const early = await answers(raw);
		expect(await answers(rolled)).toEqual(early);
		// The roll-up path really answered: the stores say so, and quality has figures.
		expect(await rolled.ratingDays(centre.id, FIRST, LAST, zone)).not.toBeNull();
		expect(await raw.ratingDays(centre.id, FIRST, LAST, zone)).toBeNull();

		// Some events again (the store keeps them once), with the rest arriving late.
		const again = firstHalf.slice(0, 700);
		expect((await rolled.append([...again, ...secondHalf])).filter(Boolean)).toHaveLength(secondHalf.length);
		await rolled.append(again.slice(0, 100));
		expect(await rolled.count({ centre: centre.id })).toBe(all.length);
		const late = await answers(raw);
		expect(late).not.toEqual(early);
		expect(await answers(rolled)).toEqual(late);

		// A day's figures do not depend on the span asked for: the ticket issued before midnight and
		// called after it waited from its issue (20 min, not the 999 s stored), asked alone or not.
		const day = "2026-03-27";
		const alone = (await serviceLevelsOf(raw, index, spanOf(day, day))).levels;
		const within = (await serviceLevelsOf(raw, index, SPANS[0] as Span)).levels.filter((r) => r.day === day);
		expect(alone).toEqual(within);
		expect((await serviceLevelsOf(rolled, index, spanOf(day, day))).levels).toEqual(alone);
		expect((await qualityOf(rolled, index, SPANS[0] as Span)).unattributed.service).toBeGreaterThan(0);
	});

	it("answer alone once the raw rows of whole hours and days are gone", async () => {
		const kept = await answers(rolled, false);
		const db = new Database(path);
		const cut = midnight(addDays(LAST, 1), zone);
		for (const t of ["events", "rating", "queue", "occupancy", "node_status"])
			db.prepare(`DELETE FROM ${t} WHERE centre = ? AND ts < ?`).run(centre.id, cut);
		db.close();
		expect(await rolled.count({ centre: centre.id })).toBe(0);
		expect(await answers(rolled, false)).toEqual(kept);
		expect(await answers(raw, false)).not.toEqual(kept);
	});
});
