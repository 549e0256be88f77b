/**
 * No single event stops the store or the spool, through real parts: aedes on loopback, MQTT.js,
 * the SQLite store and spool files, the HTTP API, a restart.
 *
 * - A payload with an unknown field nested 5 000 deep (it once made the row unwritable and
 *   blocked every later event) is now stored without the field, with nothing stuck.
 * - An event the store refuses for good (here a trigger in the SQLite file refuses its row, as a
 *   constraint would) is set aside as a dead letter, counted and shown by /healthz; the rest of its
 *   batch, another device's 200 events, and everything after it are stored.
 */
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import type { LiveView } from "../../core/liveView.ts";
import type { Hub } from "../../server/hub.ts";
import type { SqliteStore } from "../../store/sqlite.ts";
import { asAdmin } from "../fixtures/auth.ts";
import { demoTopic, payload } from "../fixtures/events.ts";
import { connect, metric, startTestHub, tempDir } from "../fixtures/hub.ts";
import { until } from "../fixtures/wait.ts";

const dirs: ReturnType<typeof tempDir>[] = [];
afterEach(() => {
	for (const d of dirs.splice(0)) d.remove();
});

const fast = { forwarding: { minBackoffMs: 20, maxBackoffMs: 100 } };
const health = async (h: Hub) => (await (await fetch(`${h.httpUrl}/healthz`)).json()) as Record<string, unknown>;
const metrics = async (h: Hub) => (await fetch(`${h.httpUrl}/metrics`)).text();

/** 200 ratings over the twelve windows, from one device. */
const ratings = () =>
	Array.from({ length: 200 }, (_, i) => ({
		topic: demoTopic(`win-${String((i % 12) + 1).padStart(2, "0")}`, "rating"),
		body: JSON.stringify(payload({ score: (i % 5) + 1 })),
	}));

describe("a payload nested 5 000 deep", () => {
	it("is stored without its unknown field, with nothing stuck behind it", async () => {
		const dir = tempDir();
		dirs.push(dir);
		const hub = await startTestHub(dir.path, fast);
		const a = await connect(hub.mqttUrl);
		const b = await connect(hub.mqttUrl);
		const deep = `${"[".repeat(5_000)}${"]".repeat(5_000)}`;
		const issued = payload({ event: "issued", ticket: "A666", service: "passports" });
		const rating = payload({ score: 2 });
		const asText = (p: object) => `${JSON.stringify(p).slice(0, -1)},"x":${deep}}`;
		expect(asText(issued).length).toBeGreaterThan(10_000);
		const others = ratings();
		await Promise.all([
			b.publishAsync(demoTopic("terminal-1", "queue"), asText(issued), { qos: 1 }),
			b.publishAsync(demoTopic("win-05", "rating"), asText(rating), { qos: 1 }),
			...others.map((e) => a.publishAsync(e.topic, e.body, { qos: 1 })),
		]);
		expect(a.connected && b.connected).toBe(true);
		// Acknowledged means stored, straight into the store: nothing waits in the spool.
		expect(await hub.countEvents()).toBe(202);
		expect(hub.spool.depth).toBe(0);
		const db = new Database((hub.store as SqliteStore).path, { readonly: true });
		const data = (id: string) =>
			JSON.parse(db.prepare("SELECT data FROM events WHERE id = ?").pluck().get(id) as string);
		expect(data(issued.id)).toEqual(issued);
		expect(data(rating.id)).toMatchObject({ id: rating.id, score: 2, window: "w05" });
		expect(data(rating.id).x).toBeUndefined();
		db.close();

		const later = payload({ event: "issued", ticket: "A667", service: "passports" });
		await b.publishAsync(demoTopic("terminal-1", "queue"), JSON.stringify(later), { qos: 1 });
		expect(await hub.countEvents()).toBe(203);
		expect(await health(hub)).toMatchObject({ status: "ok", spooled: 0, deadLetters: { count: 0 } });
		expect(metric(await metrics(hub), 'vikno_messages_total{result="accepted",reason=""}')).toBe(203);
		await a.endAsync();
		await b.endAsync();
		await hub.close();
	});
});

describe("an event the store refuses for good", () => {
	it("becomes a dead letter; its batch, another device's events and everything after it are stored", async () => {
		const dir = tempDir();
		dirs.push(dir);
		let hub = await startTestHub(dir.path, fast);
		// The store refuses this one row whatever is tried, as a constraint would.
		const file = new Database((hub.store as SqliteStore).path);
		file.exec(`CREATE TRIGGER refuse_p666 BEFORE INSERT ON events WHEN NEW.data LIKE '%"P666"%'
			BEGIN SELECT RAISE(ABORT, 'poison row refused by a trigger'); END;`);
		file.close();

		const a = await connect(hub.mqttUrl);
		const b = await connect(hub.mqttUrl);
		const tickets = Array.from({ length: 20 }, (_, i) =>
			payload({ event: "issued", ticket: i === 7 ? "P666" : `B${100 + i}`, service: "residence" }),
		);
		const poison = tickets[7]?.id ?? "";
		const others = ratings();
		// All at once: the poison shares its group-commit batches with the other device's events.
		await Promise.all([
			...tickets.map((t) => b.publishAsync(demoTopic("terminal-1", "queue"), JSON.stringify(t), { qos: 1 })),
			...others.map((e) => a.publishAsync(e.topic, e.body, { qos: 1 })),
		]);
		expect(a.connected && b.connected).toBe(true);

		const h = hub;
		await until(
			() => h.spool.depth,
			(d) => d === 0,
			{ what: "the spool to drain past the refused event" },
		);
		expect(await hub.countEvents()).toBe(219);
		const dead = hub.spool.deadLetters();
		expect(dead.map((d) => d.event.id)).toEqual([poison]);
		expect(dead[0]?.reason).toMatch(/poison row refused by a trigger/);
		const m = await metrics(hub);
		expect(metric(m, "vikno_store_refused_total")).toBe(1);
		expect(metric(m, "vikno_dead_letters")).toBe(1);
		expect(await health(hub)).toMatchObject({
			status: "degraded",
			spooled: 0,
			deadLetters: { count: 1, last: { id: poison, reason: expect.stringMatching(/poison row refused/) } },
		});

		// Everything after it goes straight into the store again.
		await b.publishAsync(
			demoTopic("terminal-1", "queue"),
			JSON.stringify(payload({ event: "issued", ticket: "B200", service: "residence" })),
			{ qos: 1 },
		);
		expect(await hub.countEvents()).toBe(220);
		expect(hub.spool.depth).toBe(0);
		await a.endAsync();
		await b.endAsync();
		await hub.close();

		// A restart still says so, and shows the hall as the store has it.
		hub = await startTestHub(dir.path, fast);
		expect(await health(hub)).toMatchObject({ status: "degraded", deadLetters: { count: 1, last: { id: poison } } });
		const v = await (await asAdmin(hub)).json<LiveView>("/api/v1/centres/demo/live");
		expect(v.services.find((s) => s.id === "residence")?.waiting).toBe(20);
		await hub.close();
	});
});
