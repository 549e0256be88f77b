import { fileURLToPath } from "node:url";
import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { loadCentreFile } from "../../config/load.ts";
import { DEFAULT_TIME_ZONE, indexCentre } from "../../core/centre.ts";
import { decode } from "../../core/decode.ts";
import { isOpen, openingCalendar } from "../../core/openingHours.ts";
import { localClock, localDay } from "../../core/time.ts";
import { eventTopic } from "../../core/topic.ts";
import type { TicketTruth } from "../../firmware-sim/truth.ts";
import { centreSeed, simulateWeek, staffedPerHour, type TimelineAction, WEEK_LOAD } from "../../firmware-sim/week.ts";
import { configCentre, hallCentre } from "../fixtures/centres.ts";

const demo = configCentre("demo");
const lutsk = configCentre("lutsk");
const MONDAY = "2025-03-10";

const began = performance.now();
const week = simulateWeek(demo, { startDay: MONDAY, seed: 1 });
const tookMs = performance.now() - began;

const local = (at: number) => DateTime.fromMillis(at, { zone: demo.timeZone });
const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const issued = (actions: readonly TimelineAction[]) =>
	actions.filter((a) => a.kind === "queue" && a.data.event === "issued");

describe("a simulated week of the demo centre", () => {
	it("plays in well under 10 s", () => {
		console.log(
			`simulated week of ${demo.id}: ${tookMs.toFixed(0)} ms, ${week.tickets.length} tickets, ${week.actions.length} actions`,
		);
		expect(week.tickets.length).toBeGreaterThan(1500);
	});

	it("yields valid wire events in time order, within the week", () => {
		const index = indexCentre(demo);
		const [c] = week.centres;
		let last = c?.startMs ?? 0;
		for (const [i, a] of week.actions.entries()) {
			expect(a.centre).toBe(demo.id);
			expect(a.at).toBeGreaterThanOrEqual(last);
			last = a.at;
			const bytes = new TextEncoder().encode(JSON.stringify({ id: `e${i}`, ts: a.at, ...a.data }));
			const d = decode(eventTopic(a.centre, a.node, a.kind), bytes, { centre: () => index });
			if (!d.ok) expect.fail(`${JSON.stringify(a)}: ${JSON.stringify(d)}`);
		}
		expect(last).toBeLessThan(c?.endMs ?? 0);
		expect(c?.endMs ?? 0).toBe(DateTime.fromISO("2025-03-17", { zone: demo.timeZone }).toMillis());
	});

	it("issues tickets only while the centre is open, none on Sunday, and late on Tuesday", () => {
		const clock = localClock(demo.timeZone);
		const byWeekday = new Map<string, number>();
		for (const t of week.tickets) {
			const { weekday, minuteOfDay: minute } = clock.at(t.issuedAt);
			byWeekday.set(weekday, (byWeekday.get(weekday) ?? 0) + 1);
			const [open, close] = weekday === "tue" ? [9 * 60, 20 * 60] : [9 * 60, 16 * 60];
			// A visitor let in just before closing takes the ticket a few seconds later.
			expect(minute, `${t.day} ${t.ticket}`).toBeGreaterThanOrEqual(open);
			expect(minute, `${t.day} ${t.ticket}`).toBeLessThan(close + 2);
		}
		expect(byWeekday.get("sun")).toBeUndefined();
		const tuesdayEvening = week.tickets.filter((t) => {
			const l = local(t.issuedAt);
			return l.weekday === 2 && l.hour >= 16;
		});
		expect(tuesdayEvening.length).toBeGreaterThan(100);
		// Monday is the busiest full day; Saturday the quietest open one.
		const counts = ["mon", "wed", "thu", "fri", "sat"].map((d) => byWeekday.get(d) ?? 0);
		expect(Math.max(...counts)).toBe(counts[0]);
		expect(Math.min(...counts)).toBe(counts[4]);
	});

	it("has a morning peak and a quieter early afternoon", () => {
		const perHour = new Map<number, number>();
		for (const t of week.tickets) {
			const h = local(t.issuedAt).hour;
			perHour.set(h, (perHour.get(h) ?? 0) + 1);
		}
		const at = (h: number) => perHour.get(h) ?? 0;
		expect(at(10) + at(11)).toBeGreaterThan(1.25 * (at(13) + at(14)));
	});

	it("lets the crowd waiting at the door in at opening", () => {
		// The first minutes after opening see more visitors than any later minutes of the morning.
		const firstMinutes: number[] = [];
		const laterMinutes: number[] = [];
		for (const day of ["10", "11", "12", "13", "14", "15"]) {
			const opening = openingCalendar(demo).nextOpening(
				DateTime.fromISO(`2025-03-${day}T00:00`, { zone: demo.timeZone }).toMillis(),
			);
			const within = (from: number, to: number) =>
				week.tickets.filter(
					(t) => t.issuedAt >= (opening ?? 0) + from * 60_000 && t.issuedAt < (opening ?? 0) + to * 60_000,
				).length;
			firstMinutes.push(within(0, 4));
			laterMinutes.push(within(60, 64));
		}
		expect(mean(firstMinutes)).toBeGreaterThan(1.5 * mean(laterMinutes));
	});

	it("has ground truth that agrees with every action", () => {
		const key = (day: string, ticket: string) => `${day}/${ticket}`;
		const dayOf = (at: number) => local(at).toISODate() ?? "";
		const truth = new Map(week.tickets.map((t) => [key(t.day, t.ticket), t]));
		expect(truth.size).toBe(week.tickets.length);
		expect(issued(week.actions)).toHaveLength(week.tickets.length);

		// Which ticket each window is on, to find the visit a rating belongs to.
		const atWindow = new Map<string, TicketTruth>();
		const seen = new Map<string, Set<string>>();
		for (const a of week.actions) {
			if (a.kind === "rating") {
				const t = atWindow.get(a.node);
				expect(t?.ticket).toBe(a.data.ticket);
				expect(t?.rating).toBe(a.data.score);
				continue;
			}
			if (a.kind !== "queue") continue;
			// A ticket is called, served and rated on the day it was issued (the centre closes at night).
			const t = truth.get(key(dayOf(a.at), a.data.ticket));
			if (!t) expect.fail(`no truth for ${JSON.stringify(a)}`);
			const events = seen.get(key(t.day, t.ticket)) ?? new Set<string>();
			expect(events.has(a.data.event)).toBe(false);
			events.add(a.data.event);
			seen.set(key(t.day, t.ticket), events);
			expect(a.data.service).toBe(t.service);
			expect(a.data.priority).toBe(t.priority);
			if (a.data.event === "issued") expect(a.at).toBe(t.issuedAt);
			else expect(a.data.window).toBe(t.window);
			if (a.data.event === "called") {
				expect(a.at).toBe(t.calledAt);
				atWindow.set(a.node, t);
			}
			if (a.data.event === "started") expect(a.at).toBe(t.startedAt);
			if (a.data.event === "finished") expect(a.at).toBe(t.finishedAt);
		}
		for (const t of week.tickets) {
			const events = seen.get(key(t.day, t.ticket)) ?? new Set();
			expect(t.waitS).toBe(((t.calledAt ?? Number.NaN) - t.issuedAt) / 1000);
			expect(t.waitS).toBeGreaterThanOrEqual(0);
			if (t.outcome === "served") {
				expect([...events]).toEqual(["issued", "called", "started", "finished"]);
				expect(t.serviceS).toBe(((t.finishedAt ?? 0) - (t.startedAt ?? 0)) / 1000);
			} else {
				expect(t.outcome).toBe("no_show");
				expect([...events]).toEqual(["issued", "called", "no_show"]);
				expect(t.finishedAt).toBeUndefined();
				expect(t.rating).toBeUndefined();
			}
		}
		const s = week.centres[0]?.summary;
		expect(s?.tickets).toBe(week.tickets.length);
		expect((s?.served ?? 0) + (s?.noShows ?? 0)).toBe(week.tickets.length);
		expect(s?.open).toBe(0);
		expect(s?.ratings).toBe(week.actions.filter((a) => a.kind === "rating").length);
	});

	it("has about the configured shares of priority visitors, no-shows and ratings", () => {
		const share = (f: (t: TicketTruth) => boolean, of = week.tickets) => of.filter(f).length / of.length;
		expect(share((t) => t.priority !== undefined)).toBeGreaterThan(0.06);
		expect(share((t) => t.priority !== undefined)).toBeLessThan(0.1);
		expect(share((t) => t.outcome === "no_show")).toBeGreaterThan(0.025);
		expect(share((t) => t.outcome === "no_show")).toBeLessThan(0.06);
		const served = week.tickets.filter((t) => t.outcome === "served");
		expect(share((t) => t.rating !== undefined, served)).toBeGreaterThan(0.55);
		expect(share((t) => t.rating !== undefined, served)).toBeLessThan(0.65);
	});

	it("serves each service in about its mean time, log-normally spread", () => {
		for (const service of demo.services) {
			const minutes = week.tickets.flatMap((t) =>
				t.service === service.id && t.serviceS !== undefined ? [t.serviceS / 60] : [],
			);
			if (minutes.length < 100) continue;
			const m = mean(minutes);
			const expected = service.meanServiceMin ?? 8;
			expect(m, service.id).toBeGreaterThan(0.85 * expected);
			expect(m, service.id).toBeLessThan(1.15 * expected);
			// Skewed to the right: the median is below the mean.
			const sorted = [...minutes].sort((a, b) => a - b);
			expect(sorted[Math.floor(sorted.length / 2)], service.id).toBeLessThan(m);
		}
	});

	it("gets worse ratings after longer waits", () => {
		const rated = week.tickets.filter((t) => t.rating !== undefined && t.waitS !== undefined);
		const ratings = (f: (waitMin: number) => boolean) =>
			rated.filter((t) => f((t.waitS ?? 0) / 60)).map((t) => t.rating ?? 0);
		const short = ratings((w) => w <= 10);
		const long = ratings((w) => w > 30);
		expect(short.length).toBeGreaterThan(100);
		expect(long.length).toBeGreaterThan(100);
		expect(mean(short)).toBeGreaterThan(mean(long) + 1);
	});

	it("has door counters that miss 2–5 % of the people going in and out", () => {
		const total = (f: (d: (typeof week.doors)[number]) => number) => week.doors.reduce((s, d) => s + f(d), 0);
		const people = total((d) => d.in);
		expect(people).toBeGreaterThanOrEqual(week.tickets.length);
		expect(total((d) => d.out)).toBe(people);
		for (const [counted, real] of [
			[total((d) => d.countedIn), people],
			[total((d) => d.countedOut), total((d) => d.out)],
		] as const) {
			expect(1 - counted / real).toBeGreaterThan(0.02);
			expect(1 - counted / real).toBeLessThan(0.05);
		}
		// What the door node published is what the sensor counted.
		const published = { in: 0, out: 0 };
		for (const a of week.actions) {
			if (a.kind !== "occupancy") continue;
			published.in += a.data.in ?? 0;
			published.out += a.data.out ?? 0;
		}
		expect(published).toEqual({ in: total((d) => d.countedIn), out: total((d) => d.countedOut) });
	});

	it("is the same for the same seed and different for another", () => {
		expect(simulateWeek(demo, { startDay: MONDAY, seed: 1 })).toEqual(week);
		const other = simulateWeek(demo, { startDay: MONDAY, seed: 2 });
		expect(other.tickets.length).toBeGreaterThan(1500);
		expect(other.tickets).not.toEqual(week.tickets);
	});

	it("asks by default for a share of what the staffed windows can serve", () => {
		expect(week.centres[0]?.arrivalsPerHour).toBe(Math.round(WEEK_LOAD * staffedPerHour(demo)));
		expect(staffedPerHour(demo)).toBeGreaterThan(60);
		expect(staffedPerHour(demo)).toBeLessThan(90);
	});
});

describe("several centres in one run", () => {
	const both = simulateWeek([demo, lutsk], { startDay: MONDAY, days: 3, seed: 5 });

	it("interleaves their actions in time order and keeps each centre's week as it would be alone", () => {
		for (let i = 1; i < both.actions.length; i++)
			expect(both.actions[i]?.at).toBeGreaterThanOrEqual(both.actions[i - 1]?.at ?? 0);
		for (const c of [demo, lutsk]) {
			const alone = simulateWeek(c, { startDay: MONDAY, days: 3, seed: 5 });
			expect(both.actions.filter((a) => a.centre === c.id)).toEqual(alone.actions);
			expect(both.tickets.filter((t) => t.centre === c.id)).toEqual(alone.tickets);
		}
		expect(centreSeed(5, "demo")).not.toBe(centreSeed(5, "lutsk"));
	});

	it("follows each centre's own hours: Lutsk opens at 08:00", () => {
		const early = (c: string) =>
			both.tickets.filter((t) => t.centre === c && local(t.issuedAt).hour === 8 && local(t.issuedAt).weekday === 1);
		expect(early("lutsk").length).toBeGreaterThan(10);
		expect(early("demo")).toEqual([]);
	});

	it("runs the same centre layout under two ids as two different halls", () => {
		const twins = simulateWeek([hallCentre("twin-a"), hallCentre("twin-b")], { startDay: MONDAY, days: 1, seed: 3 });
		const a = twins.tickets.filter((t) => t.centre === "twin-a").map((t) => t.issuedAt);
		const b = twins.tickets.filter((t) => t.centre === "twin-b").map((t) => t.issuedAt);
		expect(a.length).toBeGreaterThan(100);
		expect(a).not.toEqual(b);
	});
});

describe("week options", () => {
	it.each([
		[{ startDay: "10.03.2025", seed: 1 }, /startDay must be a date/],
		[{ startDay: "2025-02-30", seed: 1 }, /startDay must be a date/],
		[{ startDay: MONDAY, seed: 1, days: 0 }, /days must be 1\.\.366/],
		[{ startDay: MONDAY, seed: 1.5 }, /seed must be a whole number/],
	])("rejects %j", (options, message) => {
		expect(() => simulateWeek(demo, options)).toThrow(message);
	});

	it("rejects a centre listed twice", () => {
		expect(() => simulateWeek([demo, demo], { startDay: MONDAY, seed: 1 })).toThrow(/listed twice/);
	});

	it("can run around the clock, leaving the tickets still waiting at the end open", () => {
		const r = simulateWeek(demo, {
			startDay: MONDAY,
			days: 1,
			seed: 4,
			hall: { followHours: false, arrivalsPerHour: 70 },
		});
		expect(r.tickets.some((t) => local(t.issuedAt).hour < 6)).toBe(true);
		const open = r.tickets.filter((t) => t.outcome === "open");
		expect(open.length).toBeGreaterThan(0);
		for (const t of open) expect(t.finishedAt).toBeUndefined();
		expect(r.centres[0]?.summary.open).toBe(open.length);
	});
});

describe("holidays in the centre file", () => {
	// Monday 24 August 2026 is closed (Independence Day), Friday the 28th closes at 12:00.
	const centre = loadCentreFile(fileURLToPath(new URL("../fixtures/config/holidays.yaml", import.meta.url)));
	const r = simulateWeek(centre, { startDay: "2026-08-24", seed: 3 });
	const dayOf = (at: number) => localDay(at, centre.timeZone);

	it("has the centre closed on the holiday: no visitor, no ticket, no event all day", () => {
		expect(centre.timeZone).toBe(DEFAULT_TIME_ZONE);
		expect(r.actions.filter((a) => dayOf(a.at) === "2026-08-24")).toEqual([]);
		expect(r.tickets.filter((t) => t.day === "2026-08-24")).toEqual([]);
		expect(r.tickets.filter((t) => t.day === "2026-08-25").length).toBeGreaterThan(50);
	});

	it("issues tickets only while the hub says the centre is open, the shortened day included", () => {
		const clock = localClock(centre.timeZone);
		const friday = r.tickets.filter((t) => t.day === "2026-08-28");
		expect(friday.length).toBeGreaterThan(20);
		// A visitor let in just before closing takes the ticket a few seconds later.
		for (const t of friday) expect(clock.at(t.issuedAt).minuteOfDay, t.ticket).toBeLessThan(12 * 60 + 2);
		for (const t of r.tickets) expect(isOpen(centre, t.issuedAt - 2 * 60_000) || isOpen(centre, t.issuedAt)).toBe(true);
	});
});
