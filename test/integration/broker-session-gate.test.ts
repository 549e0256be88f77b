/**
 * A resumed session gets its CONNACK first (MQTT-3.2.0-1) and every queued message once, even when
 * a message for it arrives between the broker restoring its subscriptions and writing the CONNACK
 * (broker/sessionGate.ts). The interleaving is forced every time, not left to load: the session
 * store's Will step, which aedes runs in exactly that gap, is held until the message has reached
 * the session — either held by the broker or written to the client.
 *
 * With LevelDB the message is published on the same hub; with two hubs on Redis it is published on
 * hub A while the session comes back on hub B, as in the failure traced under load.
 */

import type { Client } from "aedes";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PersistenceConfig } from "../../broker/persistence.ts";
import type { Hub } from "../../server/hub.ts";
import { demoTopic, payload } from "../fixtures/events.ts";
import { startTestHub, tempDir } from "../fixtures/hub.ts";
import { type RedisServer, redisAvailable, startRedis } from "../fixtures/redis.ts";
import { until } from "../fixtures/wait.ts";

const withRedis = redisAvailable();
const dirs: { remove(): void }[] = [];
const clients: MqttClient[] = [];
let redis: RedisServer | undefined;

function hubWith(persistence: PersistenceConfig): Promise<Hub> {
	const dir = tempDir("vikno-gate-");
	dirs.push(dir);
	return startTestHub(dir.path, {
		broker: { persistence },
	});
}

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

type Store = {
	subscriptionsByTopic(topic: string): Promise<{ clientId: string }[]>;
	delWill(client: Client): Promise<unknown>;
};
const storeOf = (hub: Hub) => (hub.broker.aedes as unknown as { persistence: Store }).persistence;

async function known(hub: Hub, clientId: string, topic: string): Promise<void> {
	await until(
		async () => (await storeOf(hub).subscriptionsByTopic(topic)).some((s) => s.clientId === clientId),
		(yes) => yes,
		{ what: `${clientId}'s subscription known` },
	);
}

let n = 0;

/**
 * A clean=false session made on `home` comes back on `home` while a message for it is published
 * on `via` in the gap before its CONNACK. Returns the packets the client received, in order, and
 * the message bodies, once a marker published after everything has arrived.
 */
async function resumeDuringPublish(home: Hub, via: Hub) {
	const id = `gate-${++n}`;
	const TOPIC = demoTopic("win-04", "rating");
	const session = { clientId: id, clean: false };
	await (await client(home, session)).subscribeAsync(TOPIC, { qos: 1 });
	await clients.at(-1)?.endAsync();
	await known(home, id, TOPIC);
	await known(via, id, TOPIC);

	const publisher = await client(via);
	const body = JSON.stringify(payload({ score: 3 }));
	const packets: string[] = [];
	const bodies: string[] = [];
	const store = storeOf(home);
	const delWill = store.delWill.bind(store);
	let forced = false;
	store.delWill = async (c) => {
		if (c.id === id) {
			store.delWill = delWill;
			await publisher.publishAsync(TOPIC, body, { qos: 1 });
			// The message has reached the session: held by the broker, or (without the gate) sent.
			await until(
				() => home.broker.heldFor(c) > 0 || packets.includes("publish"),
				(yes) => yes,
				{ what: "the message at the session before its CONNACK" },
			);
			forced = true;
		}
		return delWill(c);
	};

	const back = mqtt.connect(home.mqttUrl, {
		protocolVersion: 4,
		reconnectPeriod: 0,
		connectTimeout: 5_000,
		...session,
	});
	back.on("error", () => {});
	clients.push(back);
	back.on("packetreceive", (p) => packets.push(p.cmd));
	back.on("message", (_t, m) => bodies.push(m.toString()));
	await until(
		() => bodies.length,
		(len) => len >= 1,
		{ what: "the message after the CONNACK" },
	);
	// Anything sent twice comes before a marker the same publisher sends now (MQTT-4.6.0-6).
	const marker = JSON.stringify(payload({ score: 1 }));
	await publisher.publishAsync(TOPIC, marker, { qos: 1 });
	await until(
		() => bodies.includes(marker),
		(yes) => yes,
		{ what: "the marker" },
	);
	return { forced, packets, bodies, body, marker };
}

afterAll(async () => {
	for (const c of clients) c.end(true);
	for (const d of dirs) d.remove();
});

describe("one hub, LevelDB sessions", () => {
	let hub: Hub;
	beforeAll(async () => {
		const dir = tempDir("vikno-gate-level-");
		dirs.push(dir);
		hub = await hubWith({ kind: "level", path: `${dir.path}/sessions` });
	});
	afterAll(async () => {
		await hub?.close();
	});

	it("sends the CONNACK first and the message once when it arrives while the session is being restored", async () => {
		const r = await resumeDuringPublish(hub, hub);
		expect(r.forced).toBe(true);
		expect(r.packets[0]).toBe("connack");
		expect(r.bodies).toEqual([r.body, r.marker]);
	});
});

describe.skipIf(!withRedis)("two hubs on Redis", () => {
	let a: Hub;
	let b: Hub;
	beforeAll(async () => {
		redis = await startRedis();
		a = await hubWith({ kind: "redis", url: redis.url });
		b = await hubWith({ kind: "redis", url: redis.url });
	}, 60_000);
	afterAll(async () => {
		await a?.close();
		await b?.close();
		await redis?.stop();
	});

	it("sends the CONNACK first and the message once when it comes from the other hub while the session is restored", async () => {
		const r = await resumeDuringPublish(b, a);
		expect(r.forced).toBe(true);
		expect(r.packets[0]).toBe("connack");
		expect(r.bodies).toEqual([r.body, r.marker]);
	});

	it("answers a persistent client's SUBSCRIBE of several filters in one packet", async () => {
		const c = await client(b, { clientId: "gate-multi", clean: false });
		const suback = c.subscribeAsync({
			[demoTopic("win-01", "rating")]: { qos: 1 },
			[demoTopic("win-02", "rating")]: { qos: 1 },
		});
		const granted = await Promise.race([
			suback,
			new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no SUBACK within 5 s")), 5_000)),
		]);
		expect(granted.map((g) => g.qos)).toEqual([1, 1]);
	});
});
