/**
 * core/time.ts: local days and their spans, wall-clock time and back, the cached local clock,
 * calendar arithmetic and "HH:MM-HH:MM" intervals. Kyiv's clocks change on the last Sundays of
 * March (03:00 EET → 04:00 EEST) and October (04:00 EEST → 03:00 EET); luxon, a library of its
 * own, is the second opinion on a sweep of years and zones.
 */
import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import {
	addDays,
	daySpan,
	daysBetween,
	endOfLocalDay,
	instantOf,
	isDate,
	isTimeZone,
	localClock,
	localDay,
	localTime,
	midnight,
	parseInterval,
	readInterval,
	startOfLocalDay,
	weekdayOf,
	zoneOffset,
} from "../../core/time.ts";

const KYIV = "Europe/Kyiv";
const H = 3_600_000;
const utc = (iso: string) => Date.parse(`${iso}Z`);

describe("local days in Europe/Kyiv", () => {
	it.each([
		// [UTC instant, local day]
		[Date.UTC(2026, 10, 23, 21, 59), "2026-11-23"], // 23:59 EET
		[Date.UTC(2026, 10, 23, 22, 0), "2026-11-24"], // 00:00 EET
		[Date.UTC(2026, 6, 1, 20, 59), "2026-07-01"], // 23:59 EEST
		[Date.UTC(2026, 6, 1, 21, 0), "2026-07-02"], // 00:00 EEST
	])("%i is local day %s", (ts, day) => {
		expect(localDay(ts, KYIV)).toBe(day);
	});

	it.each([
		// [a moment of the day, the day, its start (UTC), its end (UTC), hours]
		["2026-03-29T12:00", "2026-03-29", "2026-03-28T22:00", "2026-03-29T21:00", 23], // spring change
		["2026-10-25T12:00", "2026-10-25", "2026-10-24T21:00", "2026-10-25T22:00", 25], // autumn change
		["2025-03-30T00:59", "2025-03-30", "2025-03-29T22:00", "2025-03-30T21:00", 23], // just before 03:00 EET
		["2025-03-30T01:00", "2025-03-30", "2025-03-29T22:00", "2025-03-30T21:00", 23], // 04:00 EEST
		["2025-10-26T00:30", "2025-10-26", "2025-10-25T21:00", "2025-10-26T22:00", 25], // 03:30 EEST
		["2025-10-26T01:30", "2025-10-26", "2025-10-25T21:00", "2025-10-26T22:00", 25], // 03:30 EET, again
		["2026-03-30T12:00", "2026-03-30", "2026-03-29T21:00", "2026-03-30T21:00", 24], // the day after
		["2026-10-24T12:00", "2026-10-24", "2026-10-23T21:00", "2026-10-24T21:00", 24], // the day before
	])("%s UTC is in %s, from %s to %s: %i hours", (at, day, start, end, hours) => {
		const ts = utc(at);
		expect(daySpan(ts, KYIV)).toEqual({ day, start: utc(start), end: utc(end) });
		expect(startOfLocalDay(ts, KYIV)).toBe(utc(start));
		expect(endOfLocalDay(ts, KYIV)).toBe(utc(end));
		expect((endOfLocalDay(ts, KYIV) - startOfLocalDay(ts, KYIV)) / H).toBe(hours);
		expect(midnight(day, KYIV)).toBe(utc(start));
	});

	it("gives the same answers in any order of lookups (the cache is invisible)", () => {
		const times = [Date.UTC(2026, 10, 23, 21, 59), Date.UTC(2026, 0, 1, 12), Date.UTC(2026, 10, 23, 22, 0)];
		const forward = times.map((t) => localDay(t, KYIV));
		const backward = [...times].reverse().map((t) => localDay(t, KYIV));
		expect(backward.reverse()).toEqual(forward);
		expect(localDay(Date.UTC(2026, 10, 23, 22, 0), "UTC")).toBe("2026-11-23");
	});
});

describe("wall-clock time of an instant", () => {
	it.each([
		// Winter time, UTC+2.
		["2025-03-10T07:00:00Z", "2025-03-10", "mon", 9, 9 * 60],
		// Sunday 30 March 2025: 03:00 becomes 04:00 (UTC+3).
		["2025-03-30T00:30:00Z", "2025-03-30", "sun", 2, 2 * 60 + 30],
		["2025-03-30T01:30:00Z", "2025-03-30", "sun", 4, 4 * 60 + 30],
		["2025-03-31T06:00:00Z", "2025-03-31", "mon", 9, 9 * 60],
		// Sunday 26 October 2025: 04:00 goes back to 03:00 (UTC+2 again); 03:30 comes twice.
		["2025-10-26T00:30:00Z", "2025-10-26", "sun", 3, 3 * 60 + 30],
		["2025-10-26T01:30:00Z", "2025-10-26", "sun", 3, 3 * 60 + 30],
		["2025-10-27T07:00:00Z", "2025-10-27", "mon", 9, 9 * 60],
		["2025-03-11T17:59:30Z", "2025-03-11", "tue", 19, 19 * 60 + 59.5],
		["2026-11-23T21:59:30Z", "2026-11-23", "mon", 23, 24 * 60 - 0.5],
	])("%s is %s (%s) %i h, minute %f of the day", (iso, day, weekday, hour, minuteOfDay) => {
		const want = { day, weekday, hour, minuteOfDay };
		expect(localTime(Date.parse(iso), KYIV)).toEqual(want);
		expect(localClock(KYIV).at(Date.parse(iso))).toEqual(want);
	});

	it("knows the offsets: +2 h in winter, +3 h in summer, +5:45 in Kathmandu", () => {
		expect(zoneOffset(utc("2026-01-15T12:00"), KYIV)).toBe(2 * H);
		expect(zoneOffset(utc("2026-07-15T12:00"), KYIV)).toBe(3 * H);
		expect(zoneOffset(utc("2026-07-15T12:00"), "Asia/Kathmandu")).toBe(5.75 * H);
	});
});

describe("wall-clock time back to an instant", () => {
	it.each([
		["2026-11-23", 9 * 60, "2026-11-23T07:00"],
		["2026-07-01", 9 * 60, "2026-07-01T06:00"],
		["2026-11-23", 24 * 60, "2026-11-23T22:00"], // 24:00 is the next midnight
		["2026-03-29", 2 * 60 + 59, "2026-03-29T00:59"], // the last minute of winter time
		["2026-03-29", 3 * 60 + 30, "2026-03-29T01:30"], // skipped: moved on by the hour (04:30 EEST)
		["2026-03-29", 4 * 60, "2026-03-29T01:00"],
		["2026-10-25", 3 * 60 + 30, "2026-10-25T00:30"], // twice: the first one (EEST)
		["2026-10-25", 4 * 60, "2026-10-25T02:00"],
		["2026-10-25", 24 * 60, "2026-10-25T22:00"],
	])("%s minute %i is %s UTC", (day, minute, at) => {
		expect(instantOf(day, minute, KYIV)).toBe(utc(at));
	});

	it("agrees with luxon on every midnight and 09:00 of four years in several zones", () => {
		// Havana's autumn change repeats midnight itself; there a day starts at the first one.
		const zones = [KYIV, "America/New_York", "America/Santiago", "Australia/Lord_Howe", "Asia/Kathmandu", "UTC"];
		for (const zone of zones) {
			for (let day = "2024-01-01"; day < "2028-01-01"; day = addDays(day, 1)) {
				const luxon = DateTime.fromISO(day, { zone });
				expect(midnight(day, zone), `${zone} ${day}`).toBe(luxon.toMillis());
				expect(instantOf(day, 9 * 60, zone), `${zone} ${day}`).toBe(luxon.set({ hour: 9 }).toMillis());
			}
		}
		expect(midnight("2026-11-01", "America/Havana")).toBe(utc("2026-11-01T04:00"));
		expect(localDay(utc("2026-11-01T04:30"), "America/Havana")).toBe("2026-11-01");
	});
});

describe("the local clock", () => {
	it("gives what localTime gives, asked in time order or not", () => {
		const clock = localClock(KYIV);
		const times: number[] = [];
		for (let t = Date.UTC(2025, 2, 29, 20); t < Date.UTC(2025, 2, 31, 8); t += 7 * 60_000 + 13) times.push(t);
		for (let t = Date.UTC(2025, 9, 25, 20); t < Date.UTC(2025, 9, 27, 8); t += 11 * 60_000 + 7) times.push(t);
		for (const t of times) expect(clock.at(t)).toEqual(localTime(t, KYIV));
		for (const t of [...times].reverse()) expect(clock.at(t)).toEqual(localTime(t, KYIV));
	});

	it("agrees with luxon over a year at odd instants", () => {
		const clock = localClock(KYIV);
		for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2027, 0, 1); t += 97 * 60_000 + 12_345) {
			const l = DateTime.fromMillis(t, { zone: KYIV });
			const c = clock.at(t);
			expect([c.day, c.hour, Math.floor(c.minuteOfDay)]).toEqual([l.toISODate(), l.hour, l.hour * 60 + l.minute]);
		}
	});

	it("gives midnights, and refuses a zone the runtime does not know", () => {
		expect(localClock(KYIV).midnight("2026-03-29")).toBe(utc("2026-03-28T22:00"));
		expect(() => localClock("Europe/Kyyiv")).toThrow('unknown time zone "Europe/Kyyiv"');
		expect(isTimeZone("Europe/Kyiv")).toBe(true);
		expect(isTimeZone("Europe/Kyyiv")).toBe(false);
	});
});

describe("calendar dates", () => {
	it.each([
		["2026-03-29", "sun"],
		["2026-11-23", "mon"],
		["2026-12-31", "thu"],
		["1970-01-01", "thu"],
		["1969-12-29", "mon"],
	])("%s is a %s", (day, weekday) => {
		expect(weekdayOf(day)).toBe(weekday);
	});

	it("adds and counts days across months, years and leap days", () => {
		expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
		expect(addDays("2028-03-01", -1)).toBe("2028-02-29");
		expect(addDays("2026-11-23", -56)).toBe("2026-09-28");
		expect(daysBetween("2026-01-01", "2026-12-31")).toBe(364);
		expect(daysBetween("2026-03-02", "2026-03-01")).toBe(-1);
	});

	it.each([
		["2026-02-28", true],
		["2028-02-29", true],
		["2026-02-29", false],
		["2026-02-30", false],
		["2026-13-01", false],
		["2026-1-01", false],
		["tuesday", false],
	])("%s is a date: %s", (day, ok) => {
		expect(isDate(day)).toBe(ok);
	});

	it("refuses arithmetic on what is no date", () => {
		expect(() => addDays("2026-02-30", 1)).toThrow('"2026-02-30" is not a date "YYYY-MM-DD" of the calendar');
	});
});

describe('"HH:MM-HH:MM" intervals', () => {
	it.each([
		["09:00-16:00", 540, 960],
		["09:00-12:30", 540, 750],
		["00:00-24:00", 0, 1440],
		["23:59-24:00", 1439, 1440],
	])("%s is minutes %i to %i", (text, from, to) => {
		expect(parseInterval(text)).toEqual({ from, to });
	});

	it.each([
		["9:00-16:00", 'interval "9:00-16:00" is not of the form "HH:MM-HH:MM" (e.g. "09:00-16:00")'],
		["09:00–16:00", 'interval "09:00–16:00" is not of the form "HH:MM-HH:MM" (e.g. "09:00-16:00")'],
		["09:00 - 16:00", 'interval "09:00 - 16:00" is not of the form "HH:MM-HH:MM" (e.g. "09:00-16:00")'],
		["", 'interval "" is not of the form "HH:MM-HH:MM" (e.g. "09:00-16:00")'],
		["24:00-24:00", 'interval "24:00-24:00": 24:00 is not a time of day (00:00 to 23:59)'],
		["09:60-16:00", 'interval "09:60-16:00": 09:60 is not a time of day (00:00 to 23:59)'],
		["09:00-24:30", 'interval "09:00-24:30": 24:30 is not a time of day (00:00 to 24:00)'],
		["09:00-25:00", 'interval "09:00-25:00": 25:00 is not a time of day (00:00 to 24:00)'],
		["16:00-09:00", 'interval "16:00-09:00" closes before it opens'],
		["09:00-09:00", 'interval "09:00-09:00" closes before it opens'],
	])("%j is refused: %s", (text, message) => {
		expect(readInterval(text)).toEqual({ ok: false, message });
		expect(() => parseInterval(text)).toThrow(message);
	});
});
