import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { mulberry32 } from "../../core/stats.ts";
import { arrivalsFor, hourShape, openMinutesPerWeek, weeklyProfile } from "../../firmware-sim/profile.ts";
import { poisson } from "../../firmware-sim/random.ts";
import { configCentre } from "../fixtures/centres.ts";

const demo = configCentre("demo");
const lutsk = configCentre("lutsk");
const KYIV = "Europe/Kyiv";

/** Epoch ms of a local wall time in Kyiv, e.g. kyiv("2025-03-11T17:30"). */
const kyiv = (iso: string) => DateTime.fromISO(iso, { zone: KYIV }).toMillis();

describe("opening hours of a regular week", () => {
	it("meet the law's 35 reception hours a week at both example centres", () => {
		expect(openMinutesPerWeek(demo.hours) / 60).toBe(46);
		expect(openMinutesPerWeek(lutsk.hours) / 60).toBeGreaterThanOrEqual(35);
	});

	it("give a centre that never opens no visitors", () => {
		const closed = { ...demo, hours: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] } };
		expect(weeklyProfile(closed, 60).maxPerHour).toBe(0);
	});
});

describe("arrival profile", () => {
	const profile = weeklyProfile(demo, 60);
	const at = (local: string) => profile.perHour(kyiv(local));

	it("has nobody come while the centre is closed", () => {
		for (const local of [
			"2025-03-16T11:00",
			"2025-03-10T08:30",
			"2025-03-10T17:30",
			"2025-03-11T20:30",
			"2025-03-12T03:00",
		])
			expect(at(local), local).toBe(0);
	});

	it("peaks in the late morning, is quieter early in the afternoon, and has after-work visitors on Tuesday", () => {
		for (const day of ["10", "11", "12", "13", "14"]) {
			expect(at(`2025-03-${day}T10:30`)).toBeGreaterThan(1.4 * at(`2025-03-${day}T14:00`));
		}
		expect(at("2025-03-11T17:30")).toBeGreaterThan(at("2025-03-11T15:30"));
		expect(at("2025-03-11T19:30")).toBeGreaterThan(0);
	});

	it("has the busiest day on Monday and fewer visitors on Friday and Saturday", () => {
		expect(at("2025-03-10T11:00")).toBeGreaterThan(at("2025-03-12T11:00"));
		expect(at("2025-03-12T11:00")).toBeGreaterThan(at("2025-03-14T11:00"));
		expect(at("2025-03-14T11:00")).toBeGreaterThan(at("2025-03-15T11:00"));
	});

	it("averages the asked rate over the open hours and never exceeds its peak", () => {
		let sum = 0;
		let n = 0;
		let peak = 0;
		for (let t = kyiv("2025-03-10T00:00"); t < kyiv("2025-03-17T00:00"); t += 20_000) {
			const r = profile.perHour(t);
			peak = Math.max(peak, r);
			if (r > 0) {
				sum += r;
				n++;
			}
		}
		expect(peak).toBeLessThanOrEqual(profile.maxPerHour);
		expect(sum / n).toBeGreaterThan(59.5);
		expect(sum / n).toBeLessThan(60.5);
	});

	it("opens at the same local hour after the clocks change", () => {
		const summer = weeklyProfile(demo, 60);
		expect(summer.perHour(kyiv("2025-03-31T08:50"))).toBe(0);
		expect(summer.perHour(kyiv("2025-03-31T09:10"))).toBeGreaterThan(0);
		expect(summer.perHour(kyiv("2025-10-27T08:50"))).toBe(0);
		expect(summer.perHour(kyiv("2025-10-27T09:10"))).toBeGreaterThan(0);
	});

	it("has no steps on the hour", () => {
		for (let m = 1; m < 24 * 60; m++) expect(Math.abs(hourShape(m) - hourShape(m - 1))).toBeLessThan(0.02);
	});

	it("has nobody come on a holiday, and only in a shortened day's hours (the hub's opening hours)", () => {
		const holidays = weeklyProfile(
			{
				...demo,
				holidays: [
					{ date: "2025-03-10", hours: [] },
					{ date: "2025-03-11", hours: ["09:00-13:00"] },
				],
			},
			60,
		);
		for (const local of ["2025-03-10T09:30", "2025-03-10T11:00", "2025-03-10T15:30", "2025-03-11T13:30"])
			expect(holidays.perHour(kyiv(local)), local).toBe(0);
		expect(holidays.perHour(kyiv("2025-03-11T11:00"))).toBe(profile.perHour(kyiv("2025-03-11T11:00")));
		expect(holidays.perHour(kyiv("2025-03-12T11:00"))).toBe(profile.perHour(kyiv("2025-03-12T11:00")));
	});

	it("is flat around the clock unless told to follow the hours; a given profile is silenced while closed", () => {
		const flat = arrivalsFor(demo, 30, false);
		expect(flat.perHour(kyiv("2025-03-16T03:00"))).toBe(30);
		const given = { perHour: () => 7, maxPerHour: 7 };
		expect(arrivalsFor(demo, given, false)).toBe(given);
		const closedAware = arrivalsFor(demo, given, true);
		expect(closedAware.perHour(kyiv("2025-03-16T11:00"))).toBe(0);
		expect(closedAware.perHour(kyiv("2025-03-17T11:00"))).toBe(7);
	});
});

describe("poisson counts", () => {
	it.each([0.5, 4, 12, 80])("have mean and variance about %f", (mean) => {
		const rng = mulberry32(7);
		const xs = Array.from({ length: 20_000 }, () => poisson(rng, mean));
		const m = xs.reduce((s, x) => s + x, 0) / xs.length;
		const v = xs.reduce((s, x) => s + (x - m) ** 2, 0) / xs.length;
		expect(m).toBeGreaterThan(0.95 * mean);
		expect(m).toBeLessThan(1.05 * mean);
		expect(v).toBeGreaterThan(0.9 * mean);
		expect(v).toBeLessThan(1.1 * mean);
		expect(xs.every((x) => Number.isInteger(x) && x >= 0)).toBe(true);
	});
});
