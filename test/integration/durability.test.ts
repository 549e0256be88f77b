/**
 * "Acknowledged means stored": a client publishes 5 000 QoS 1 events as fast as it can and
 * records every PUBACK; the hub is killed with SIGKILL mid-stream and restarted. Every
 * acknowledged event must be in the store, and after the client sends everything again (as
 * an edge node replays its outbox) every event is stored, and counted live, exactly once (as a
 * rating or, past the hub's burst bound, as an extra press).
 */

import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import type { LiveView } from "../../core/liveView.ts";
import { addUserWithCli, signIn } from "../fixtures/auth.ts";
import { demoTopic, payload } from "../fixtures/events.ts";
import { connect, tempDir } from "../fixtures/hub.ts";
import { type HubProcess, spawnHub } from "../fixtures/hubProcess.ts";
import { until } from "../fixtures/wait.ts";

const N = 5_000;
let running: HubProcess | undefined;
const dirs: ReturnType<typeof tempDir>[] = [];

afterEach(async () => {
	await running?.kill("SIGKILL");
	running = undefined;
	for (const d of dirs.splice(0)) d.remove();
});

function storedIds(dataDir: string): string[] {
	const db = new Database(join(dataDir, "vikno.db"), { readonly: true });
	try {
		return (db.prepare("SELECT id FROM events").all() as { id: string }[]).map((r) => r.id);
	} finally {
		db.close();
	}
}

describe("kill -9 of the hub mid-stream", () => {
	it.each([1, 2, 3])("loses no acknowledged event and doubles none (round %i)", async (round) => {
		const dir = tempDir();
		dirs.push(dir);
		const events = Array.from({ length: N }, (_, i) => ({
			topic: demoTopic(`win-${String((i % 12) + 1).padStart(2, "0")}`, "rating"),
			body: payload({ score: (i % 5) + 1 }),
		}));

		running = await spawnHub(dir.path);
		const client = await connect(running.mqttUrl);
		client.on("error", () => {});
		const acked = new Set<string>();
		const killAfter = 800 * round;
		let killed: Promise<number | null> | undefined;
		for (const e of events) {
			client.publish(e.topic, JSON.stringify(e.body), { qos: 1 }, (err) => {
				if (err) return;
				acked.add(e.body.id);
				if (acked.size >= killAfter && !killed) killed = running?.kill("SIGKILL");
			});
		}
		await until(
			() => killed,
			(k) => k !== undefined,
			{ timeoutMs: 30_000, what: `${killAfter} PUBACKs` },
		);
		await killed;
		client.end(true);
		const ackedAtKill = new Set(acked);
		expect(ackedAtKill.size).toBeGreaterThanOrEqual(killAfter);
		expect(ackedAtKill.size).toBeLessThan(N);

		// Everything acknowledged before the kill is on disk, once.
		const afterKill = storedIds(dir.path);
		expect(new Set(afterKill).size).toBe(afterKill.length);
		const stored = new Set(afterKill);
		const lost = [...ackedAtKill].filter((id) => !stored.has(id));
		expect(lost).toEqual([]);

		// Restart; the client sends everything again, as an edge replays its outbox.
		running = await spawnHub(dir.path);
		const again = await connect(running.mqttUrl);
		await Promise.all(events.map((e) => again.publishAsync(e.topic, JSON.stringify(e.body), { qos: 1 })));
		const admin = await signIn(running.httpUrl, await addUserWithCli(dir.path));
		// Counted once each: as ratings, or — past the hub's bound of 6 a minute at a window, which
		// this flood is far beyond — as extra presses.
		const counted = (v: LiveView) => v.ratings.count + v.ratings.extra;
		const live = await until(
			async () => await admin.json<LiveView>("/api/v1/centres/demo/live"),
			(v) => counted(v) >= N,
			{ what: "all ratings live" },
		);
		expect(counted(live)).toBe(N);
		await again.endAsync();
		expect(await running.kill("SIGTERM")).toBe(0);
		running = undefined;
		const final = storedIds(dir.path);
		expect(final.length).toBe(N);
		expect(new Set(final)).toEqual(new Set(events.map((e) => e.body.id)));
	});
});
