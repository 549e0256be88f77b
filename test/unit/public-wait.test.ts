/** core/publicWait.ts, core/ticketStatus.ts and core/qrRating.ts: what residents are told, as tables of cases. */
import { describe, expect, it } from "vitest";
import type { BestTimeCell } from "../../core/bestTimes.ts";
import { indexCentre } from "../../core/centre.ts";
import type { WireEvent } from "../../core/contract.ts";
import { apply, emptyLive, type LiveState } from "../../core/live.ts";
import { hallLabel, openingWeek, publicEstimate, restOfDay } from "../../core/publicWait.ts";
import { admit, judge, QR_RATING } from "../../core/qrRating.ts";
import { normalizeTicket, ticketStatus } from "../../core/ticketStatus.ts";
import { wireEvent } from "../fixtures/events.ts";
import { demoCentre } from "../fixtures/hub.ts";

const centre = demoCentre();
const index = indexCentre(centre);
// Wednesday 2026-11-25 10:00 in Kyiv (UTC+2).
const T0 = Date.UTC(2026, 10, 25, 8, 0, 0);
const MIN = 60_000;

describe("publicEstimate", () => {
	const est = (minutes: number, low: number, high: number) => ({ estimate: { minutes, low, high } });
	it.each([
		["whole minutes, the range outwards", est(12.4, 7.6, 18.1), true, { estimate: { minutes: 12, low: 7, high: 19 } }],
		[
			"a low end above the median is brought down to it",
			est(3.2, 3.4, 4),
			true,
			{ estimate: { minutes: 3, low: 3, high: 4 } },
		],
		["a closed centre has no estimate, never 0", est(0, 0, 0), false, { estimate: null, noEstimate: "closed" }],
		[
			"closed wins over another reason",
			{ estimate: null, noEstimate: "no_window_open" as const },
			false,
			{ estimate: null, noEstimate: "closed" },
		],
		[
			"the reason of no estimate is kept",
			{ estimate: null, noEstimate: "no_window_open" as const },
			true,
			{ estimate: null, noEstimate: "no_window_open" },
		],
		["no estimate and no reason: not enough data", {}, true, { estimate: null, noEstimate: "no_service_times" }],
	])("%s", (_what, service, open, expected) => {
		expect(publicEstimate(service, open)).toEqual(expected);
	});
});

describe("hallLabel", () => {
	it.each([
		[0, "quiet"],
		[0.34, "quiet"],
		[0.35, "usual"],
		[0.74, "usual"],
		[0.75, "busy"],
		[1.4, "busy"],
		[Number.NaN, "quiet"],
	])("%s of the capacity is %s", (share, label) => {
		expect(hallLabel(share)).toBe(label);
	});
});

describe("restOfDay", () => {
	const cell = (weekday: BestTimeCell["weekday"], hour: number, label: BestTimeCell["label"]): BestTimeCell => ({
		weekday,
		hour,
		label,
		waitMin: 5,
		load: null,
		loadShare: null,
		days: 3,
	});
	it("keeps the weekday's hours from the one under way on", () => {
		const cells = [cell("wed", 9, "busy"), cell("wed", 10, "usual"), cell("wed", 11, "quiet"), cell("thu", 11, "busy")];
		expect(restOfDay(cells, "wed", 10)).toEqual([
			{ hour: 10, label: "usual", waitMin: 5 },
			{ hour: 11, label: "quiet", waitMin: 5 },
		]);
		expect(restOfDay(cells, "wed", 16)).toEqual([]);
	});
});

describe("openingWeek", () => {
	it("gives today and the six days after, holidays applied", () => {
		const c = { ...centre, holidays: [{ date: "2026-11-27", hours: [], name: { uk: "Свято", en: "Holiday" } }] };
		const week = openingWeek(c, T0);
		expect(week.map((d) => [d.date, d.weekday, d.hours.join(","), d.holiday?.name?.en ?? null])).toEqual([
			["2026-11-25", "wed", "09:00-16:00", null],
			["2026-11-26", "thu", "09:00-16:00", null],
			["2026-11-27", "fri", "", "Holiday"],
			["2026-11-28", "sat", "09:00-16:00", null],
			["2026-11-29", "sun", "", null],
			["2026-11-30", "mon", "09:00-16:00", null],
			["2026-12-01", "tue", "09:00-20:00", null],
		]);
	});
});

describe("ticketStatus", () => {
	let n = 0;
	const ev = (kind: WireEvent["kind"], node: string, data: Record<string, unknown>, ts: number) =>
		wireEvent(kind, "demo", node, { id: `t${++n}`, ts, ...data });
	const issued = (ticket: string, service: string, ts: number, priority?: string) =>
		ev("queue", "terminal-1", { event: "issued", ticket, service, ...(priority ? { priority } : {}) }, ts);
	const at = (event: string, ticket: string, window: string, ts: number) =>
		ev("queue", `win-${window.slice(1)}`, { event, ticket, service: "passports", window }, ts);
	const fold = (events: WireEvent[]): LiveState => events.reduce((s, e) => apply(s, e, index), emptyLive(index));

	const s = fold([
		issued("A001", "passports", T0),
		issued("A002", "passports", T0 + MIN),
		issued("B001", "residence", T0 + MIN),
		issued("A003", "passports", T0 + 2 * MIN),
		issued("A004", "passports", T0 + 3 * MIN, "idp"),
		at("called", "A001", "w01", T0 + 4 * MIN),
	]);

	it.each([
		[
			"a waiting ticket: the priority one and the older ones of its service are ahead",
			"A003",
			{ stage: "waiting", ahead: 2 },
		],
		["a priority ticket goes first", "A004", { stage: "waiting", ahead: 0 }],
		["another service's queue does not count", "B001", { stage: "waiting", ahead: 0 }],
		["called, with its window", "A001", { stage: "called", window: "w01", since: T0 + 4 * MIN }],
	])("%s", (_what, ticket, expected) => {
		expect(ticketStatus(s, ticket)).toMatchObject(expected);
	});

	it("follows the course to served, no-show and cancelled, and knows nothing of tickets not issued today", () => {
		const later = fold([
			issued("A001", "passports", T0),
			issued("A002", "passports", T0),
			issued("A003", "passports", T0),
			at("called", "A001", "w01", T0 + MIN),
			at("started", "A001", "w01", T0 + 2 * MIN),
			at("finished", "A001", "w01", T0 + 9 * MIN),
			at("called", "A002", "w02", T0 + MIN),
			at("no_show", "A002", "w02", T0 + 4 * MIN),
			ev("queue", "terminal-1", { event: "cancelled", ticket: "A003", service: "passports" }, T0 + MIN),
			at("started", "Z001", "w03", T0 + MIN),
		]);
		expect(ticketStatus(later, "A001")).toMatchObject({ stage: "served", window: "w01" });
		expect(ticketStatus(later, "A002")).toMatchObject({ stage: "no_show", window: "w02" });
		expect(ticketStatus(later, "A003")).toMatchObject({ stage: "cancelled" });
		// Acted on at a window but never issued: not a ticket anyone holds.
		expect(ticketStatus(later, "Z001")).toBeUndefined();
		expect(ticketStatus(later, "A999")).toBeUndefined();
	});
});

describe("normalizeTicket", () => {
	it.each([
		["A017", "A017"],
		[" a017 ", "A017"],
		["А017", "A017"], // Cyrillic А
		["К 12", "K12"],
		["A0<17", undefined],
		["", undefined],
		["ABCDEFGHIJKLMNOPQ", undefined],
	])("%j → %j", (text, ticket) => {
		expect(normalizeTicket(text)).toBe(ticket);
	});
});

describe("QR rating policy", () => {
	it("admits up to the burst, refuses without taking and says when to come back", () => {
		const rate = { perSecond: 1 / 60, burst: 2 };
		let b = admit(undefined, 0, rate);
		expect(b.ok).toBe(true);
		b = admit(b.bucket, 0, rate);
		expect(b.ok).toBe(true);
		const refused = admit(b.bucket, 1_000, rate);
		expect(refused).toMatchObject({ ok: false, retryAfterMs: 59_000 });
		// A refusal took nothing: a minute after the last token was taken there is one again.
		expect(admit(refused.bucket, 60_000, rate).ok).toBe(true);
	});

	it.each([
		["a first rating counts", { lastCountedAt: undefined, ticket: "A001", rated: new Set<string>() }, 0, "count"],
		[
			"within the lockout after the window's last rating: extra",
			{ lastCountedAt: 0, ticket: undefined, rated: new Set<string>() },
			9_999,
			"extra",
		],
		["after the lockout: counts", { lastCountedAt: 0, ticket: undefined, rated: new Set<string>() }, 10_000, "count"],
		[
			"a visit already rated (by its button): extra",
			{ lastCountedAt: 0, ticket: "A001", rated: new Set(["A001"]) },
			60_000,
			"extra",
		],
	])("%s", (_what, facts, now, expected) => {
		expect(judge(facts, now, QR_RATING)).toBe(expected);
	});
});
