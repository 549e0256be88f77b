/**
 * End to end through real parts: aedes on loopback, MQTT.js and mosquitto_pub, a SQLite file,
 * the HTTP API and the SSE stream.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LiveView } from "../../core/liveView.ts";
import type { Hub } from "../../server/hub.ts";
import type { SqliteStore } from "../../store/sqlite.ts";
import { type Agent, addUser, signedIn, signIn } from "../fixtures/auth.ts";
import { demoTopic, payload } from "../fixtures/events.ts";
import { connect, metric, startTestHub, tempDir } from "../fixtures/hub.ts";
import { until } from "../fixtures/wait.ts";

const run = promisify(execFile);

let dir: ReturnType<typeof tempDir>;
let hub: Hub;
let client: MqttClient;
let admin: Agent;

async function live(): Promise<LiveView> {
	const res = await admin.fetch("/api/v1/centres/demo/live");
	expect(res.status).toBe(200);
	return (await res.json()) as LiveView;
}

async function metrics(): Promise<string> {
	return (await fetch(`${hub.httpUrl}/metrics`)).text();
}

const rejected = (text: string, reason: string) =>
	metric(text, `vikno_messages_total{result="rejected",reason="${reason}"}`);

beforeAll(async () => {
	dir = tempDir();
	hub = await startTestHub(dir.path);
	client = await connect(hub.mqttUrl);
	admin = await signedIn(hub);
});

afterAll(async () => {
	await client?.endAsync();
	await hub?.close();
	dir?.remove();
});

describe("hub end to end", () => {
	it("answers /healthz", async () => {
		const res = await fetch(`${hub.httpUrl}/healthz`);
		expect(res.status).toBe(200);
		expect(await res.json()).toMatchObject({ status: "ok", mqttPort: hub.mqttPort, store: "sqlite" });
	});

	it("stores events published with MQTT.js and shows them live", async () => {
		const before = await live();
		const issued = payload({ event: "issued", ticket: "A001", service: "passports" });
		await client.publishAsync(demoTopic("terminal-1", "queue"), JSON.stringify(issued), { qos: 1 });
		// QoS 1 acknowledged ⇒ already durable in the store.
		expect(await hub.countEvents({ kind: "queue" })).toBe(1);
		const after = await live();
		expect(after.tickets.waiting).toBe(before.tickets.waiting + 1);
		expect(after.services.find((s) => s.id === "passports")?.waiting).toBe(1);

		const called = payload({ event: "called", ticket: "A001", service: "passports", window: "w01" });
		await client.publishAsync(demoTopic("win-01", "queue"), JSON.stringify(called), { qos: 1 });
		const v = await live();
		expect(v.services.find((s) => s.id === "passports")?.waiting).toBe(0);
		expect(v.windows.find((w) => w.id === "w01")).toMatchObject({ ticket: "A001" });

		await client.publishAsync(demoTopic("win-01", "rating"), JSON.stringify(payload({ score: 4 })), { qos: 1 });
		await client.publishAsync(
			demoTopic("door-main", "occupancy"),
			JSON.stringify(payload({ zone: "hall", in: 3, out: 1 })),
			{
				qos: 1,
			},
		);
		const v2 = await live();
		expect(v2.ratings).toMatchObject({ count: 1, mean: 4 });
		expect(v2.zones.find((z) => z.id === "hall")?.count).toBe(2);
	});

	it("stores an event published with mosquitto_pub", async () => {
		const ev = payload({ event: "issued", ticket: "B001", service: "residence" });
		await run("mosquitto_pub", [
			"-h",
			"127.0.0.1",
			"-p",
			String(hub.mqttPort),
			"-q",
			"1",
			"-V",
			"mqttv311",
			"-t",
			demoTopic("terminal-1", "queue"),
			"-m",
			JSON.stringify(ev),
		]);
		expect(await hub.countEvents({ kind: "queue" })).toBe(3);
		const v = await live();
		expect(v.services.find((s) => s.id === "residence")?.waiting).toBe(1);
	});

	it("stores the same event id once, however often it arrives", async () => {
		const ev = JSON.stringify(payload({ event: "issued", ticket: "C001", service: "social" }));
		const dupBefore = metric(await metrics(), 'vikno_messages_total{result="duplicate",reason=""}');
		const countBefore = await hub.countEvents();
		await Promise.all([1, 2, 3].map(() => client.publishAsync(demoTopic("terminal-1", "queue"), ev, { qos: 1 })));
		await client.publishAsync(demoTopic("terminal-1", "queue"), ev, { qos: 1 });
		expect(await hub.countEvents()).toBe(countBefore + 1);
		expect(metric(await metrics(), 'vikno_messages_total{result="duplicate",reason=""}')).toBe(dupBefore + 3);
		expect((await live()).services.find((s) => s.id === "social")?.waiting).toBe(1);
	});

	it("rejects malformed messages by reason, counts them, and keeps serving", async () => {
		const before = await hub.countEvents();
		const bad: [string, string | Buffer, string][] = [
			[demoTopic("win-01", "rating"), "{not json", "not_json"],
			[demoTopic("win-01", "rating"), JSON.stringify(payload({ score: "five" })), "schema"],
			[demoTopic("win-01", "rating"), JSON.stringify(payload({ score: 9 })), "schema"],
			["vikno/v1/nowhere/win-01/rating", JSON.stringify(payload({ score: 3 })), "unknown_centre"],
			[demoTopic("win-99", "rating"), JSON.stringify(payload({ score: 3 })), "unknown_node"],
			[demoTopic("win-01", "rating"), Buffer.alloc(64 * 1024, 0x20), "too_large"],
			["vikno/v1/demo/win-01", "{}", "bad_topic"],
			[demoTopic("door-main", "rating"), JSON.stringify(payload({ score: 3 })), "wrong_role"],
		];
		const m0 = await metrics();
		for (const [topic, body] of bad) await client.publishAsync(topic, body, { qos: 1 });
		const m1 = await metrics();
		const expected = new Map<string, number>();
		for (const [, , reason] of bad) expected.set(reason, (expected.get(reason) ?? 0) + 1);
		for (const [reason, n] of expected) expect(rejected(m1, reason) - rejected(m0, reason), reason).toBe(n);
		expect(await hub.countEvents()).toBe(before);

		// Still connected and serving: a valid event after the bad ones is stored.
		expect(client.connected).toBe(true);
		await client.publishAsync(demoTopic("win-02", "rating"), JSON.stringify(payload({ score: 5 })), { qos: 1 });
		expect(await hub.countEvents()).toBe(before + 1);
	});

	it("does not forward rejected messages to subscribers", async () => {
		const sub = await connect(hub.mqttUrl);
		const seen: string[] = [];
		// Node topics only: the hub's own derived state ($hub/…) is published there too.
		sub.on("message", (topic, body) => {
			if (!topic.includes("/$hub/")) seen.push(`${topic} ${body.toString()}`);
		});
		await sub.subscribeAsync("vikno/v1/#", { qos: 1 });
		const topic = demoTopic("win-01", "rating");
		await client.publishAsync(topic, "{broken", { qos: 1 });
		// A marker after it on the same topic from the same client: the broker delivers them in
		// order (MQTT-4.6.0-6), so once the marker is here the rejected one would be here too.
		const marker = JSON.stringify(payload({ score: 2 }));
		await client.publishAsync(topic, marker, { qos: 1 });
		await until(
			() => seen,
			(s) => s.includes(`${topic} ${marker}`),
			{ what: "the marker" },
		);
		expect(seen).toEqual([`${topic} ${marker}`]);
		await sub.endAsync();
	});

	it("pushes live changes on the SSE stream", async () => {
		const ctrl = new AbortController();
		const res = await admin.fetch("/api/v1/stream?centre=demo", { signal: ctrl.signal });
		expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
		const reader = res.body?.getReader();
		if (!reader) throw new Error("no body");
		const decoder = new TextDecoder();
		let buffer = "";
		const nextLive = async (): Promise<LiveView> => {
			for (;;) {
				const end = buffer.indexOf("\n\n");
				if (end >= 0) {
					const block = buffer.slice(0, end);
					buffer = buffer.slice(end + 2);
					if (block.startsWith("event: live")) {
						const data = block.split("\n").find((l) => l.startsWith("data: "));
						return JSON.parse(data?.slice(6) ?? "null") as LiveView;
					}
					continue;
				}
				const { value, done } = await reader.read();
				if (done) throw new Error("stream ended");
				buffer += decoder.decode(value, { stream: true });
			}
		};
		const first = await nextLive();
		const waiting = first.services.find((s) => s.id === "land")?.waiting ?? -1;
		expect(waiting).toBe(0);
		const ev = payload({ event: "issued", ticket: "D001", service: "land", priority: "veteran" });
		await client.publishAsync(demoTopic("terminal-1", "queue"), JSON.stringify(ev), { qos: 1 });
		const second = await nextLive();
		expect(second.services.find((s) => s.id === "land")).toMatchObject({ waiting: 1, priorityWaiting: 1 });
		ctrl.abort();
	});

	it("answers bad HTTP requests precisely and counts them", async () => {
		const unknown = await admin.fetch("/api/v1/centres/nowhere/live");
		expect(unknown.status).toBe(404);
		expect(await unknown.json()).toEqual({
			error: { code: "unknown_centre", message: 'centre "nowhere" is not configured on this hub' },
		});
		const bad = await admin.fetch("/api/v1/centres/Not_An_Id/live");
		expect(bad.status).toBe(400);
		expect(((await bad.json()) as { error: { code: string; message: string } }).error).toMatchObject({
			code: "bad_request",
			message: expect.stringMatching(/centre/),
		});
		const stream = await admin.fetch("/api/v1/stream?centre=nowhere");
		expect(stream.status).toBe(404);
		const m = await metrics();
		expect(metric(m, 'vikno_http_errors_total{status="404",code="unknown_centre"}')).toBeGreaterThanOrEqual(2);
		expect(metric(m, 'vikno_http_errors_total{status="400",code="bad_request"}')).toBeGreaterThanOrEqual(1);
	});

	it("reports connected clients in /metrics", async () => {
		const extra = await connect(hub.mqttUrl);
		await until(
			async () => metric(await metrics(), "vikno_mqtt_clients_connected"),
			(n) => n >= 2,
			{
				what: "two clients",
			},
		);
		await extra.endAsync();
	});
	it("keeps a payload as received, and a rating's with the window and service it was given", async () => {
		const id = payload({}).id;
		const text = `{ "ts": ${Date.now()},  "id": "${id}", "event": "issued", "ticket": "T900", "service": "passports" }`;
		await client.publishAsync(demoTopic("terminal-1", "queue"), text, { qos: 1 });
		const call = payload({ event: "called", ticket: "T900", service: "passports", window: "w05" });
		await client.publishAsync(demoTopic("win-05", "queue"), JSON.stringify(call), { qos: 1 });
		const finished = payload({ event: "finished", ticket: "T900", service: "passports", window: "w05" });
		await client.publishAsync(demoTopic("win-05", "queue"), JSON.stringify(finished), { qos: 1 });
		const rating = JSON.stringify(payload({ score: 5 }));
		await client.publishAsync(demoTopic("win-05", "rating"), rating, { qos: 1 });
		const db = new Database((hub.store as SqliteStore).path, { readonly: true });
		const data = (eventId: string) => db.prepare("SELECT data FROM events WHERE id = ?").pluck().get(eventId);
		try {
			expect(data(id)).toBe(text);
			expect(data(call.id)).toBe(JSON.stringify(call));
			expect(JSON.parse(data(JSON.parse(rating).id) as string)).toMatchObject({
				score: 5,
				window: "w05",
				service: "passports",
				ticket: "T900",
			});
		} finally {
			db.close();
		}
	});
});

describe("hub restart", () => {
	it("rebuilds today's live state from the store and still stores a repeated id once", async () => {
		const d = tempDir();
		let h = await startTestHub(d.path);
		let c = await connect(h.mqttUrl);
		const user = await addUser(h);
		const ev = JSON.stringify(payload({ event: "issued", ticket: "E007", service: "business" }));
		await c.publishAsync(demoTopic("terminal-1", "queue"), ev, { qos: 1 });
		await c.publishAsync(demoTopic("win-05", "rating"), JSON.stringify(payload({ score: 5 })), { qos: 1 });
		const before = (await (await signIn(h, user)).inject("/api/v1/centres/demo/live")).json() as LiveView;
		await c.endAsync();
		await h.close();

		h = await startTestHub(d.path);
		c = await connect(h.mqttUrl);
		// Sessions do not survive a restart; the user does (DATA/users.db).
		const after = (await (await signIn(h, user)).inject("/api/v1/centres/demo/live")).json() as LiveView;
		expect(after.services).toEqual(before.services.map((s) => ({ ...s, longestWaitS: expect.any(Number) })));
		expect(after.ratings).toEqual(before.ratings);
		await c.publishAsync(demoTopic("terminal-1", "queue"), ev, { qos: 1 });
		expect(await h.countEvents()).toBe(2);
		await c.endAsync();
		await h.close();
		d.remove();
	});
});
