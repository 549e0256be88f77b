/**
 * The manager reports over InfluxDB (a real influxd 1.x) — trends and history from its own
 * `GROUP BY time` aggregates, quality and service levels from the span's rating and queue points
 * (one measurement each) — give the figures the raw events give in a SQLite file: the same events,
 * some written twice and some late.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Centre, indexCentre } from "../../core/centre.ts";
import { addDays, midnight } from "../../core/time.ts";
import { qualityOf, type Span, serviceLevelsOf, trendsOf } from "../../dashboard/reports.ts";
import { Influx1Store } from "../../store/influx1.ts";
import { SqliteStore } from "../../store/sqlite.ts";
import { hallCentre } from "../fixtures/centres.ts";
import { tempDir } from "../fixtures/hub.ts";
import { type Influxd, influxdAvailable, startInfluxd } from "../fixtures/influxd.ts";
import { storedHistory } from "../fixtures/storedHistory.ts";

const centre: Centre = { ...hallCentre("inf"), administrators: [{ id: "olena", windows: ["w01", "w02"] }] };
const index = indexCentre(centre);
const zone = centre.timeZone;
const FIRST = "2026-03-26";
const DAYS = 5;
const LAST = addDays(FIRST, DAYS - 1);
const all = [...storedHistory({ centre, startDay: FIRST, days: DAYS, seed: 21, ticketsPerDay: 40 })].flat();
all.push({
	id: "no-service",
	centre: centre.id,
	node: "win-w05",
	kind: "rating",
	ts: midnight("2026-03-27", zone) + 12 * 3_600_000,
	rxTs: midnight("2026-03-27", zone) + 12 * 3_600_000,
	data: { id: "no-service", ts: midnight("2026-03-27", zone) + 12 * 3_600_000, score: 7, scale: 5 },
});
const spanOf = (from: string, to: string): Span => ({
	from,
	to,
	fromTs: midnight(from, zone),
	toTs: midnight(addDays(to, 1), zone),
});

describe.skipIf(!influxdAvailable())("reports over InfluxDB aggregates", () => {
	let influxd: Influxd;
	let influx: Influx1Store;
	let sqlite: SqliteStore;
	const dir = tempDir();

	beforeAll(async () => {
		influxd = await startInfluxd();
		influx = new Influx1Store({ host: "127.0.0.1", port: influxd.port, database: "vikno_reports" });
		await influx.init();
		sqlite = new SqliteStore(join(dir.path, "vikno.db"), { timeZones: { [centre.id]: zone }, rollups: false });
	});
	afterAll(async () => {
		await influx?.close();
		await sqlite?.close();
		await influxd?.dispose();
		dir.remove();
	});

	it("equal the raw events' figures, with events written twice and late", async () => {
		const half = Math.floor(all.length / 2);
		// The later half first: the earlier days' events arrive late, some of them twice.
		for (const store of [influx, sqlite]) {
			await store.append(all.slice(half));
			await store.append(all.slice(0, half));
			await store.append(all.slice(0, 300));
		}
		expect(await influx.count({ centre: centre.id })).toBe(all.length);
		for (const s of [spanOf(FIRST, LAST), spanOf("2026-03-30", "2026-03-30")]) {
			const quality = await qualityOf(sqlite, index, s);
			expect(quality.all.count).toBeGreaterThan(0);
			// The rating of score 7 on a 5-point scale: no figure, but unattributed.
			if (s.from === FIRST) expect(quality.unattributed.service).toBeGreaterThan(0);
			expect(await qualityOf(influx, index, s)).toEqual(quality);
			expect(await serviceLevelsOf(influx, index, s)).toEqual(await serviceLevelsOf(sqlite, index, s));
			for (const step of ["1h", "1d"] as const)
				expect(await trendsOf(influx, index, s, step)).toEqual(await trendsOf(sqlite, index, s, step));
		}
	});
});
