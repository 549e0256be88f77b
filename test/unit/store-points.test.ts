/** Events → points of DESIGN.md's time-series layout, and back. */
import { describe, expect, it } from "vitest";
import { isWireEvent } from "../../core/contract.ts";
import { fromPoint, idOffsetNs, LAYOUT, pointTimeNs, toPoint } from "../../store/points.ts";
import { percentile, summarize } from "../../store/series.ts";
import { MIRROR_COLUMNS } from "../../store/sqliteSchema.ts";
import type { StoredEvent } from "../../store/types.ts";

const TS = 1_793_606_400_000;
const base = { centre: "kyiv-1", node: "w1", ts: TS, rxTs: TS + 5 };
const ev = (
	kind: StoredEvent["kind"],
	data: Record<string, unknown>,
	more: Partial<StoredEvent> = {},
): StoredEvent => ({
	...base,
	id: "01J0000000000000000000000A",
	kind,
	data: { id: "01J0000000000000000000000A", ts: TS, ...data },
	...more,
});

/** What a backend reads back: tags and fields by name (absent ones null), time in ms. */
function readBack(e: StoredEvent): StoredEvent {
	const p = toPoint(e);
	const row: Record<string, unknown> = {};
	for (const t of LAYOUT[p.measurement].tags) row[t] = p.tags[t] ?? null;
	for (const f of Object.keys(LAYOUT[p.measurement].fields)) row[f] = p.fields[f] ?? null;
	return fromPoint(p.measurement, row, Number(BigInt(p.timeNs) / 1_000_000n));
}

describe("toPoint", () => {
	it.each([
		[
			"rating with attributed window and service",
			ev("rating", { score: 4, scale: 5, ticket: "A017", window: "w1", service: "passport" }),
			{
				measurement: "rating",
				tags: { centre: "kyiv-1", window: "w1", service: "passport" },
				fields: { score: 4, scale: 5, ticket: "A017" },
			},
		],
		[
			"rating without attribution: tags omitted",
			ev("rating", { score: 2 }),
			{ measurement: "rating", tags: { centre: "kyiv-1" }, fields: { score: 2 } },
		],
		[
			"extra press: not a rating score",
			ev("rating", { score: 1, extra: true }),
			{ measurement: "rating", tags: { centre: "kyiv-1" }, fields: { extra_score: 1, extra: true } },
		],
		[
			"queue called with wait_s",
			ev(
				"queue",
				{ event: "called", ticket: "B2", service: "pension", window: "w3", priority: "idp" },
				{ derived: { wait_s: 61.5 } },
			),
			{
				measurement: "queue",
				tags: { centre: "kyiv-1", service: "pension", event: "called", window: "w3", priority: "idp" },
				fields: { wait_s: 61.5, ticket: "B2" },
			},
		],
		[
			"queue finished with service_s",
			ev(
				"queue",
				{ event: "finished", ticket: "B2", service: "pension", window: "w3" },
				{ derived: { service_s: 300 } },
			),
			{
				measurement: "queue",
				tags: { centre: "kyiv-1", service: "pension", event: "finished", window: "w3" },
				fields: { service_s: 300, ticket: "B2" },
			},
		],
		[
			"occupancy in/out with the derived count",
			ev("occupancy", { zone: "hall", in: 2, out: 1 }, { derived: { count: 14 } }),
			{ measurement: "occupancy", tags: { centre: "kyiv-1", zone: "hall" }, fields: { count: 14, in: 2, out: 1 } },
		],
		[
			"occupancy count without derived",
			ev("occupancy", { zone: "hall", count: 9 }),
			{ measurement: "occupancy", tags: { centre: "kyiv-1", zone: "hall" }, fields: { count: 9 } },
		],
		[
			"status → node_status with the node as a tag",
			ev("status", { online: true, buffered: 3, uptimeS: 10.5, cpuTempC: 47, version: "1.2.0" }),
			{
				measurement: "node_status",
				tags: { centre: "kyiv-1", node: "w1" },
				fields: { online: true, buffered: 3, uptime_s: 10.5, cpu_temp_c: 47, version: "1.2.0" },
			},
		],
		[
			"status with what the edge adds: the rest",
			ev("status", { online: true, role: "window", paused: false, ticket: null, refused: { bad_command: 2 } }),
			{
				measurement: "node_status",
				tags: { centre: "kyiv-1", node: "w1" },
				fields: {
					online: true,
					rest: JSON.stringify({ role: "window", paused: false, ticket: null, refused: { bad_command: 2 } }),
				},
			},
		],
	])("%s", (_name, e, want) => {
		const p = toPoint(e);
		const { id, node, rx_ts, ...fields } = p.fields;
		expect({ measurement: p.measurement, tags: p.tags, fields }).toEqual(want);
		expect(id).toBe(e.id);
		expect(rx_ts).toBe(e.rxTs);
		expect(node).toBe(p.measurement === "node_status" ? undefined : "w1");
		expect(readBack(e)).toEqual(e.kind === "occupancy" && !e.derived ? { ...e, derived: { count: e.data.count } } : e);
		// What the hub reads back from InfluxDB passes the contract, as it did when it was stored.
		expect(isWireEvent(readBack(e))).toBe(true);
	});

	it("keeps unknown keys and values of the wrong type in `rest`", () => {
		const e = ev("queue", { event: "issued", ticket: "A1", service: "passport", window: 7, note: { x: [1] } });
		const p = toPoint(e);
		expect(p.tags).not.toHaveProperty("window");
		expect(JSON.parse(String(p.fields.rest))).toEqual({ window: 7, note: { x: [1] } });
		expect(readBack(e)).toEqual(e);
	});

	it("escapes nothing itself: tag values are passed as they are to the client", () => {
		expect(toPoint(ev("occupancy", { zone: "hall a,b=c", count: 1 })).tags.zone).toBe("hall a,b=c");
	});
});

describe("point time", () => {
	it("is ts·1e6 + a stable offset below 1e6 from the id", () => {
		const ids = Array.from({ length: 2000 }, (_, i) => `01J${i.toString(36).padStart(23, "0")}`);
		for (const id of ids) {
			const o = idOffsetNs(id);
			expect(o).toBeGreaterThanOrEqual(0);
			expect(o).toBeLessThan(1_000_000);
			expect(idOffsetNs(id)).toBe(o);
			expect(pointTimeNs(TS, id)).toBe((BigInt(TS) * 1_000_000n + BigInt(o)).toString());
		}
		// different ids in one millisecond land on different nanoseconds (birthday bound ≈ n²/2e6)
		expect(new Set(ids.map(idOffsetNs)).size).toBeGreaterThan(1990);
	});

	it("truncates back to the millisecond", () => {
		expect(BigInt(pointTimeNs(TS + 999, "zzzz")) / 1_000_000n).toBe(BigInt(TS + 999));
	});
});

describe("layout", () => {
	it("has DESIGN.md's tags and fields", () => {
		// DESIGN.md's three, then how the rating was given (button | qr).
		expect(LAYOUT.rating.tags).toEqual(["centre", "window", "service", "source"]);
		expect(LAYOUT.queue.tags).toEqual(["centre", "service", "event", "window", "priority"]);
		expect(LAYOUT.occupancy.tags).toEqual(["centre", "zone"]);
		expect(LAYOUT.node_status.tags).toEqual(["centre", "node"]);
		expect(Object.keys(LAYOUT.rating.fields)).toEqual(expect.arrayContaining(["score", "scale"]));
		expect(Object.keys(LAYOUT.queue.fields)).toEqual(expect.arrayContaining(["wait_s", "service_s", "ticket"]));
		expect(Object.keys(LAYOUT.occupancy.fields)).toEqual(expect.arrayContaining(["count"]));
		expect(Object.keys(LAYOUT.node_status.fields)).toEqual(
			expect.arrayContaining(["online", "buffered", "uptime_s", "cpu_temp_c"]),
		);
	});

	it("is mirrored by the SQLite tables (every tag and queryable field has a column)", () => {
		for (const [table, cols] of Object.entries(MIRROR_COLUMNS)) {
			const layout = LAYOUT[table as keyof typeof MIRROR_COLUMNS];
			const want = [...layout.tags.filter((t) => t !== "centre"), ...Object.keys(layout.fields)].filter(
				(k) => !["id", "rx_ts", "rest"].includes(k),
			);
			expect([...cols].sort()).toEqual([...new Set(want)].sort());
		}
	});
});

describe("bucket statistics", () => {
	it.each([
		[[7], 7, 7],
		[[1, 2], 1, 2],
		[[3, 1, 2], 2, 3],
		[[1, 2, 3, 4], 2, 4],
		[[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5, 9],
	])("nearest rank of %j: p50 %d, p90 %d (as InfluxQL PERCENTILE)", (values, p50, p90) => {
		const sorted = [...values].sort((a, b) => a - b);
		expect([percentile(sorted, 50), percentile(sorted, 90)]).toEqual([p50, p90]);
	});

	it("summarizes a bucket", () => {
		expect(summarize(0, [4, 1, 3], "w1")).toEqual({
			t: 0,
			group: "w1",
			count: 3,
			mean: 8 / 3,
			min: 1,
			max: 4,
			p50: 3,
			p90: 4,
		});
		expect(percentile([], 50)).toBeNull();
	});
});
