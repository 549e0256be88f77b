/**
 * Several brokers on one Redis (docs/broker.md, cluster topology): two hubs whose brokers keep
 * sessions and retained messages in Redis (aedes-persistence-redis) and pass messages to each
 * other through Redis pub/sub (mqemitter-redis), with a real `redis-server` on loopback.
 */
import { Redis } from "ioredis";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Hub } from "../../server/hub.ts";
import { demoTopic, payload } from "../fixtures/events.ts";
import { startTestHub, tempDir } from "../fixtures/hub.ts";
import { type RedisServer, redisAvailable, startRedis } from "../fixtures/redis.ts";
import { until } from "../fixtures/wait.ts";

const available = redisAvailable();
let redis: RedisServer | undefined;
const dirs = [tempDir("vikno-redis-a-"), tempDir("vikno-redis-b-")];
let a: Hub;
let b: Hub;
const clients: MqttClient[] = [];

function hubOn(dataDir: string, url: string): Promise<Hub> {
	return startTestHub(dataDir, {
		broker: { persistence: { kind: "redis", url } },
	});
}

beforeAll(async () => {
	if (!available) return;
	redis = await startRedis();
	a = await hubOn(dirs[0]?.path ?? "", redis.url);
	b = await hubOn(dirs[1]?.path ?? "", redis.url);
}, 60_000);

afterAll(async () => {
	for (const c of clients) c.end(true);
	await a?.close();
	await b?.close();
	await redis?.stop();
	for (const d of dirs) d.remove();
});

async function client(hub: Hub, opts: IClientOptions = {}): Promise<MqttClient> {
	const c = await mqtt.connectAsync(hub.mqttUrl, {
		protocolVersion: 4,
		reconnectPeriod: 0,
		connectTimeout: 5_000,
		...opts,
	});
	c.on("error", () => {});
	clients.push(c);
	return c;
}

function bodies(c: MqttClient): string[] {
	const got: string[] = [];
	c.on("message", (_t, body) => got.push(body.toString()));
	return got;
}

const rating = () => JSON.stringify(payload({ score: 5 }));

describe.skipIf(!available)("two brokers sharing Redis", () => {
	it("uses Redis for both brokers", () => {
		expect(a.broker.persistence).toBe(`redis:127.0.0.1:${redis?.port}/0`);
		expect(b.broker.persistence).toBe(a.broker.persistence);
		expect(a.mqttPort).not.toBe(b.mqttPort);
	});

	it("delivers a message published on hub B to a subscriber on hub A, and ingests it once, on B", async () => {
		const TOPIC = demoTopic("win-01", "rating");
		const sub = await client(a);
		const got = bodies(sub);
		await sub.subscribeAsync(TOPIC, { qos: 1 });
		// The subscription reaches B through Redis; publish until it has (then exactly once more).
		const pub = await client(b);
		const probe = rating();
		await until(
			async () => {
				if (!got.includes(probe)) await pub.publishAsync(TOPIC, probe, { qos: 1 });
				return got.includes(probe);
			},
			(ok) => ok,
			{ timeoutMs: 5_000, intervalMs: 100, what: "the first message across brokers" },
		);
		const body = rating();
		await pub.publishAsync(TOPIC, body, { qos: 1 });
		await until(
			() => got.filter((x) => x === body).length,
			(n) => n === 1,
			{ what: "the message published on B" },
		);
		// A second copy would come before a marker the same publisher sends now (MQTT-4.6.0-6).
		const marker = rating();
		await pub.publishAsync(TOPIC, marker, { qos: 1 });
		await until(
			() => got.includes(marker),
			(yes) => yes,
			{ what: "the marker" },
		);
		expect(got.filter((x) => x === body)).toHaveLength(1);
		// Ingest runs where the publish arrived: B stored it; A did not.
		const id = (JSON.parse(body) as { id: string }).id;
		const stored = async (hub: Hub) =>
			(await hub.store.readRange("demo", 0, Number.MAX_SAFE_INTEGER)).filter((e) => e.id === id).length;
		expect(await stored(b)).toBe(1);
		expect(await stored(a)).toBe(0);
	});

	it("shares retained messages: a status retained through A is sent to a subscriber on B", async () => {
		const TOPIC = demoTopic("win-02", "status");
		const body = JSON.stringify(payload({ online: true }));
		// A subscriber already on B sees the message go by first: from then on it is retained for
		// anyone subscribing later. Without waiting for it, a late subscriber on a loaded machine
		// sometimes subscribed before the message reached B, and got it live (retain 0).
		const early = await client(b);
		const passed: string[] = [];
		early.on("message", (_t, m) => passed.push(m.toString()));
		await early.subscribeAsync(TOPIC, { qos: 1 });
		await (await client(a)).publishAsync(TOPIC, body, { qos: 1, retain: true });
		await until(
			() => passed.includes(body),
			(yes) => yes,
			{ what: "the status passing B" },
		);
		const late = await client(b);
		const got: { body: string; retain: boolean }[] = [];
		late.on("message", (_t, m, p) => got.push({ body: m.toString(), retain: p.retain }));
		await late.subscribeAsync(TOPIC, { qos: 1 });
		await until(
			() => got.length,
			(n) => n >= 1,
			{ what: "the retained status on B" },
		);
		expect(got[0]).toEqual({ body, retain: true });
	});

	it("finds retained messages under a wildcard through the index (cleared ones not), and none where there are none", async () => {
		// Retained on A (the hub's ingest admits only configured nodes: the demo's).
		const pub = await client(a);
		const statuses = ["win-05", "win-06", "win-07"].map((n) => ({
			topic: demoTopic(n, "status"),
			body: JSON.stringify(payload({ online: true })),
		}));
		for (const { topic, body } of statuses) await pub.publishAsync(topic, body, { qos: 1, retain: true });
		await pub.publishAsync(demoTopic("win-07", "status"), "", { qos: 1, retain: true });
		const late = await client(b);
		const got = new Map<string, string>();
		late.on("message", (topic, m, p) => {
			if (p.retain) got.set(topic, m.toString());
		});
		await late.subscribeAsync(["vikno/v1/demo/+/status", "vikno/v1/demo/win-05/cmd/#"], { qos: 1 });
		await until(
			() => got.has(statuses[0]?.topic ?? "") && got.has(statuses[1]?.topic ?? ""),
			(yes) => yes,
			{ what: "the retained statuses on B" },
		);
		// A marker retained after them is delivered after them (one publisher, in order).
		const marker = { topic: demoTopic("win-08", "status"), body: JSON.stringify(payload({ online: true })) };
		await pub.publishAsync(marker.topic, marker.body, { qos: 1, retain: true });
		const again = await client(b);
		const second = new Map<string, string>();
		again.on("message", (topic, m, p) => {
			if (p.retain) second.set(topic, m.toString());
		});
		await again.subscribeAsync("vikno/v1/demo/#", { qos: 1 });
		await until(
			() => second.get(marker.topic),
			(body) => body === marker.body,
			{ what: "the marker" },
		);
		for (const { topic, body } of statuses.slice(0, 2)) {
			expect(got.get(topic)).toBe(body);
			expect(second.get(topic)).toBe(body);
		}
		expect(got.has(demoTopic("win-07", "status"))).toBe(false);
		expect(second.has(demoTopic("win-07", "status"))).toBe(false);
		expect([...got.keys()].some((t) => t.includes("/cmd/"))).toBe(false);
	});

	it("subscribes Redis once per broker, however many filters its clients subscribe to", async () => {
		const subs = await Promise.all(Array.from({ length: 5 }, () => client(a)));
		await Promise.all(subs.map((c, i) => c.subscribeAsync(demoTopic(`win-0${i + 1}`, "cmd/#"), { qos: 1 })));
		const r = new Redis(redis?.url ?? "");
		try {
			// PUBSUB NUMPAT: the patterns Redis matches every PUBLISH against (one, "*", for both brokers).
			expect(await r.call("PUBSUB", "NUMPAT")).toBe(1);
			expect(await r.call("PUBSUB", "CHANNELS")).toEqual([]);
		} finally {
			r.disconnect();
		}
	});

	it("keeps a clean=false session made on A and delivers its queued QoS 1 messages when it comes back on B", async () => {
		const TOPIC = demoTopic("win-03", "rating");
		const session = { clientId: "roamer", clean: false };
		const first = await client(a, session);
		await first.subscribeAsync(TOPIC, { qos: 1 });
		await first.endAsync();
		// A broker queues for an offline session only once it knows the subscription, and brokers
		// learn each other's subscriptions through Redis pub/sub (docs/broker.md): wait for both.
		const knows = async (hub: Hub) => {
			const { persistence } = hub.broker.aedes as unknown as {
				persistence: { subscriptionsByTopic(topic: string): Promise<{ clientId: string }[]> };
			};
			return (await persistence.subscriptionsByTopic(TOPIC)).some((s) => s.clientId === "roamer");
		};
		await until(
			async () => (await knows(a)) && (await knows(b)),
			(known) => known,
			{ what: "the subscription known on both brokers" },
		);

		// Away: published on both brokers.
		const sent = [rating(), rating(), rating(), rating()];
		const onA = await client(a);
		const onB = await client(b);
		for (const [i, body] of sent.entries()) await (i % 2 ? onB : onA).publishAsync(TOPIC, body, { qos: 1 });

		// Listening before the CONNACK: queued messages follow it at once.
		const back = mqtt.connect(b.mqttUrl, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5_000, ...session });
		clients.push(back);
		const got = bodies(back);
		let sessionPresent: boolean | undefined;
		back.once("connect", (connack) => {
			sessionPresent = connack.sessionPresent;
		});
		await until(
			() => got.length,
			(n) => n >= sent.length,
			{ what: "the queued messages on B" },
		);
		expect(sessionPresent).toBe(true);
		// A message sent twice would come before a marker each publisher sends now (MQTT-4.6.0-6).
		const markers = [rating(), rating()];
		await onA.publishAsync(TOPIC, markers[0] as string, { qos: 1 });
		await onB.publishAsync(TOPIC, markers[1] as string, { qos: 1 });
		await until(
			() => markers.every((m) => got.includes(m)),
			(yes) => yes,
			{ what: "both markers" },
		);
		got.splice(0, got.length, ...got.filter((m) => !markers.includes(m)));
		// Every message once. MQTT orders messages per publisher (MQTT-4.6.0-6), not across two
		// publishers on two brokers: each publisher's own messages arrive in the order sent.
		expect([...got].sort()).toEqual([...sent].sort());
		const fromA = sent.filter((_, i) => i % 2 === 0);
		const fromB = sent.filter((_, i) => i % 2 === 1);
		expect(got.filter((m) => fromA.includes(m))).toEqual(fromA);
		expect(got.filter((m) => fromB.includes(m))).toEqual(fromB);
		await back.endAsync();

		// Acknowledged on B: the session on A has nothing left for it.
		const again = await client(a, session);
		const more = bodies(again);
		const last = rating();
		await onA.publishAsync(TOPIC, last, { qos: 1 });
		await until(
			() => more.length,
			(len) => len >= 1,
			{ what: "a new message on A" },
		);
		expect(more).toEqual([last]);
	});
});
