/**
 * InfluxDB backends beyond the contract, against a real influxd 1.x: database and retention
 * policy made by init(), batching (also through the real 2.x client and its v2 write API),
 * credentials refused, and an outage: writes fail while influxd is stopped and succeed, once
 * each, after it is back.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StoreWriteError } from "../../store/errors.ts";
import { Influx1Store } from "../../store/influx1.ts";
import { Influx2Store } from "../../store/influx2.ts";
import type { StoredEvent } from "../../store/types.ts";
import { type CompatProxy, startCompatProxy } from "../fixtures/influx2-compat.ts";
import { type Influxd, influxdAvailable, influxExecute, startInfluxd } from "../fixtures/influxd.ts";

const T0 = Date.UTC(2026, 10, 20, 8);
let n = 0;
const events = (centre: string, count: number, stepMs = 10): StoredEvent[] =>
	Array.from({ length: count }, (_, i) => {
		const id = `e-${++n}`;
		const ts = T0 + i * stepMs;
		return {
			id,
			centre,
			node: `w${i % 4}`,
			kind: "queue",
			ts,
			rxTs: ts + 3,
			data: { id, ts, event: "called", ticket: `A${i % 1000}`, service: `s${i % 3}`, window: `w${i % 4}` },
			derived: { wait_s: i % 600 },
		};
	});

describe.skipIf(!influxdAvailable())("InfluxDB stores", () => {
	let influxd: Influxd;
	let proxy: CompatProxy;
	const token = "t0k3n";
	const opts1 = () => ({ host: "127.0.0.1", port: influxd.port, database: "vikno_it" });
	const opts2 = (more = {}) => ({ url: proxy.url, org: "cnap", bucket: "vikno_v2", token, ...more });

	beforeAll(async () => {
		influxd = await startInfluxd();
		await influxExecute(influxd.port, "", "CREATE DATABASE vikno_v2");
		proxy = await startCompatProxy({ influxdUrl: influxd.url, org: "cnap", token });
	});
	afterAll(async () => {
		await proxy?.close();
		await influxd?.dispose();
	});

	it("influx1 init creates the database and the retention policy, idempotently", async () => {
		const store = new Influx1Store({
			...opts1(),
			database: "vikno_rp",
			retentionPolicy: { name: "raw", duration: "400d" },
		});
		await store.init();
		await store.init();
		const rps = await influxExecute(influxd.port, "vikno_rp", "SHOW RETENTION POLICIES ON vikno_rp");
		const rows = rps.results?.[0]?.series?.[0]?.values ?? [];
		expect(rows.map((r) => [r[0], r[1]])).toEqual(expect.arrayContaining([["raw", "9600h0m0s"]]));
		await store.append(events("rp", 3));
		const inRp = await influxExecute(influxd.port, "vikno_rp", `SELECT COUNT("id") FROM "raw"."queue"`);
		expect(inRp.results?.[0]?.series?.[0]?.values[0]?.[1]).toBe(3);
		await store.close();
	});

	it("influx1 writes 100 000 events, split into writes of batchSize (figure printed)", async () => {
		const store = new Influx1Store({ ...opts1(), batchSize: 5000 });
		const all = events("bulk1", 100_000, 1);
		const t0 = performance.now();
		await Promise.all(Array.from({ length: 10 }, (_, i) => store.append(all.slice(i * 10_000, (i + 1) * 10_000))));
		const s = (performance.now() - t0) / 1000;
		console.log(`influx1: 100000 events in ${s.toFixed(2)} s = ${Math.round(100_000 / s)} events/s (batch 5000)`);
		expect(await store.count({ centre: "bulk1" })).toBe(100_000);
		const t1 = performance.now();
		const rows = await store.query({
			centre: "bulk1",
			measurement: "queue",
			field: "wait_s",
			fromTs: T0,
			toTs: T0 + 100_000,
			step: "1m",
			timeZone: "Europe/Kyiv",
			groupBy: "service",
		});
		console.log(`influx1: query of 100 000 points by minute and service in ${Math.round(performance.now() - t1)} ms`);
		expect(rows.reduce((a, r) => a + r.count, 0)).toBe(100_000);
		await store.close();
	});

	it("influx2 batches through the real client: gzip, ns precision, ≤ batchSize lines per write, concurrent appends coalesced", async () => {
		const store = new Influx2Store(opts2({ batchSize: 5000 }));
		await store.init();
		const before = proxy.writes.length;
		await store.append(events("bulk2", 12_000));
		const big = proxy.writes.slice(before);
		expect(big.map((w) => w.lines)).toEqual([5000, 5000, 2000]);
		expect(big.every((w) => w.precision === "ns" && w.encoding === "gzip" && w.status === 204)).toBe(true);

		const mark = proxy.writes.length;
		const many = events("small2", 200);
		await Promise.all(Array.from({ length: 20 }, (_, i) => store.append(many.slice(i * 10, (i + 1) * 10))));
		const small = proxy.writes.slice(mark);
		expect(small.length).toBeLessThan(20);
		expect(small.reduce((a, w) => a + w.lines, 0)).toBe(200);
		expect(await store.count({ centre: "bulk2" })).toBe(12_000);
		expect(await store.count({ centre: "small2" })).toBe(200);
		await store.close();
	});

	it("influx2: a wrong token or org is a non-retryable write error", async () => {
		for (const [more, status] of [
			[{ token: "wrong" }, 401],
			[{ org: "other" }, 404],
		] as const) {
			const store = new Influx2Store(opts2(more));
			const err = await store.append(events("auth", 1)).catch((e: unknown) => e);
			expect(err).toBeInstanceOf(StoreWriteError);
			expect(err).toMatchObject({ status, retryable: false });
			await store.close();
		}
		await expect(new Influx2Store(opts2({ token: "wrong" })).init()).rejects.toThrow(/401/);
	});

	it("both: during an outage writes fail (retryable) and ping is false; after it each event is stored once", async () => {
		const s1 = new Influx1Store(opts1());
		const s2 = new Influx2Store(opts2());
		await s1.init();
		const a = events("outage", 500);
		const b = events("outage2", 500);
		await s1.append(a.slice(0, 100));
		await s2.append(b.slice(0, 100));

		await influxd.stop();
		expect(await s1.ping()).toBe(false);
		expect(await s2.ping()).toBe(false);
		for (const [store, list] of [
			[s1, a],
			[s2, b],
		] as const) {
			const err = await store.append(list.slice(100)).catch((e: unknown) => e);
			expect(err).toBeInstanceOf(StoreWriteError);
			expect(err).toMatchObject({ retryable: true });
		}

		await influxd.restart();
		expect(await s1.ping()).toBe(true);
		expect(await s2.ping()).toBe(true);
		// The spool sends everything not acknowledged again, including events already written.
		await s1.append(a.slice(50));
		await s2.append(b.slice(50));
		for (const [store, centre, list] of [
			[s1, "outage", a],
			[s2, "outage2", b],
		] as const) {
			expect(await store.count({ centre })).toBe(500);
			const back = await store.readRange(centre, T0, T0 + 3_600_000);
			expect(back.map((e) => e.id)).toEqual(list.map((e) => e.id));
			expect(back).toEqual(list);
		}
		await s1.close();
		await s2.close();
	});
});
