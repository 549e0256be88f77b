/** The page's pure formatters, as tables of cases. */
import { describe, expect, it } from "vitest";
import {
	countOf,
	formatClock,
	formatDay,
	formatDuration,
	formatMean,
	formatPercent,
	type Lang,
	plural,
	waitLevel,
	windowLabel,
} from "../../dashboard/web/format.ts";
import { NOUNS } from "../../dashboard/web/i18n.ts";

describe("formatDuration", () => {
	it.each<[number, Lang, string]>([
		[0, "uk", "< 1 хв"],
		[59, "uk", "< 1 хв"],
		[60, "uk", "1 хв"],
		[119, "uk", "1 хв"],
		[12 * 60 + 30, "uk", "12 хв"],
		[59 * 60 + 59, "uk", "59 хв"],
		[60 * 60, "uk", "1 год 00 хв"],
		[65 * 60, "uk", "1 год 05 хв"],
		[3 * 3600 + 42 * 60, "uk", "3 год 42 хв"],
		[-30, "uk", "< 1 хв"],
		[Number.NaN, "uk", "< 1 хв"],
		[30, "en", "< 1 min"],
		[12 * 60, "en", "12 min"],
		[65 * 60, "en", "1 h 05 min"],
	])("%s s in %s → %s", (seconds, lang, expected) => {
		expect(formatDuration(seconds, lang)).toBe(expected);
	});

	it("is Ukrainian by default", () => {
		expect(formatDuration(600)).toBe("10 хв");
	});
});

describe("formatMean", () => {
	it.each<[number | null, Lang, string]>([
		[null, "uk", "—"],
		[null, "en", "—"],
		[4, "uk", "4,0"],
		[4, "en", "4.0"],
		[4.25, "uk", "4,3"],
		[4.649, "en", "4.6"],
		[1, "uk", "1,0"],
		[5, "en", "5.0"],
		[Number.NaN, "uk", "—"],
	])("%s in %s → %s", (mean, lang, expected) => {
		expect(formatMean(mean, lang)).toBe(expected);
	});
});

describe("formatPercent", () => {
	it.each<[number, Lang, string]>([
		[0, "uk", "0 %"],
		[0.284, "uk", "28 %"],
		[0.286, "en", "29%"],
		[1, "uk", "100 %"],
		[1.5, "en", "150%"],
		[Number.POSITIVE_INFINITY, "uk", "0 %"],
	])("%s in %s → %s", (share, lang, expected) => {
		expect(formatPercent(share, lang)).toBe(expected);
	});
});

describe("waitLevel", () => {
	it.each<[number, number, "ok" | "near" | "over"]>([
		[0, 20, "ok"],
		[14 * 60 + 59, 20, "ok"],
		[15 * 60, 20, "near"],
		[19 * 60 + 59, 20, "near"],
		[20 * 60, 20, "over"],
		[3 * 3600, 20, "over"],
		[7.5 * 60, 10, "near"],
		[600, 0, "ok"],
	])("%s s against %s min → %s", (seconds, target, expected) => {
		expect(waitLevel(seconds, target)).toBe(expected);
	});
});

describe("plural and countOf", () => {
	it.each<[number, string]>([
		[0, "0 оцінок"],
		[1, "1 оцінка"],
		[2, "2 оцінки"],
		[4, "4 оцінки"],
		[5, "5 оцінок"],
		[11, "11 оцінок"],
		[12, "12 оцінок"],
		[14, "14 оцінок"],
		[21, "21 оцінка"],
		[22, "22 оцінки"],
		[25, "25 оцінок"],
		[101, "101 оцінка"],
		[111, "111 оцінок"],
		[112, "112 оцінок"],
		[122, "122 оцінки"],
	])("uk: %s → %s", (n, expected) => {
		expect(countOf(n, NOUNS.rating, "uk")).toBe(expected);
	});

	it.each<[number, string]>([
		[0, "0 ratings"],
		[1, "1 rating"],
		[2, "2 ratings"],
		[21, "21 ratings"],
	])("en: %s → %s", (n, expected) => {
		expect(countOf(n, NOUNS.rating, "en")).toBe(expected);
	});

	it.each<[number, string]>([
		[1, "місце"],
		[3, "місця"],
		[120, "місць"],
		[-1, "місце"],
	])("the noun alone: %s → %s", (n, expected) => {
		expect(plural(n, NOUNS.place)).toBe(expected);
	});
});

describe("windowLabel", () => {
	it.each<[string, string | undefined, Lang, string]>([
		["w01", "w01", "uk", "Вікно 1"],
		["w01", undefined, "en", "Window 1"],
		["w12", "Пріоритетне вікно (ВПО, військовослужбовці, ветерани)", "uk", "Вікно 12"],
		["w100", "w100", "uk", "Вікно 100"],
		["w0", "w0", "uk", "Вікно 0"],
		["reception", "Ресепшн", "uk", "Ресепшн"],
		["reception", "reception", "en", "reception"],
		["desk-3", undefined, "uk", "desk-3"],
		["w1a", "", "uk", "w1a"],
	])("%s named %s in %s → %s", (id, name, lang, expected) => {
		expect(windowLabel(id, name, lang)).toBe(expected);
	});
});

describe("formatDay", () => {
	it.each<[string, Lang, string]>([
		["2026-11-23", "uk", "понеділок, 23 листопада 2026"],
		["2026-11-23", "en", "Monday, 23 November 2026"],
		["2025-01-01", "uk", "середа, 1 січня 2025"],
		["2024-02-29", "uk", "четвер, 29 лютого 2024"],
		["2025-05-16", "uk", "пʼятниця, 16 травня 2025"],
		["2025-08-24", "en", "Sunday, 24 August 2025"],
		["2025-02-30", "uk", "2025-02-30"],
		["", "uk", ""],
		["not a day", "en", "not a day"],
	])("%s in %s → %s", (day, lang, expected) => {
		expect(formatDay(day, lang)).toBe(expected);
	});
});

describe("formatClock", () => {
	it.each<[string, string, string]>([
		// Kyiv is UTC+2 in winter, UTC+3 in summer.
		["2026-11-23T07:05:00Z", "Europe/Kyiv", "09:05"],
		["2026-07-01T05:00:59Z", "Europe/Kyiv", "08:00"],
		["2026-11-23T21:59:00Z", "Europe/Kyiv", "23:59"],
		["2026-11-23T22:00:00Z", "Europe/Kyiv", "00:00"],
		["2026-11-23T12:30:00Z", "UTC", "12:30"],
	])("%s in %s → %s", (iso, zone, expected) => {
		expect(formatClock(Date.parse(iso), zone)).toBe(expected);
	});
});
