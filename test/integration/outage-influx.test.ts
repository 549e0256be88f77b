/**
 * InfluxDB outage: the hub writes to a real influxd 1.x; influxd is stopped while 10 000
 * events flow and started again. The hub keeps acknowledging (into its local spool) and then
 * forwards everything: every event stored exactly once, in order of time.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Hub } from "../../server/hub.ts";
import { Influx1Store } from "../../store/influx1.ts";
import { demoTopic, payload } from "../fixtures/events.ts";
import { connect, metric, startTestHub, tempDir } from "../fixtures/hub.ts";
import { type Influxd, influxdAvailable, influxExecute, startInfluxd } from "../fixtures/influxd.ts";
import { until } from "../fixtures/wait.ts";

const available = influxdAvailable();
const dir = tempDir();
let influxd: Influxd | undefined;
let hub: Hub | undefined;

beforeAll(async () => {
	if (available) influxd = await startInfluxd();
});

afterAll(async () => {
	await hub?.close();
	await influxd?.dispose();
	dir.remove();
});

describe.runIf(available)("InfluxDB 1.x stopped mid-stream", () => {
	it("spools during the outage and stores every event once, in order, afterwards", async () => {
		if (!influxd) throw new Error("influxd did not start");
		const store = new Influx1Store({
			host: "127.0.0.1",
			port: influxd.port,
			database: "vikno_outage",
			// The store's own default: a loaded machine may take seconds to write 5 000 points, and
			// a timed-out write only comes back later (a stopped influxd refuses at once anyway).
			timeoutMs: 10_000,
		});
		hub = await startTestHub(dir.path, {
			store,
			forwarding: { minBackoffMs: 50, maxBackoffMs: 500, batchSize: 5_000 },
		});
		const client = await connect(hub.mqttUrl);
		// One rating a second over the twelve windows (12 s apart at each, within the hub's bound of
		// 6 a minute per window), the last ten minutes ago.
		const t0 = Date.now() - 600_000 - 10_000_000;
		const events = Array.from({ length: 10_000 }, (_, i) => ({
			topic: demoTopic(`win-${String((i % 12) + 1).padStart(2, "0")}`, "rating"),
			body: payload({ score: (i % 5) + 1 }, t0 + i * 1_000),
		}));
		const publish = (list: typeof events) =>
			Promise.all(list.map((e) => client.publishAsync(e.topic, JSON.stringify(e.body), { qos: 1 })));

		await publish(events.slice(0, 3_000));
		await influxd.stop();
		// While influxd is down every event is still acknowledged: durable in the spool.
		await publish(events.slice(3_000, 8_000));
		const h = hub;
		expect(h.spool.depth).toBeGreaterThan(0);
		const during = await (await fetch(`${h.httpUrl}/metrics`)).text();
		expect(metric(during, "vikno_spool_depth")).toBeGreaterThan(0);
		expect(metric(during, "vikno_store_errors_total")).toBeGreaterThan(0);
		// Repeats during the outage must not be stored twice.
		await publish(events.slice(3_000, 3_500));
		await influxd.restart();
		await publish(events.slice(8_000));

		await until(
			() => h.spool.depth,
			(d) => d === 0,
			{ timeoutMs: 60_000, what: "the spool to drain" },
		);
		const res = await influxExecute(influxd.port, "vikno_outage", "SELECT count(score) FROM rating");
		expect(res.results?.[0]?.series?.[0]?.values?.[0]?.[1]).toBe(10_000);
		const stored = await h.store.readRange("demo", 0, Number.MAX_SAFE_INTEGER);
		expect(stored.map((e) => e.id)).toEqual(events.map((e) => e.body.id));
		await client.endAsync();
	}, 180_000);
});
