import { describe, expect, it } from "vitest";
import type { Centre } from "../../core/centre.ts";
import { type QueueRecord, queueRecord, serviceLevels } from "../../core/serviceLevels.ts";

const centre: Pick<Centre, "timeZone" | "services"> = {
	timeZone: "Europe/Kyiv",
	services: [
		{ id: "passport", name: { uk: "П", en: "P" }, prefix: "A", targetWaitMin: 20 },
		{ id: "social", name: { uk: "С", en: "S" }, prefix: "C", targetWaitMin: 15 },
	],
};
/** Local Kyiv time on Monday 2026-11-23 (UTC+2). */
const at = (hhmm: string) => Date.parse(`2026-11-23T${hhmm}:00+02:00`);
const rec = (
	ts: number,
	event: QueueRecord["event"],
	ticket: string,
	service = "passport",
	more: Partial<QueueRecord> = {},
): QueueRecord => ({ ts, event, ticket, service, ...(event === "issued" ? {} : { window: "w01" }), ...more });

const day: QueueRecord[] = [
	rec(at("10:00"), "issued", "A001"),
	rec(at("10:01"), "issued", "A002"),
	rec(at("10:02"), "issued", "A003"),
	rec(at("10:03"), "issued", "A004"),
	rec(at("10:04"), "issued", "A005"),
	rec(at("10:00"), "issued", "C001", "social"),
	rec(at("10:05"), "called", "A001"),
	rec(at("10:06"), "started", "A001"),
	rec(at("10:16"), "finished", "A001"),
	rec(at("10:10"), "cancelled", "A005"),
	rec(at("10:10"), "called", "C001", "social"),
	rec(at("10:20"), "finished", "C001", "social"),
	// Values stored by ingest win over what the events alone would give.
	rec(at("10:20"), "called", "A003", "passport", { wait_s: 1080 }),
	rec(at("10:25"), "finished", "A003", "passport", { service_s: 300 }),
	rec(at("10:31"), "called", "A002"),
	rec(at("10:31"), "started", "A002"),
	// Called again: the wait was counted at the first call.
	rec(at("10:33"), "called", "A002"),
	rec(at("10:39"), "finished", "A002"),
	rec(at("10:40"), "called", "A004"),
	rec(at("10:43"), "no_show", "A004"),
];

describe("serviceLevels", () => {
	const rows = serviceLevels(day, centre);

	it("gives one row per service and day, and one for all services", () => {
		expect(rows.map((r) => [r.day, r.service])).toEqual([
			["2026-11-23", "*"],
			["2026-11-23", "passport"],
			["2026-11-23", "social"],
		]);
	});

	it("counts tickets, the share within target, no-shows, waits and service times", () => {
		expect(rows[1]).toEqual({
			day: "2026-11-23",
			service: "passport",
			targetWaitMin: 20,
			issued: 5,
			called: 4,
			served: 3,
			noShows: 1,
			cancelled: 1,
			transferred: 0,
			// waits 5, 18, 30, 37 min
			withinTarget: 0.5,
			waitKnown: 4,
			withinTargetCount: 2,
			noShowShare: 0.25,
			wait: { meanS: 1350, p90S: 2094 },
			// service times 10 min (from start), 5 min (stored), 8 min
			serviceTime: { meanS: 460, p90S: 576 },
		});
	});

	it("sums all services with each ticket's own target", () => {
		expect(rows[0]).toMatchObject({
			issued: 6,
			called: 5,
			served: 4,
			noShows: 1,
			withinTarget: 0.6,
			waitKnown: 5,
			withinTargetCount: 3,
			noShowShare: 0.2,
		});
		expect(rows[2]).toMatchObject({ called: 1, withinTarget: 1, wait: { meanS: 600, p90S: 600 } });
	});

	it.each([
		{
			// 23:50 Saturday → 00:10 Sunday in Kyiv; both still 28 March in UTC.
			name: "the spring change night",
			issued: "2026-03-28T23:50:00+02:00",
			called: "2026-03-29T00:10:00+02:00",
			day: "2026-03-29",
		},
		{
			// 00:30 summer time on the autumn change day is 21:30 UTC the day before.
			name: "the autumn change night",
			issued: "2026-10-24T23:40:00+03:00",
			called: "2026-10-25T00:30:00+03:00",
			day: "2026-10-25",
		},
	])("puts a wait on the local day of the call: $name", ({ issued, called, day }) => {
		const rows = serviceLevels(
			[rec(Date.parse(issued), "issued", "A001"), rec(Date.parse(called), "called", "A001")],
			centre,
		);
		const passport = rows.filter((r) => r.service === "passport");
		expect(passport.map((r) => [r.day, r.called])).toEqual([
			[issued.slice(0, 10), 0],
			[day, 1],
		]);
		expect(passport[1]?.wait.meanS).toBe((Date.parse(called) - Date.parse(issued)) / 1000);
	});

	it("keeps days apart when ticket numbers start again", () => {
		const next = (hhmm: string) => at(hhmm) + 86_400_000;
		const rows = serviceLevels(
			[
				rec(at("10:00"), "issued", "A001"),
				rec(at("10:10"), "called", "A001"),
				rec(next("10:00"), "issued", "A001"),
				rec(next("10:02"), "called", "A001"),
			],
			centre,
		).filter((r) => r.service === "passport");
		expect(rows.map((r) => [r.day, r.wait.meanS])).toEqual([
			["2026-11-23", 600],
			["2026-11-24", 120],
		]);
	});

	it("has no figures where nothing was measured", () => {
		const rows = serviceLevels([rec(at("10:00"), "issued", "A001")], centre);
		expect(rows[1]).toMatchObject({
			withinTarget: null,
			noShowShare: null,
			wait: { meanS: null, p90S: null },
			serviceTime: { meanS: null, p90S: null },
		});
	});

	it("reads stored events", () => {
		expect(
			queueRecord(
				5,
				{ id: "x", ts: 5, event: "called", ticket: "A1", service: "passport", window: "w01", priority: "idp" },
				{ wait_s: 12 },
			),
		).toEqual({
			id: "x",
			ts: 5,
			event: "called",
			ticket: "A1",
			service: "passport",
			window: "w01",
			priority: "idp",
			wait_s: 12,
		});
	});
});
