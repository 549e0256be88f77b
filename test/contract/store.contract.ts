/**
 * The contract every EventStore backend passes (as aedes-persistence's abstract.js): round trip
 * with derived values, exactly-once by id (also across close/reopen), events of one node in the
 * same millisecond kept apart, query() with known answers incl. Europe/Kyiv DST days, and data
 * readable by the backend's own client under DESIGN.md's measurement and tag names.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { idOffsetNs } from "../../store/points.ts";
import type { EventStore, SeriesRow, StoredEvent } from "../../store/types.ts";

export interface StoreHarness {
	/** A new store object on the same storage (a second open = a restarted hub). */
	open(): Promise<EventStore>;
	/** Rows of a measurement for one centre, read by the backend's own client (sqlite3 / influx CLI). */
	native(measurement: string, centre: string, columns: string[]): Promise<Record<string, unknown>[]>;
	/** The tag keys (InfluxDB) or columns (SQLite) of a measurement, as the backend's own client lists them. */
	nativeKeys(measurement: string): Promise<string[]>;
	dispose(): Promise<void>;
}

const Z = "Europe/Kyiv";
/** 2026-11-02 08:00 UTC = 10:00 in Kyiv (EET), on the hour. */
const T0 = Date.UTC(2026, 10, 2, 8);
const MIN = 60_000;

let seq = 0;
const run = Math.random().toString(36).slice(2, 8);
const newCentre = () => `c-${run}-${++seq}`;
const newId = (n: string) => `${run}-${n}-${++seq}`;

function ev(
	centre: string,
	kind: StoredEvent["kind"],
	ts: number,
	data: Record<string, unknown>,
	extra: Partial<StoredEvent> = {},
) {
	const id = (extra.id as string) ?? newId(kind);
	const e: StoredEvent = { id, centre, node: "w1-node", kind, ts, rxTs: ts + 40, data: { id, ts, ...data }, ...extra };
	return e;
}

const rating = (centre: string, ts: number, score: number, window: string, service: string, more = {}) =>
	ev(centre, "rating", ts, { score, window, service, scale: 5, ...more });

export function storeContract(name: string, make: () => Promise<StoreHarness>) {
	describe(`EventStore contract: ${name}`, () => {
		let h: StoreHarness;
		let store: EventStore;

		beforeAll(async () => {
			h = await make();
			store = await h.open();
			await store.init();
		});
		afterAll(async () => {
			await store?.close();
			await h?.dispose();
		});

		it("answers ping and init is idempotent", async () => {
			expect(await store.ping()).toBe(true);
			await store.init();
			expect(await store.ping()).toBe(true);
		});

		it("reads back every kind with derived values, in time order, fromTs <= ts < toTs", async () => {
			const c = newCentre();
			const events = [
				ev(
					c,
					"queue",
					T0 + 5 * MIN,
					{ event: "called", ticket: "A017", service: "passport", window: "w1" },
					{
						derived: { wait_s: 312.5 },
					},
				),
				ev(c, "queue", T0, { event: "issued", ticket: "A017", service: "passport", priority: "idp" }),
				ev(
					c,
					"queue",
					T0 + 9 * MIN,
					{ event: "finished", ticket: "A017", service: "passport", window: "w1" },
					{
						derived: { service_s: 240 },
					},
				),
				rating(c, T0 + 10 * MIN, 5, "w1", "passport", { ticket: "A017" }),
				rating(c, T0 + 10 * MIN + 800, 2, "w1", "passport", { extra: true }),
				ev(c, "occupancy", T0 + 2 * MIN, { zone: "hall", in: 3, out: 1 }, { derived: { count: 7 } }),
				ev(c, "occupancy", T0 + 3 * MIN, { zone: "hall", count: 9 }, { derived: { count: 9 } }),
				ev(
					c,
					"status",
					T0 + MIN,
					{ online: true, version: "0.1.0", uptimeS: 12.5, buffered: 0, cpuTempC: 48.2 },
					{
						node: "door-1",
					},
				),
				ev(c, "request", T0 + 4 * MIN, { action: "next", note: "unknown fields are kept", nested: { a: [1, 2] } }),
			];
			expect(await store.append(events)).toHaveLength(events.length);
			const back = await store.readRange(c, T0, T0 + 11 * MIN);
			const sorted = [...events].sort((a, b) => a.ts - b.ts);
			expect(back).toEqual(sorted);
			expect(await store.readRange(c, T0 + MIN, T0 + 5 * MIN)).toEqual(
				sorted.filter((e) => e.ts >= T0 + MIN && e.ts < T0 + 5 * MIN),
			);
			expect(await store.readRange(c, T0, Number.MAX_SAFE_INTEGER)).toHaveLength(events.length);
			expect(await store.count({ centre: c })).toBe(events.length);
			expect(await store.count({ centre: c, kind: "queue" })).toBe(3);
			expect(await store.count({ centre: c, kind: "status" })).toBe(1);
		});

		it("stores an id written three times once, also across close and reopen", async () => {
			const c = newCentre();
			const e = rating(c, T0, 4, "w2", "pension");
			const first = await store.append([e]);
			expect([true, null]).toContain(first[0]);
			const again = await store.append([e, e]);
			for (const r of again) expect([false, null]).toContain(r);
			await store.close();
			store = await h.open();
			await store.init();
			const third = await store.append([e]);
			expect([false, null]).toContain(third[0]);
			expect(await store.count({ centre: c })).toBe(1);
			expect(await store.readRange(c, T0 - 1, T0 + 1)).toEqual([e]);
		});

		it("reads back the rows of ids it has at once, where it can (lookup), and local stores can", async () => {
			const c = newCentre();
			const a = rating(c, T0 + 7, 2, "w3", "pension");
			const b = ev(c, "queue", T0 + 8, { event: "issued", ticket: "A5", service: "pension" });
			await store.append([a, b]);
			if (!store.lookup) {
				expect(store.localDurable).toBe(false);
				return;
			}
			const found = store.lookup([b.id, "no-such-id", a.id]);
			expect(found.sort((x, y) => x.ts - y.ts)).toEqual([a, b]);
			expect(store.lookup([])).toEqual([]);
		});

		it("keeps two different events of one node in the same millisecond", async () => {
			const c = newCentre();
			const a = rating(c, T0 + 123, 5, "w1", "passport");
			const b = rating(c, T0 + 123, 5, "w1", "passport");
			expect(idOffsetNs(a.id)).not.toBe(idOffsetNs(b.id));
			await store.append([a]);
			await store.append([b]);
			expect(await store.count({ centre: c })).toBe(2);
			const back = await store.readRange(c, T0, T0 + 1000);
			expect(back.map((e) => e.id).sort()).toEqual([a.id, b.id].sort());
		});

		describe("query()", () => {
			const c = newCentre();
			const row = (t: number, values: number[], group?: string): SeriesRow => {
				const s = [...values].sort((x, y) => x - y);
				const at = (p: number) => s[Math.floor((s.length * p) / 100 + 0.5) - 1] ?? null;
				const r: SeriesRow = {
					t,
					count: s.length,
					mean: s.reduce((x, y) => x + y, 0) / s.length,
					min: s[0] ?? null,
					max: s[s.length - 1] ?? null,
					p50: at(50),
					p90: at(90),
				};
				if (group !== undefined) r.group = group;
				return r;
			};
			const close = (rows: SeriesRow[]) =>
				rows.map((r) => ({ ...r, mean: r.mean === null ? null : Number(r.mean.toFixed(9)) }));

			beforeAll(async () => {
				const called = (ts: number, service: string, wait: number, priority?: string) =>
					ev(
						c,
						"queue",
						ts,
						{ event: "called", ticket: "B1", service, window: "w1", ...(priority ? { priority } : {}) },
						{
							derived: { wait_s: wait },
						},
					);
				await store.append([
					rating(c, T0 + MIN, 5, "w1", "s1"),
					rating(c, T0 + 2 * MIN, 4, "w1", "s1"),
					rating(c, T0 + 3 * MIN, 1, "w1", "s1", { extra: true }),
					rating(c, T0 + 5 * MIN, 1, "w2", "s2"),
					rating(c, T0 + 61 * MIN, 3, "w1", "s1"),
					rating(c, T0 + 70 * MIN, 2, "w2", "s2"),
					called(T0 + 10 * MIN, "a", 120),
					called(T0 + 20 * MIN, "a", 300),
					called(T0 + 15 * MIN, "b", 60, "idp"),
					ev(c, "queue", T0 + 16 * MIN, { event: "issued", ticket: "B2", service: "a" }),
					ev(c, "occupancy", T0 + MIN, { zone: "hall", count: 4 }, { derived: { count: 4 } }),
					ev(c, "occupancy", T0 + 14 * MIN, { zone: "hall", in: 2 }, { derived: { count: 6 } }),
					ev(c, "occupancy", T0 + 16 * MIN, { zone: "kids", in: 1 }, { derived: { count: 1 } }),
				]);
			});

			it("hourly buckets of rating scores without the extra presses", async () => {
				const rows = await store.query({
					centre: c,
					measurement: "rating",
					field: "score",
					fromTs: T0,
					toTs: T0 + 2 * 3_600_000,
					step: "1h",
					timeZone: Z,
				});
				expect(close(rows)).toEqual(close([row(T0, [5, 4, 1]), row(T0 + 3_600_000, [3, 2])]));
			});

			it("grouped by window and filtered by a tag", async () => {
				const q = {
					centre: c,
					measurement: "rating",
					field: "score",
					fromTs: T0,
					toTs: T0 + 2 * 3_600_000,
					step: "1h",
					timeZone: Z,
				} as const;
				expect(close(await store.query({ ...q, groupBy: "window" }))).toEqual(
					close([
						row(T0, [5, 4], "w1"),
						row(T0, [1], "w2"),
						row(T0 + 3_600_000, [3], "w1"),
						row(T0 + 3_600_000, [2], "w2"),
					]),
				);
				expect(close(await store.query({ ...q, where: { window: "w2" } }))).toEqual(
					close([row(T0, [1]), row(T0 + 3_600_000, [2])]),
				);
				expect(await store.query({ ...q, where: { window: "nope" } })).toEqual([]);
			});

			it("queue waits on called, by service and by priority (missing tag = empty group)", async () => {
				const q = {
					centre: c,
					measurement: "queue",
					field: "wait_s",
					fromTs: T0,
					toTs: T0 + 3_600_000,
					step: "1h",
					timeZone: Z,
					where: { event: "called" },
				} as const;
				expect(close(await store.query({ ...q, groupBy: "service" }))).toEqual(
					close([row(T0, [120, 300], "a"), row(T0, [60], "b")]),
				);
				expect(close(await store.query({ ...q, groupBy: "priority" }))).toEqual(
					close([row(T0, [120, 300], ""), row(T0, [60], "idp")]),
				);
			});

			it("occupancy counts in 15-minute buckets per zone", async () => {
				const rows = await store.query({
					centre: c,
					measurement: "occupancy",
					field: "count",
					fromTs: T0,
					toTs: T0 + 3_600_000,
					step: "15m",
					timeZone: Z,
					groupBy: "zone",
				});
				expect(close(rows)).toEqual(close([row(T0, [4, 6], "hall"), row(T0 + 15 * MIN, [1], "kids")]));
			});

			it("rejects a field or tag the measurement does not have", async () => {
				const q = {
					centre: c,
					measurement: "rating",
					field: "score",
					fromTs: T0,
					toTs: T0 + 1,
					step: "1h",
					timeZone: Z,
				} as const;
				await expect(store.query({ ...q, field: "nope" })).rejects.toThrow(/nope/);
				await expect(store.query({ ...q, groupBy: "zone" })).rejects.toThrow(/zone/);
			});
		});

		describe("1d buckets start at local midnight on Europe/Kyiv DST days", () => {
			const c = newCentre();
			const at = (iso: string) => Date.parse(iso);
			beforeAll(async () => {
				await store.append([
					// 2026-10-25 has 25 hours (EEST → EET at 04:00 local).
					rating(c, at("2026-10-24T20:30:00Z"), 2, "w1", "s1"), // 10-24 23:30 local
					rating(c, at("2026-10-24T21:30:00Z"), 5, "w1", "s1"), // 10-25 00:30
					rating(c, at("2026-10-25T21:30:00Z"), 3, "w1", "s1"), // 10-25 23:30
					rating(c, at("2026-10-25T22:30:00Z"), 1, "w1", "s1"), // 10-26 00:30
					// 2026-03-29 has 23 hours (EET → EEST at 03:00 local).
					rating(c, at("2026-03-28T21:30:00Z"), 1, "w1", "s1"), // 03-28 23:30
					rating(c, at("2026-03-28T22:30:00Z"), 4, "w1", "s1"), // 03-29 00:30
					rating(c, at("2026-03-29T20:30:00Z"), 2, "w1", "s1"), // 03-29 23:30
					rating(c, at("2026-03-29T21:30:00Z"), 5, "w1", "s1"), // 03-30 00:30
				]);
			});
			const q = (fromTs: number, toTs: number) =>
				store.query({ centre: c, measurement: "rating", field: "score", fromTs, toTs, step: "1d", timeZone: Z });

			it("autumn: 2026-10-25 is 25 hours", async () => {
				const rows = await q(at("2026-10-23T21:00:00Z"), at("2026-10-26T22:00:00Z"));
				expect(rows.map((r) => [new Date(r.t).toISOString(), r.count, r.mean])).toEqual([
					["2026-10-23T21:00:00.000Z", 1, 2],
					["2026-10-24T21:00:00.000Z", 2, 4],
					["2026-10-25T22:00:00.000Z", 1, 1],
				]);
			});

			it("spring: 2026-03-29 is 23 hours", async () => {
				const rows = await q(at("2026-03-27T22:00:00Z"), at("2026-03-30T21:00:00Z"));
				expect(rows.map((r) => [new Date(r.t).toISOString(), r.count, r.mean])).toEqual([
					["2026-03-27T22:00:00.000Z", 1, 1],
					["2026-03-28T22:00:00.000Z", 2, 3],
					["2026-03-29T21:00:00.000Z", 1, 5],
				]);
			});
		});

		it("is readable by the backend's own client with DESIGN.md's names", async () => {
			const c = newCentre();
			await store.append([
				rating(c, T0, 4, "w3", "passport"),
				ev(
					c,
					"queue",
					T0 + MIN,
					{ event: "called", ticket: "C5", service: "passport", window: "w3", priority: "veteran" },
					{
						derived: { wait_s: 90 },
					},
				),
				ev(c, "occupancy", T0 + 2 * MIN, { zone: "hall", in: 1 }, { derived: { count: 3 } }),
				ev(c, "status", T0 + 3 * MIN, { online: false, buffered: 12, uptimeS: 60, cpuTempC: 51 }, { node: "door-1" }),
			]);
			const keys = async (m: string) => new Set(await h.nativeKeys(m));
			for (const [m, names] of Object.entries({
				rating: ["centre", "window", "service"],
				queue: ["centre", "service", "event", "window", "priority"],
				occupancy: ["centre", "zone"],
				node_status: ["centre", "node"],
			})) {
				expect([...(await keys(m))]).toEqual(expect.arrayContaining(names));
			}
			expect(await h.native("rating", c, ["centre", "window", "service", "score", "scale"])).toEqual([
				{ centre: c, window: "w3", service: "passport", score: 4, scale: 5 },
			]);
			expect(await h.native("queue", c, ["service", "event", "window", "priority", "wait_s", "ticket"])).toEqual([
				{ service: "passport", event: "called", window: "w3", priority: "veteran", wait_s: 90, ticket: "C5" },
			]);
			expect(await h.native("occupancy", c, ["zone", "count"])).toEqual([{ zone: "hall", count: 3 }]);
			const status = await h.native("node_status", c, ["node", "online", "buffered", "uptime_s", "cpu_temp_c"]);
			expect(status).toHaveLength(1);
			expect({ ...status[0], online: Boolean(status[0]?.online) }).toEqual({
				node: "door-1",
				online: false,
				buffered: 12,
				uptime_s: 60,
				cpu_temp_c: 51,
			});
		});
	});
}
