import { describe, expect, it } from "vitest";
import { type Centre, indexCentre } from "../../core/centre.ts";
import type { WireEvent } from "../../core/contract.ts";
import { derive } from "../../core/derive.ts";
import { apply, emptyLive, type LiveState } from "../../core/live.ts";
import {
	administratorsOf,
	figures,
	npsClass,
	qualityReport,
	type RatingRecord,
	ratingRecord,
} from "../../core/quality.ts";
import { wireEvent } from "../fixtures/events.ts";

const KYIV = "Europe/Kyiv";
// Monday 2026-11-23 10:00 Europe/Kyiv.
const T0 = Date.UTC(2026, 10, 23, 8, 0);
const MIN = 60_000;
const r = (score: number, more: Partial<RatingRecord> = {}): RatingRecord => ({ ts: T0, score, ...more });
const scores = (list: number[]) => list.map((s) => r(s));

describe("figures", () => {
	it.each([
		{
			name: "a mixed handful on the 5-point scale",
			records: scores([5, 5, 4, 3, 1]),
			scale: 5,
			want: { count: 5, mean: 3.6, csat: 0.6, nps: 0, distribution: [1, 0, 1, 1, 2], extra: 0, meaningful: false },
		},
		{
			name: "ten top scores: meaningful",
			records: scores(new Array(10).fill(5)),
			scale: 5,
			want: { count: 10, mean: 5, csat: 1, nps: 100, meaningful: true },
		},
		{
			name: "10-point scale: 10 promotes, 9 and 7 are passive, 6 and below detract",
			records: scores([10, 9, 7, 6, 1]),
			scale: 10,
			want: { count: 5, csat: 0.4, nps: -20 },
		},
		{
			name: "3-point scale: top two are 2 and 3; only 3 promotes",
			records: scores([3, 2, 1]),
			scale: 3,
			want: { count: 3, mean: 2, csat: 0.667, nps: -33.3 },
		},
		{
			name: "extra presses are counted apart, not as ratings",
			records: [r(5), r(1, { extra: true }), r(1, { extra: true })],
			scale: 5,
			want: { count: 1, mean: 5, extra: 2, distribution: [0, 0, 0, 0, 1] },
		},
		{
			name: "nothing yet",
			records: [],
			scale: 5,
			want: { count: 0, mean: null, csat: null, nps: null, meaningful: false, distribution: [0, 0, 0, 0, 0] },
		},
		{
			name: "a score outside the scale is left out",
			records: scores([4, 7]),
			scale: 5,
			want: { count: 1, mean: 4 },
		},
	])("$name", ({ records, scale, want }) => {
		expect(figures(records, scale)).toMatchObject(want);
	});

	it("takes the minimum sample size as an argument", () => {
		expect(figures(scores([5, 4, 3]), 5, 3).meaningful).toBe(true);
		expect(figures(scores([5, 4]), 5, 3).meaningful).toBe(false);
	});

	it.each([
		[5, 5, 1],
		[4, 5, 0],
		[3, 5, -1],
		[1, 5, -1],
		[10, 10, 1],
		[8, 10, 0],
		[6, 10, -1],
	])("score %i of %i is NPS class %i", (score, scale, want) => {
		expect(npsClass(score, scale)).toBe(want);
	});
});

describe("qualityReport", () => {
	const records: RatingRecord[] = [
		r(5, { window: "w01", service: "passport", ticket: "A001" }),
		r(4, { window: "w01", service: "passport", ticket: "A002" }),
		r(2, { window: "w02", service: "social", ticket: "C001" }),
		r(1, { window: "w02", extra: true }),
		r(3, { window: "w02" }),
		// 00:30 on Tuesday in Kyiv, still Monday in UTC.
		r(5, { ts: Date.UTC(2026, 10, 23, 22, 30), window: "w01", service: "passport", ticket: "A001" }),
		r(4, {}),
		r(2, { window: "w02", service: "social", ticket: "C002", source: "qr" }),
	];
	const report = qualityReport(records, {
		scale: 5,
		timeZone: KYIV,
		minSample: 2,
		administratorOf: administratorsOf({ administrators: [{ id: "adm-7", windows: ["w01"] }] }),
	});

	it("groups by window, service, administrator and local day", () => {
		expect(Object.keys(report.byWindow)).toEqual(["w01", "w02"]);
		expect(report.byWindow.w01).toMatchObject({ count: 3, mean: 4.67, meaningful: true });
		expect(report.byWindow.w02).toMatchObject({ count: 3, mean: 2.33, extra: 1 });
		expect(report.byService.passport).toMatchObject({ count: 3 });
		expect(report.byService.social).toMatchObject({ count: 2, mean: 2 });
		expect(report.byAdministrator).toEqual({ "adm-7": report.byWindow.w01 });
		expect(report.byDay["2026-11-23"]).toMatchObject({ count: 6, extra: 1 });
		expect(report.byDay["2026-11-24"]).toMatchObject({ count: 1 });
		expect(report.all).toMatchObject({ count: 7, extra: 1 });
	});

	it("tells the buttons' ratings from the QR page's (a rating without a source is a button's)", () => {
		expect(Object.keys(report.bySource)).toEqual(["button", "qr"]);
		expect(report.bySource.button).toMatchObject({ count: 6, extra: 1 });
		expect(report.bySource.qr).toMatchObject({ count: 1, mean: 2 });
		expect(ratingRecord(T0, { score: 3, source: "qr" }).source).toBe("qr");
		expect(ratingRecord(T0, { score: 3, source: "button" }).source).toBeUndefined();
	});

	it("counts ratings it cannot attribute, and not the extra presses among them", () => {
		expect(report.unattributed).toEqual({ window: 1, service: 2, administrator: 4 });
	});
});

describe("a rating attributed at ingest, and one with no ticket to attribute", () => {
	const centre: Centre = {
		id: "t",
		name: { uk: "Т", en: "T" },
		timeZone: KYIV,
		ratingScale: 5,
		hours: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] },
		priorityCategories: [],
		services: [{ id: "passport", name: { uk: "П", en: "P" }, prefix: "A", targetWaitMin: 20 }],
		windows: [
			{ id: "w01", services: ["passport"], priority: false },
			{ id: "w02", services: ["passport"], priority: false },
		],
		zones: [],
		nodes: [
			{ id: "win-01", role: "window", window: "w01" },
			{ id: "win-02", role: "window", window: "w02" },
		],
	};
	const index = indexCentre(centre);
	let n = 0;
	const ev = (kind: WireEvent["kind"], node: string, data: Record<string, unknown>, ts: number) =>
		wireEvent(kind, "t", node, { id: `e${++n}`, ts, ...data });
	const events = [
		ev("queue", "terminal", { event: "issued", ticket: "A001", service: "passport" }, T0),
		ev("queue", "win-01", { event: "called", ticket: "A001", service: "passport", window: "w01" }, T0 + MIN),
		ev("queue", "win-01", { event: "finished", ticket: "A001", service: "passport", window: "w01" }, T0 + 9 * MIN),
		ev("rating", "win-01", { score: 5 }, T0 + 9.1 * MIN),
		// Nobody was served at w02 today: nothing to attribute but the window.
		ev("rating", "win-02", { score: 2 }, T0 + 10 * MIN),
		// Long after the last visitor at w01: the window only.
		ev("rating", "win-01", { score: 1 }, T0 + 60 * MIN),
	];
	const records: RatingRecord[] = [];
	events.reduce((s: LiveState, e) => {
		if (e.kind === "rating") {
			const d = derive(s, e, index);
			records.push(ratingRecord(e.data.ts, { ...e.data, ...d.rating }));
		}
		return apply(s, e, index);
	}, emptyLive(index));

	it("attributes only the rating given just after a visit", () => {
		expect(records.map((x) => [x.window, x.service, x.ticket])).toEqual([
			["w01", "passport", "A001"],
			["w02", undefined, undefined],
			["w01", undefined, undefined],
		]);
		const report = qualityReport(records, { scale: 5, timeZone: KYIV });
		expect(report.byService).toEqual({ passport: expect.objectContaining({ count: 1, mean: 5 }) });
		expect(report.byWindow.w02).toMatchObject({ count: 1, mean: 2 });
		expect(report.unattributed).toEqual({ window: 0, service: 2, administrator: 0 });
	});
});
