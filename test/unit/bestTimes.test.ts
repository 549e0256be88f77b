import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { bestTimes, type HourRow, hourlyRows, quietest } from "../../core/bestTimes.ts";
import type { HoursOf } from "../../core/openingHours.ts";

const centre: HoursOf = {
	timeZone: "Europe/Kyiv",
	hours: { mon: ["09:00-16:00"], tue: ["09:00-19:30"], wed: [], thu: [], fri: [], sat: [], sun: [] },
	holidays: [{ date: "2026-10-13", hours: [] }],
};
// Monday 2026-11-23 12:00 Kyiv: the eight weeks are 2026-09-28 … 2026-11-22.
const NOW = Date.parse("2026-11-23T12:00:00+02:00");

const row = (localDay: string, hour: number, waitMin: number | null, occupancy: number | null = 20): HourRow => ({
	localDay,
	hour,
	occupancyMean: occupancy,
	waitMeanS: waitMin === null ? null : waitMin * 60,
	count: waitMin === null ? 0 : 5,
});

/** Eight Mondays and Tuesdays: Monday 9:00 is the rush, Tuesday evening is empty. */
function weeks(): HourRow[] {
	const rows: HourRow[] = [];
	let monday = DateTime.fromISO("2026-09-28");
	for (let w = 0; w < 8; w++, monday = monday.plus({ weeks: 1 })) {
		const mon = monday.toISODate() ?? "";
		const tue = monday.plus({ days: 1 }).toISODate() ?? "";
		for (let h = 9; h <= 15; h++) rows.push(row(mon, h, h === 9 ? 30 : 10, h === 9 ? 60 : 20));
		for (let h = 9; h <= 19; h++) rows.push(row(tue, h, h >= 18 ? 2 : 10, h >= 18 ? 5 : 20));
	}
	return rows;
}

describe("bestTimes", () => {
	const extra = [
		row("2026-11-23", 9, 300), // today: a partial day, left out
		row("2026-09-21", 10, 300), // nine weeks ago
		row("2026-10-13", 10, 300), // a holiday (a Tuesday with other hours)
		row("2026-11-17", 20, 300), // Tuesday 20:00: closed
		row("2026-11-16", 11, 300), // one odd Monday: the median shrugs it off
	];
	const best = bestTimes([...weeks(), ...extra], centre, NOW, { capacity: 120 });
	const cell = (weekday: string, hour: number) => best.cells.find((c) => c.weekday === weekday && c.hour === hour);

	it("covers every open hour of every weekday, and only those", () => {
		expect(best.from).toBe("2026-09-28");
		expect(best.to).toBe("2026-11-23");
		expect(best.cells.map((c) => `${c.weekday} ${c.hour}`)).toEqual([
			...[9, 10, 11, 12, 13, 14, 15].map((h) => `mon ${h}`),
			...[9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19].map((h) => `tue ${h}`),
		]);
	});

	it.each([
		{ weekday: "mon", hour: 9, label: "busy", waitMin: 30, load: 60, loadShare: 0.5, days: 8 },
		{ weekday: "mon", hour: 11, label: "usual", waitMin: 10, load: 20, loadShare: 0.167, days: 8 },
		{ weekday: "tue", hour: 10, label: "usual", waitMin: 10, load: 20, loadShare: 0.167, days: 7 },
		{ weekday: "tue", hour: 19, label: "quiet", waitMin: 2, load: 5, loadShare: 0.042, days: 7 },
	])("$weekday $hour:00 is $label", ({ weekday, hour, ...want }) => {
		expect(cell(weekday, hour)).toEqual({ weekday, hour, ...want });
	});

	it("lists the quietest hours first", () => {
		expect(quietest(best, 2).map((c) => `${c.weekday} ${c.hour}`)).toEqual(["tue 18", "tue 19"]);
	});

	it.each([
		{
			name: "by hall load when there are no waits",
			rows: [
				row("2026-11-16", 9, null, 60),
				row("2026-11-09", 9, null, 60),
				row("2026-11-16", 10, null, 20),
				row("2026-11-09", 10, null, 20),
				row("2026-11-16", 11, null, 10),
				row("2026-11-09", 11, null, 10),
			],
			want: { 9: "busy", 10: "usual", 11: "quiet", 12: null },
		},
		{
			name: "quiet everywhere when nobody waits long",
			rows: [row("2026-11-16", 9, 4), row("2026-11-09", 9, 4), row("2026-11-16", 10, 1), row("2026-11-09", 10, 1)],
			want: { 9: "quiet", 10: "quiet", 11: null },
		},
		{
			name: "no label from a single day",
			rows: [row("2026-11-16", 9, 40), row("2026-11-16", 10, 10), row("2026-11-09", 10, 10)],
			want: { 9: null, 10: "usual" },
		},
	])("labels $name", ({ rows, want }) => {
		const b = bestTimes(rows, centre, NOW);
		for (const [hour, label] of Object.entries(want))
			expect(b.cells.find((c) => c.weekday === "mon" && c.hour === Number(hour))?.label).toBe(label);
	});

	it("takes the number of weeks", () => {
		const b = bestTimes(weeks(), centre, NOW, { weeks: 2 });
		expect(b.from).toBe("2026-11-09");
		expect(b.cells.find((c) => c.weekday === "mon" && c.hour === 9)?.days).toBe(2);
	});
});

describe("hourlyRows", () => {
	it("joins occupancy and wait buckets by local day and hour, across the spring change", () => {
		// 28 March 2026 22:00 UTC is Sunday 00:00 EET; 29 March 06:00 UTC is 09:00 EEST.
		const occupancy = [
			{ t: Date.UTC(2026, 2, 28, 22), mean: 3, count: 2 },
			{ t: Date.UTC(2026, 2, 29, 6), mean: 40, count: 60 },
		];
		const waits = [
			{ t: Date.UTC(2026, 2, 29, 6), mean: 600, count: 12 },
			{ t: Date.UTC(2026, 2, 29, 7), mean: null, count: 0 },
		];
		expect(hourlyRows(occupancy, waits, "Europe/Kyiv")).toEqual([
			{ localDay: "2026-03-29", hour: 0, occupancyMean: 3, waitMeanS: null, count: 0 },
			{ localDay: "2026-03-29", hour: 9, occupancyMean: 40, waitMeanS: 600, count: 12 },
		]);
	});
});
