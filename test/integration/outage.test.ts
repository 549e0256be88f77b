/**
 * Store outage: another writer holds the SQLite file locked while 10 000 events flow. The hub
 * keeps acknowledging (into its spool), then drains the spool when the lock is gone: every
 * event stored exactly once, in order of time.
 */

import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import type { Hub } from "../../server/hub.ts";
import { asAdmin } from "../fixtures/auth.ts";
import { demoTopic, payload } from "../fixtures/events.ts";
import { connect, metric, startTestHub, tempDir } from "../fixtures/hub.ts";
import { until } from "../fixtures/wait.ts";

const dir = tempDir();
let hub: Hub | undefined;

afterAll(async () => {
	await hub?.close();
	dir.remove();
});

describe("SQLite store locked by another writer", () => {
	it("spools while it is locked and stores every event once, in order, afterwards", async () => {
		hub = await startTestHub(dir.path, {
			forwarding: { minBackoffMs: 20, maxBackoffMs: 300, batchSize: 2000 },
		});
		const client = await connect(hub.mqttUrl);
		const t0 = Date.now() - 60_000;
		const events = Array.from({ length: 10_000 }, (_, i) => ({
			topic: demoTopic(`win-${String((i % 12) + 1).padStart(2, "0")}`, "rating"),
			body: payload({ score: (i % 5) + 1 }, t0 + i),
		}));

		const locker = new Database(join(dir.path, "vikno.db"));
		locker.exec("BEGIN IMMEDIATE");
		const half = events.slice(0, 5_000);
		await Promise.all(half.map((e) => client.publishAsync(e.topic, JSON.stringify(e.body), { qos: 1 })));
		// Acknowledged while the store could not be written: they are in the spool.
		expect(hub.spool.depth).toBe(5_000);
		const m = await (await fetch(`${hub.httpUrl}/metrics`)).text();
		expect(metric(m, "vikno_spool_depth")).toBe(5_000);
		expect(metric(m, "vikno_store_errors_total")).toBeGreaterThan(0);
		// Some ids again during the outage: still stored once.
		await Promise.all(half.slice(0, 100).map((e) => client.publishAsync(e.topic, JSON.stringify(e.body), { qos: 1 })));
		const rest = events.slice(5_000);
		const sending = Promise.all(rest.map((e) => client.publishAsync(e.topic, JSON.stringify(e.body), { qos: 1 })));
		// The lock goes while the rest is flowing: once the first of them is in the spool.
		const h = hub;
		await until(
			() => h.spool.depth,
			(d) => d > 5_000,
			{ what: "the first of the rest spooled while the store is locked" },
		);
		locker.exec("ROLLBACK");
		locker.close();
		await sending;

		await until(
			() => h.spool.depth,
			(d) => d === 0,
			{ timeoutMs: 20_000, what: "the spool to drain" },
		);
		expect(await h.countEvents()).toBe(10_000);
		const stored = await h.store.readRange("demo", 0, Number.MAX_SAFE_INTEGER);
		expect(stored.map((e) => e.id)).toEqual(events.map((e) => e.body.id));
		// The live figures followed every event once (past the hub's bound per window and minute a
		// rating counts as an extra press: together they are every rating).
		const live = (await (await asAdmin(h)).inject("/api/v1/centres/demo/live")).json() as {
			ratings: { count: number; extra: number };
		};
		expect(live.ratings.count + live.ratings.extra).toBe(10_000);
		await client.endAsync();
	});
});
