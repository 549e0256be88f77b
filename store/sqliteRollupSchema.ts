/**
 * The reports' roll-ups in SQLite: migration 5's tables, how it builds them from rows already
 * stored, and the triggers that keep them. This is history, as every migration: never edit it once
 * shipped, add the next migration.
 *
 * Triggers on the measurement tables keep them. A measurement row is written only for an event new
 * to `events` (INSERT OR IGNORE on the id, store/sqlite.ts), so an event delivered twice counts
 * once, and in the transaction of its insert — a roll-up never lags the raw rows, late events
 * (into an hour or a day already rolled up) included. Retention deletes raw rows only: the
 * roll-ups outlive them.
 *
 * - `series_hour`: per centre, measurement, field, UTC hour, local day and tag set, how many times
 *   each value occurred. The value itself is a key, so every statistic of a bucket — count, mean,
 *   min, max and the nearest-rank percentiles — is exactly what the raw rows give; integers
 *   (scores, people in a zone) collapse to a few rows an hour, waits keep one row per distinct value.
 * - `rating_day`: per centre, local day, window, service, source, extra press or not, and score:
 *   the number of ratings. Every quality figure is a sum of these.
 * - `queue_day` / `queue_day_mark`: service levels need each day's ticket ledger (a fold over the
 *   day's events and the day before's, core/serviceLevels.ts), not sums: `queue_day` keeps a day's
 *   tallies computed from the raw rows, `queue_day_mark` counts the queue rows written into that
 *   day and the day after. Tallies computed at a mark that has since moved are stale and are
 *   computed again (sqliteRollup.ts).
 */

/** Fields rolled up in `series_hour`, with the tags of their measurement. */
export const SERIES_ROLLED = {
	rating: { fields: ["score"], tags: ["service", "window"] },
	queue: { fields: ["wait_s", "service_s"], tags: ["service", "window", "event", "priority"] },
	occupancy: { fields: ["count"], tags: ["zone"] },
} as const;

/** The tag columns of `series_hour` ('' where the measurement has no such tag or the row none). */
export const SERIES_TAGS = ["service", "window", "event", "priority", "zone"] as const;

export const ROLLUP_TABLES = `
CREATE TABLE series_hour (
	centre TEXT NOT NULL, measurement TEXT NOT NULL, field TEXT NOT NULL,
	hour_ts INTEGER NOT NULL, local_day TEXT NOT NULL,
	service TEXT NOT NULL, "window" TEXT NOT NULL, event TEXT NOT NULL, priority TEXT NOT NULL, zone TEXT NOT NULL,
	value REAL NOT NULL, n INTEGER NOT NULL,
	PRIMARY KEY (centre, measurement, field, hour_ts, local_day, service, "window", event, priority, zone, value)
) WITHOUT ROWID;
CREATE TABLE rating_day (
	centre TEXT NOT NULL, local_day TEXT NOT NULL,
	"window" TEXT NOT NULL, service TEXT NOT NULL, source TEXT NOT NULL, extra INTEGER NOT NULL, score INTEGER NOT NULL,
	n INTEGER NOT NULL,
	PRIMARY KEY (centre, local_day, "window", service, source, extra, score)
) WITHOUT ROWID;
CREATE TABLE queue_day_mark (
	centre TEXT NOT NULL, day TEXT NOT NULL, gen INTEGER NOT NULL,
	PRIMARY KEY (centre, day)
) WITHOUT ROWID;
CREATE TABLE queue_day (
	centre TEXT NOT NULL, day TEXT NOT NULL, gen INTEGER NOT NULL, tallies TEXT NOT NULL,
	PRIMARY KEY (centre, day)
) WITHOUT ROWID;`;

const HOUR = "(%.ts / 3600000) * 3600000";
const tag = (m: keyof typeof SERIES_ROLLED, t: string, row: string) =>
	(SERIES_ROLLED[m].tags as readonly string[]).includes(t) ? `IFNULL(${row}."${t}", '')` : "''";
const SERIES_COLUMNS = `centre, measurement, field, hour_ts, local_day, ${SERIES_TAGS.map((t) => `"${t}"`).join(", ")}, value, n`;

/** One field's row in `series_hour` from a new measurement row (in a trigger: NEW). */
function seriesInsert(m: keyof typeof SERIES_ROLLED, field: string): string {
	return `INSERT INTO series_hour (${SERIES_COLUMNS})
		SELECT NEW.centre, '${m}', '${field}', ${HOUR.replace("%", "NEW")}, NEW.local_day,
			${SERIES_TAGS.map((t) => tag(m, t, "NEW")).join(", ")}, NEW."${field}", 1
		WHERE NEW."${field}" IS NOT NULL
		ON CONFLICT DO UPDATE SET n = n + 1;`;
}

/** One field's rows in `series_hour` from the rows a measurement table holds. */
function seriesBuild(m: keyof typeof SERIES_ROLLED, field: string): string {
	const tags = SERIES_TAGS.map((t) => tag(m, t, "r"));
	return `INSERT INTO series_hour (${SERIES_COLUMNS})
		SELECT r.centre, '${m}', '${field}', ${HOUR.replace("%", "r")} AS h, r.local_day, ${tags.join(", ")}, r."${field}", count(*)
		FROM ${m} r WHERE r."${field}" IS NOT NULL
		GROUP BY r.centre, h, r.local_day, ${tags.join(", ")}, r."${field}";`;
}

const RATING_KEY = (r: string) =>
	`${r}.centre, ${r}.local_day, IFNULL(${r}."window", ''), IFNULL(${r}.service, ''), IFNULL(${r}.source, ''),
	IFNULL(${r}.extra, 0), IFNULL(${r}.score, 0)`;

export const ROLLUP_BUILD = [
	...Object.entries(SERIES_ROLLED).flatMap(([m, { fields }]) =>
		fields.map((f) => seriesBuild(m as keyof typeof SERIES_ROLLED, f)),
	),
	`INSERT INTO rating_day (centre, local_day, "window", service, source, extra, score, n)
		SELECT ${RATING_KEY("r")}, count(*) FROM rating r
		GROUP BY ${RATING_KEY("r")};`,
].join("\n");

export const ROLLUP_TRIGGERS = `
CREATE TRIGGER rating_rollup AFTER INSERT ON rating BEGIN
	INSERT INTO rating_day (centre, local_day, "window", service, source, extra, score, n)
		VALUES (${RATING_KEY("NEW")}, 1)
		ON CONFLICT DO UPDATE SET n = n + 1;
	${seriesInsert("rating", "score")}
END;
CREATE TRIGGER queue_rollup AFTER INSERT ON queue BEGIN
	${seriesInsert("queue", "wait_s")}
	${seriesInsert("queue", "service_s")}
	INSERT INTO queue_day_mark (centre, day, gen)
		VALUES (NEW.centre, NEW.local_day, 1), (NEW.centre, date(NEW.local_day, '+1 day'), 1)
		ON CONFLICT DO UPDATE SET gen = gen + 1;
END;
CREATE TRIGGER occupancy_rollup AFTER INSERT ON occupancy BEGIN
	${seriesInsert("occupancy", "count")}
END;`;
