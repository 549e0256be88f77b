/**
 * `vikno sim --week`: plays days of simulated time for the centres in seconds, prints what
 * happened, writes the ground truth (one ticket per line, JSON) and the timeline when asked,
 * and replays the timeline through a broker with `--broker`.
 */
import { writeFileSync } from "node:fs";
import { type Centre, DEFAULT_TIME_ZONE } from "../core/centre.ts";
import { addDays, isDate, localDay, WEEKDAYS, weekdayOf } from "../core/time.ts";
import { replayTimeline } from "../firmware-sim/replay.ts";
import { simulateWeek, type WeekResult } from "../firmware-sim/week.ts";
import { UsageError } from "./options.ts";

export interface WeekCommandOptions {
	centres: readonly Centre[];
	seed?: number | undefined;
	/** Visitors per open hour, on average. */
	rate?: number | undefined;
	days?: number | undefined;
	/** First local day "YYYY-MM-DD"; the Monday of this week by default. */
	start?: string | undefined;
	/** Ground truth, JSON lines: one `TicketTruth` per line. */
	out?: string | undefined;
	/** The actions, JSON lines: `{at, centre, node, kind, data}` in time order. */
	timeline?: string | undefined;
	broker?: string | undefined;
}

export async function weekCommand(o: WeekCommandOptions): Promise<number> {
	const log = (message: string) => console.error(`vikno sim: ${message}`);
	const seed = o.seed ?? Date.now() >>> 0;
	const startDay = o.start ?? thisMonday(o.centres[0]?.timeZone ?? DEFAULT_TIME_ZONE);
	if (!isDate(startDay))
		throw new UsageError(`--start must be a day such as 2025-03-10 with --week, got "${startDay}"`);

	const began = performance.now();
	const week = simulateWeek(o.centres, {
		startDay,
		days: o.days ?? 7,
		seed,
		...(o.rate === undefined ? {} : { hall: { arrivalsPerHour: o.rate } }),
	});
	const seconds = (performance.now() - began) / 1000;
	console.log(report(week, startDay, o.days ?? 7, seed, seconds));

	if (o.out) {
		writeFileSync(o.out, jsonLines(week.tickets));
		log(`ground truth of ${week.tickets.length} tickets written to ${o.out}`);
	}
	if (o.timeline) {
		writeFileSync(o.timeline, jsonLines(week.actions));
		log(`${week.actions.length} actions written to ${o.timeline}`);
	}
	if (o.broker) {
		let shown = 0;
		try {
			const r = await replayTimeline({
				centre: o.centres,
				brokerUrl: o.broker,
				actions: week.actions,
				onProgress(done, total) {
					const percent = Math.floor((100 * done) / total);
					if (percent >= shown + 10 || done === total) {
						shown = percent;
						log(`replayed ${done}/${total}`);
					}
				},
				log,
			});
			log(
				`${r.published} actions replayed through ${o.broker} in ${(r.wallMs / 1000).toFixed(1)} s (${r.perSecond}/s)`,
			);
		} catch (e) {
			log(`${(e as Error).message} — is the broker running, and does it accept these nodes?`);
			return 1;
		}
	}
	return 0;
}

/** The Monday of the current local week. */
function thisMonday(timeZone: string): string {
	const today = localDay(Date.now(), timeZone);
	return addDays(today, -WEEKDAYS.indexOf(weekdayOf(today)));
}

function jsonLines(items: readonly unknown[]): string {
	return items.map((x) => JSON.stringify(x)).join("\n") + (items.length > 0 ? "\n" : "");
}

function report(week: WeekResult, startDay: string, days: number, seed: number, seconds: number): string {
	const head = [
		"centre",
		"visitors/h",
		"tickets",
		"served",
		"no-show",
		"balked",
		"wait min",
		"p90 min",
		"ratings",
		"mean",
	];
	const rows = week.centres.map((c) => {
		const s = c.summary;
		return [c.centre, c.arrivalsPerHour, s.tickets, s.served, s.noShows, c.balked, s.meanWaitMin, s.p90WaitMin]
			.concat([s.ratings, s.meanRating])
			.map(String);
	});
	const doors = week.centres.map((c) => {
		const mine = week.doors.filter((d) => d.centre === c.centre);
		const sum = (f: (d: (typeof mine)[number]) => number) => mine.reduce((n, d) => n + f(d), 0);
		return `  ${c.centre}: door in ${sum((d) => d.countedIn)} counted of ${sum((d) => d.in)}, out ${sum((d) => d.countedOut)} of ${sum((d) => d.out)}`;
	});
	const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
	const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ");
	return [
		`simulated ${days} day(s) from ${startDay}, seed ${seed}, in ${seconds.toFixed(2)} s: ${week.actions.length} actions`,
		line(head),
		...rows.map(line),
		...doors,
	].join("\n");
}
