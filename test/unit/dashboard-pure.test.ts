/** The manager page's pure helpers: periods, the address of a place, weeks of quality, service levels of a period, formatters. */
import { describe, expect, it } from "vitest";
import type { QualityFigures } from "../../core/quality.ts";
import type { ServiceLevel } from "../../core/serviceLevels.ts";
import {
	dayLabel,
	formatHeld,
	formatNps,
	formatNumber,
	formatShare,
	formatStamp,
	hourLabel,
	weekStart,
} from "../../dashboard/web/format.ts";
import { daysOf, periodOf } from "../../dashboard/web/period.ts";
import { hrefOf, placeOf } from "../../dashboard/web/router.ts";
import { periodLevels } from "../../dashboard/web/serviceLevelSums.ts";
import { weeklyFigures } from "../../dashboard/web/weeks.ts";

describe("periodOf", () => {
	const today = "2026-12-04";
	it.each([
		[{}, "day", { from: today, to: today, span: "day", step: "1h" }],
		[{}, "week", { from: "2026-11-28", to: today, span: "week", step: "1d" }],
		[{ span: "month" }, "day", { from: "2026-11-05", to: today, span: "month", step: "1d" }],
		[{ span: "year" }, "week", { from: "2026-11-28", to: today, span: "week", step: "1d" }],
		[
			{ from: "2026-11-02", to: "2026-11-02" },
			"week",
			{ from: "2026-11-02", to: "2026-11-02", span: "custom", step: "1h" },
		],
		[
			{ from: "2026-11-02", to: "2026-11-08" },
			"day",
			{ from: "2026-11-02", to: "2026-11-08", span: "custom", step: "1d" },
		],
		// Backwards, not a date, or longer than the hub answers: the default span.
		[{ from: "2026-11-08", to: "2026-11-02" }, "day", { from: today, to: today, span: "day", step: "1h" }],
		[{ from: "2026-02-30", to: "2026-03-02" }, "day", { from: today, to: today, span: "day", step: "1h" }],
		[{ from: "2026-01-01", to: "2026-12-01" }, "day", { from: today, to: today, span: "day", step: "1h" }],
	] as const)("%j (default %s)", (params, fallback, want) => {
		expect(periodOf(params, today, fallback)).toEqual(want);
	});

	it("lists the days of a period, across a month's end", () => {
		expect(daysOf({ from: "2026-11-29", to: "2026-12-02" })).toEqual([
			"2026-11-29",
			"2026-11-30",
			"2026-12-01",
			"2026-12-02",
		]);
	});
});

describe("the address of a place", () => {
	it.each([
		["/", "?centre=demo", "/?centre=demo"],
		["/quality", "?centre=demo&span=week&lang=en", "/quality?centre=demo&span=week&lang=en"],
		[
			"/history",
			"?lang=uk&from=2026-11-01&to=2026-11-07&centre=lutsk",
			"/history?centre=lutsk&from=2026-11-01&to=2026-11-07",
		],
		["/nowhere", "?centre=demo", "/?centre=demo"],
	])("%s%s → %s", (path, search, href) => {
		expect(hrefOf(placeOf(path, search))).toBe(href);
	});

	it("reads the view, the centre, the language and the view's parameters", () => {
		expect(placeOf("/report", "?centre=demo&day=2026-12-01&lang=en")).toEqual({
			view: "report",
			centre: "demo",
			lang: "en",
			params: { day: "2026-12-01" },
		});
	});
});

const figures = (distribution: number[]): QualityFigures => ({
	count: distribution.reduce((a, b) => a + b, 0),
	mean: null,
	csat: null,
	nps: null,
	distribution,
	extra: 0,
	meaningful: true,
});

describe("weeklyFigures", () => {
	it("adds the days' distributions up per week (Monday first) and works the figures out from the sums", () => {
		const weeks = weeklyFigures(
			{
				"2026-11-29": figures([0, 0, 0, 0, 2]), // a Sunday: the week of 23 November
				"2026-11-30": figures([1, 0, 0, 1, 2]),
				"2026-12-02": figures([0, 1, 1, 0, 0]),
			},
			5,
		);
		expect(weeks).toEqual([
			{ week: "2026-11-23", count: 2, mean: 5, csat: 1, nps: 100 },
			// 1,4,5,5,2,3: mean 20/6; top two 3 of 6; promoters 2, detractors 3 → −16.7
			{ week: "2026-11-30", count: 6, mean: 3.33, csat: 0.5, nps: -16.7 },
		]);
	});
});

const level = (day: string, service: string, x: Partial<ServiceLevel>): ServiceLevel => ({
	day,
	service,
	targetWaitMin: service === "*" ? null : 20,
	issued: 0,
	called: 0,
	served: 0,
	noShows: 0,
	cancelled: 0,
	transferred: 0,
	withinTarget: null,
	waitKnown: 0,
	withinTargetCount: 0,
	noShowShare: null,
	wait: { meanS: null, p90S: null },
	serviceTime: { meanS: null, p90S: null },
	...x,
});

describe("periodLevels", () => {
	it("adds days up exactly: counts, shares from the counts, the mean weighted by its waits, the worst P90", () => {
		const rows = periodLevels(
			[
				level("2026-12-01", "*", {
					issued: 10,
					called: 8,
					noShows: 1,
					waitKnown: 8,
					withinTargetCount: 6,
					wait: { meanS: 600, p90S: 1200 },
				}),
				level("2026-12-01", "passports", {
					issued: 10,
					called: 8,
					noShows: 1,
					transferred: 0,
					waitKnown: 8,
					withinTargetCount: 6,
					wait: { meanS: 600, p90S: 1200 },
				}),
				level("2026-12-02", "*", {
					issued: 5,
					called: 4,
					noShows: 0,
					waitKnown: 2,
					withinTargetCount: 0,
					wait: { meanS: 1500, p90S: 1800 },
				}),
				level("2026-12-02", "passports", {
					issued: 5,
					called: 4,
					noShows: 0,
					transferred: 2,
					waitKnown: 2,
					withinTargetCount: 0,
					wait: { meanS: 1500, p90S: 1800 },
				}),
			],
			["land", "passports"],
		);
		expect(rows.map((r) => r.service)).toEqual(["passports", "*"]);
		expect(rows[0]).toEqual({
			service: "passports",
			targetWaitMin: 20,
			issued: 15,
			called: 12,
			served: 0,
			noShows: 1,
			transferred: 2,
			withinTarget: 0.6,
			noShowShare: 0.083,
			waitMeanS: 780,
			waitP90S: 1800,
			days: 2,
		});
	});
});

describe("formatters", () => {
	it.each([
		[1234.5, "uk", 1, "1 234,5"],
		[1234.5, "en", 1, "1,234.5"],
		[0.125, "uk", 2, "0,13"],
		[null, "uk", 0, "—"],
	] as const)("formatNumber(%s, %s, %s) = %s", (n, lang, digits, want) => {
		expect(formatNumber(n, lang, digits).replace(/\u00a0|\u202f/g, " ")).toBe(want);
	});

	it("writes shares, NPS, days, hours and stamps", () => {
		expect(formatShare(0.824, "uk")).toBe("82 %");
		expect(formatShare(null, "en")).toBe("—");
		const held = (coverage: number, biasMin: number) => ({ coverage, biasMin });
		expect(formatHeld(held(0.824, 1.26), "uk")).toBe("82 % · +1,3 хв");
		expect(formatHeld(held(0.79, -0.44), "en")).toBe("79% · \u22120.4 min");
		expect(formatHeld(held(0.8, 0.04), "en")).toBe("80% · 0 min");
		expect(formatHeld(null, "uk")).toBe("—");
		expect([formatNps(42.4), formatNps(-12), formatNps(0), formatNps(null)]).toEqual(["+42", "\u221212", "0", "—"]);
		expect(dayLabel("2026-11-23", "uk")).toBe("пн 23.11");
		expect(dayLabel("2026-11-23", "en")).toBe("Mon 23/11");
		expect(weekStart("2026-11-29")).toBe("2026-11-23");
		expect(weekStart("2026-11-23")).toBe("2026-11-23");
		expect(hourLabel(9)).toBe("09:00");
		// 07:05 UTC is 09:05 in Kyiv in winter, 10:05 in summer.
		expect(formatStamp(Date.parse("2026-12-04T07:05:00Z"), "Europe/Kyiv")).toBe("2026-12-04 09:05");
		expect(formatStamp(Date.parse("2026-07-04T07:05:00Z"), "Europe/Kyiv")).toBe("2026-07-04 10:05");
		expect(formatStamp(Date.parse("2026-12-04T22:30:00Z"), "Europe/Kyiv")).toBe("2026-12-05 00:30");
	});
});
