import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import {
	dayHours,
	type HoursOf,
	isOpen,
	openIntervals,
	openingCalendar,
	openingState,
} from "../../core/openingHours.ts";
import { configCentre } from "../fixtures/centres.ts";

const weekday = ["09:00-16:00"];
/** Kryvyi Rih 2021 (DOMAIN.md): Mon, Wed–Sat 09:00–16:00, Tue 09:00–20:00; with two dated exceptions. */
const kryvyiRih: HoursOf = {
	timeZone: "Europe/Kyiv",
	hours: { mon: weekday, tue: ["09:00-20:00"], wed: weekday, thu: weekday, fri: weekday, sat: weekday, sun: [] },
	holidays: [
		{ date: "2026-08-24", hours: [], name: { uk: "День Незалежності", en: "Independence Day" } },
		{ date: "2026-12-31", hours: ["09:00-13:00"] },
	],
};
const sundays: HoursOf = { ...kryvyiRih, hours: { ...kryvyiRih.hours, sun: ["09:00-16:00"] } };
const lunch: HoursOf = { ...kryvyiRih, hours: { ...kryvyiRih.hours, mon: ["09:00-13:00", "14:00-18:00"] } };
const allWeekend: HoursOf = { ...kryvyiRih, hours: { ...kryvyiRih.hours, sat: ["00:00-24:00"], sun: ["00:00-24:00"] } };
const never: HoursOf = {
	timeZone: "Europe/Kyiv",
	hours: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] },
};

const utc = (iso: string) => Date.parse(`${iso}Z`);
const H = 3_600_000;

describe("openingState", () => {
	it.each([
		{
			name: "Monday 10:00 in winter: open until 16:00 (14:00 UTC)",
			centre: kryvyiRih,
			now: "2026-11-23T08:00",
			open: true,
			since: "2026-11-23T07:00",
			next: "2026-11-23T14:00",
		},
		{
			name: "Monday 17:00: closed until Tuesday 09:00",
			centre: kryvyiRih,
			now: "2026-11-23T15:00",
			open: false,
			since: "2026-11-23T14:00",
			next: "2026-11-24T07:00",
		},
		{
			name: "Tuesday 19:00: open late, until 20:00",
			centre: kryvyiRih,
			now: "2026-11-24T17:00",
			open: true,
			since: "2026-11-24T07:00",
			next: "2026-11-24T18:00",
		},
		{
			name: "at 09:00 sharp it is open",
			centre: kryvyiRih,
			now: "2026-11-23T07:00",
			open: true,
			since: "2026-11-23T07:00",
			next: "2026-11-23T14:00",
		},
		{
			name: "at 16:00 sharp it is closed",
			centre: kryvyiRih,
			now: "2026-11-23T14:00",
			open: false,
			since: "2026-11-23T14:00",
			next: "2026-11-24T07:00",
		},
		{
			// Saturday closes 16:00 EET (14:00 UTC); Monday opens 09:00 EEST (06:00 UTC): 40 hours, not 41.
			name: "across the spring change (29 March 2026): Monday opens at 06:00 UTC",
			centre: kryvyiRih,
			now: "2026-03-28T15:00",
			open: false,
			since: "2026-03-28T14:00",
			next: "2026-03-30T06:00",
		},
		{
			name: "across the autumn change (25 October 2026): Monday opens at 07:00 UTC",
			centre: kryvyiRih,
			now: "2026-10-24T14:00",
			open: false,
			since: "2026-10-24T13:00",
			next: "2026-10-26T07:00",
		},
		{
			name: "on the spring change day itself, 08:30 summer time: opens at 09:00 EEST",
			centre: sundays,
			now: "2026-03-29T05:30",
			open: false,
			since: "2026-03-28T14:00",
			next: "2026-03-29T06:00",
		},
		{
			name: "on the autumn change day itself, 15:00 winter time: closes at 16:00 EET",
			centre: sundays,
			now: "2026-10-25T13:00",
			open: true,
			since: "2026-10-25T07:00",
			next: "2026-10-25T14:00",
		},
		{
			name: "a holiday closes the day: Independence Day, a Monday",
			centre: kryvyiRih,
			now: "2026-08-24T07:00",
			open: false,
			since: "2026-08-22T13:00",
			next: "2026-08-25T06:00",
		},
		{
			name: "a shortened day: 31 December until 13:00",
			centre: kryvyiRih,
			now: "2026-12-31T10:00",
			open: true,
			since: "2026-12-31T07:00",
			next: "2026-12-31T11:00",
		},
		{
			name: "a lunch break",
			centre: lunch,
			now: "2026-11-23T11:30",
			open: false,
			since: "2026-11-23T11:00",
			next: "2026-11-23T12:00",
		},
		{
			name: "24:00 and the next day's 00:00 are one interval",
			centre: allWeekend,
			now: "2026-11-28T21:59",
			open: true,
			since: "2026-11-27T22:00",
			next: "2026-11-29T22:00",
		},
	])("$name", ({ centre, now, open, since, next }) => {
		const s = openingState(centre, utc(now));
		expect(s.open).toBe(open);
		expect(s.nextChange).toEqual({ at: utc(next), open: !open });
		expect(s.since).toBe(utc(since));
	});

	it("names today's holiday and gives today's hours", () => {
		expect(openingState(kryvyiRih, utc("2026-08-24T07:00"))).toMatchObject({
			today: [],
			holiday: { date: "2026-08-24", name: { en: "Independence Day" } },
		});
		expect(openingState(kryvyiRih, utc("2026-12-31T07:00"))).toMatchObject({
			today: ["09:00-13:00"],
			holiday: { date: "2026-12-31" },
		});
		expect(openingState(kryvyiRih, utc("2026-11-24T07:00"))).toMatchObject({ today: ["09:00-20:00"], holiday: null });
	});

	it("says no next change for a centre that never opens", () => {
		expect(openingState(never, utc("2026-11-23T08:00"))).toMatchObject({ open: false, since: null, nextChange: null });
	});

	it("answers from its day's cache exactly as worked out afresh, instant by instant", () => {
		// openingState keeps one local day's intervals per centre; the same answer straight from the
		// intervals of each instant's own window (the definition), across clock changes, holidays,
		// lunch breaks, a weekend open around the clock and both horizons, back and forth in time.
		const fresh = (centre: HoursOf, now: number, horizonDays = 21) => {
			const intervals = openIntervals(centre, now - 7 * 24 * H, now + horizonDays * 24 * H);
			const current = intervals.find((iv) => iv.from <= now && now < iv.to);
			const previous = intervals.filter((iv) => iv.to <= now).pop();
			const next = intervals.find((iv) => iv.from > now);
			return current
				? {
						open: true,
						since: current.from >= now - 7 * 24 * H ? current.from : null,
						nextChange: current.to < now + horizonDays * 24 * H ? { at: current.to, open: false } : null,
					}
				: {
						open: false,
						since: previous ? previous.to : null,
						nextChange: next ? { at: next.from, open: true } : null,
					};
		};
		const around247: HoursOf = {
			timeZone: "Europe/Kyiv",
			hours: Object.fromEntries(
				["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map((d) => [d, ["00:00-24:00"]]),
			) as HoursOf["hours"],
			holidays: [{ date: "2026-10-05", hours: [] }],
		};
		let compared = 0;
		for (const centre of [kryvyiRih, lunch, allWeekend, sundays, never, around247]) {
			for (const [from, to] of [
				["2026-03-20T00:00", "2026-04-02T00:00"],
				["2026-08-20T00:00", "2026-08-28T00:00"],
				["2026-09-20T00:00", "2026-11-02T00:00"],
				["2026-12-28T00:00", "2027-01-03T00:00"],
			] as const) {
				for (let t = utc(from); t < utc(to); t += 97 * 60_000) {
					for (const horizon of [21, 3]) {
						const got = openingState(centre, t, horizon);
						expect({ open: got.open, since: got.since, nextChange: got.nextChange }, new Date(t).toISOString()).toEqual(
							fresh(centre, t, horizon),
						);
						compared++;
					}
				}
				// And backwards: the cache is per day, not only forward in time.
				for (let t = utc(to) - 1; t >= utc(from); t -= 7 * H + 11 * 60_000)
					expect(openingState(centre, t).open, new Date(t).toISOString()).toBe(fresh(centre, t).open);
			}
		}
		expect(compared).toBeGreaterThan(5_000);
	});
});

describe("openIntervals and days", () => {
	it("has a 23-hour and a 25-hour Sunday around the clock changes", () => {
		const spring = openIntervals(allWeekend, utc("2026-03-28T12:00"), utc("2026-03-28T13:00"));
		expect(spring).toEqual([{ from: utc("2026-03-27T22:00"), to: utc("2026-03-29T21:00") }]);
		expect((utc("2026-03-29T21:00") - utc("2026-03-28T22:00")) / H).toBe(23);
		const autumn = openIntervals(allWeekend, utc("2026-10-25T12:00"), utc("2026-10-25T13:00"));
		expect(autumn).toEqual([{ from: utc("2026-10-23T21:00"), to: utc("2026-10-25T22:00") }]);
		expect((utc("2026-10-25T22:00") - utc("2026-10-24T21:00")) / H).toBe(25);
	});

	it("lists the intervals of a span in order", () => {
		const week = openIntervals(kryvyiRih, utc("2026-11-23T00:00"), utc("2026-11-25T00:00"));
		expect(week).toEqual([
			{ from: utc("2026-11-23T07:00"), to: utc("2026-11-23T14:00") },
			{ from: utc("2026-11-24T07:00"), to: utc("2026-11-24T18:00") },
		]);
	});

	it("takes a day's hours from its holiday when it has one", () => {
		expect(dayHours(kryvyiRih, "2026-12-31")).toEqual(["09:00-13:00"]);
		expect(dayHours(kryvyiRih, "2026-12-30")).toEqual(["09:00-16:00"]);
		expect(isOpen(kryvyiRih, utc("2026-12-31T11:30"))).toBe(false);
		expect(isOpen(kryvyiRih, utc("2026-12-30T11:30"))).toBe(true);
	});
});

describe("the opening calendar (many instants: the simulator's)", () => {
	const demo = configCentre("demo");
	const kyiv = (iso: string) => DateTime.fromISO(iso, { zone: "Europe/Kyiv" }).toMillis();

	it.each([
		["2025-03-10T08:59", false],
		["2025-03-10T09:00", true],
		["2025-03-10T15:59", true],
		["2025-03-10T16:00", false],
		["2025-03-11T19:30", true], // the long Tuesday
		["2025-03-11T20:00", false],
		["2025-03-15T12:00", true], // Saturday
		["2025-03-16T12:00", false], // Sunday
	])("demo at %s local is open: %s", (local, open) => {
		expect(openingCalendar(demo).isOpen(kyiv(local))).toBe(open);
		expect(isOpen(demo, kyiv(local))).toBe(open);
	});

	it.each([
		["2025-03-15T17:00", "2025-03-17T09:00"], // Saturday evening → Monday
		["2025-03-10T09:00", "2025-03-10T09:00"], // at the opening itself
		["2025-03-10T09:00:00.001", "2025-03-11T09:00"],
		["2025-03-30T12:00", "2025-03-31T09:00"], // across the change to summer time
	])("after %s the demo opens next at %s", (from, next) => {
		expect(openingCalendar(demo).nextOpening(kyiv(from))).toBe(kyiv(next));
	});

	it("skips holidays and keeps a shortened day's hours", () => {
		const cal = openingCalendar(kryvyiRih);
		expect(cal.nextOpening(utc("2026-08-22T14:00"))).toBe(utc("2026-08-25T06:00")); // past Independence Day
		expect(cal.isOpen(utc("2026-08-24T08:00"))).toBe(false);
		expect(cal.isOpen(utc("2026-12-31T10:30"))).toBe(true);
		expect(cal.isOpen(utc("2026-12-31T11:30"))).toBe(false);
	});

	it("finds no opening for a centre that never opens", () => {
		expect(openingCalendar(never).nextOpening(utc("2026-11-23T00:00"))).toBeUndefined();
	});

	it("answers as isOpen and openingState do, minute by minute through the clock changes and holidays", () => {
		for (const centre of [kryvyiRih, lunch, allWeekend, sundays]) {
			const cal = openingCalendar(centre);
			for (const [from, to] of [
				["2026-03-27T00:00", "2026-03-31T00:00"],
				["2026-08-22T00:00", "2026-08-26T00:00"],
				["2026-10-23T00:00", "2026-10-27T00:00"],
				["2026-12-30T00:00", "2027-01-01T00:00"],
			] as const) {
				for (let t = utc(from); t < utc(to); t += 37 * 60_000) {
					const state = openingState(centre, t);
					expect(cal.isOpen(t), new Date(t).toISOString()).toBe(state.open);
					expect(isOpen(centre, t)).toBe(state.open);
					if (!state.open && state.nextChange) expect(cal.nextOpening(t)).toBe(state.nextChange.at);
				}
			}
		}
	});
});
