/**
 * An event the store refuses for good must not block the spool: with a real influxd whose
 * `rating.extra_score` field was created as a string by someone else, one extra press in a batch
 * of 100 gets HTTP 400 (field type conflict). The forwarder narrows the batch down, sets that one
 * event aside as a dead letter (kept on disk, counted) and forwards the other 99.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLog } from "../../core/log.ts";
import { Forwarder } from "../../hub/forwarder.ts";
import { createMetrics } from "../../hub/metrics.ts";
import { Influx1Store } from "../../store/influx1.ts";
import { Spool } from "../../store/spool.ts";
import type { StoredEvent } from "../../store/types.ts";
import { tempDir } from "../fixtures/hub.ts";
import { type Influxd, influxdAvailable, startInfluxd } from "../fixtures/influxd.ts";

const available = influxdAvailable();
const dir = tempDir();
let influxd: Influxd | undefined;

beforeAll(async () => {
	if (available) influxd = await startInfluxd();
});
afterAll(async () => {
	await influxd?.dispose();
	dir.remove();
});

describe.runIf(available)("forwarder and a store that refuses one event", () => {
	it("dead-letters the refused event and forwards the rest in order", async () => {
		if (!influxd) throw new Error("influxd did not start");
		const db = "vikno_poison";
		const store = new Influx1Store({ host: "127.0.0.1", port: influxd.port, database: db });
		await store.init();
		const pre = await fetch(`${influxd.url}/write?db=${db}`, {
			method: "POST",
			body: 'rating,centre=other extra_score="not a number"',
		});
		expect(pre.status).toBe(204);

		const t0 = Date.now() - 60_000;
		const events: StoredEvent[] = Array.from({ length: 100 }, (_, i) => ({
			id: `ev-${String(i).padStart(3, "0")}`,
			centre: "demo",
			node: "win-01",
			kind: "rating",
			ts: t0 + i * 1000,
			rxTs: t0 + i * 1000,
			data: {
				id: `ev-${String(i).padStart(3, "0")}`,
				ts: t0 + i * 1000,
				score: 4,
				window: "w01",
				...(i === 37 ? { extra: true } : {}),
			},
		}));
		const spool = new Spool(join(dir.path, "spool.db"));
		spool.add(events);
		const metrics = createMetrics();
		const forwarder = new Forwarder({ spool, store, metrics, log: silentLog, minBackoffMs: 10, maxBackoffMs: 50 });
		forwarder.kick();
		await forwarder.idle();

		expect(spool.depth).toBe(0);
		const dead = spool.deadLetters();
		expect(dead.map((d) => d.event.id)).toEqual(["ev-037"]);
		expect(dead[0]?.reason).toMatch(/field type conflict/);
		expect((await metrics.storeRefused.get()).values[0]?.value).toBe(1);
		const stored = await store.readRange("demo", 0, Number.MAX_SAFE_INTEGER);
		expect(stored.map((e) => e.id)).toEqual(events.filter((_, i) => i !== 37).map((e) => e.id));
		await forwarder.close();
		spool.close();
		await store.close();
	});
});
