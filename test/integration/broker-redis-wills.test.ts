/**
 * The Wills a city's brokers keep in Redis (broker/persistence.ts, willsInASet): their keys in a
 * set, not aedes-persistence-redis' list (whose LREM read the whole list twice per CONNECT), with
 * a real aedes, a real `redis-server` and MQTT.js clients:
 * - a list left by an earlier version is moved into the set at start, all of it — more than the
 *   10 001 Wills the store's own stream ever read — and streamed as a dead broker's Wills;
 * - a node's CONNECT with a Will adds one key, its clean DISCONNECT removes it, the list stays unused;
 * - a live broker's Wills are not streamed; a key whose value is gone is dropped from the set.
 */
import { Redis } from "ioredis";
import mqtt, { type MqttClient } from "mqtt";
import msgpack from "msgpack-lite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningBroker, startBroker } from "../../broker/broker.ts";
import { WILLS_LIST, WILLS_SET, type WillStore } from "../../broker/persistence.ts";
import { type RedisServer, startRedis } from "../fixtures/redis.ts";
import { until } from "../fixtures/wait.ts";

const EARLIER = 10_050;
let redis: RedisServer;
let db: Redis;
let broker: RunningBroker;
const clients: MqttClient[] = [];

const willOf = (brokerId: string, node: string) => ({
	cmd: "publish",
	topic: `status/${node}`,
	payload: Buffer.from(`${node} offline`),
	qos: 1,
	retain: true,
	clientId: node,
	brokerId,
});
const keyOf = (brokerId: string, node: string) => `will:${brokerId}:${encodeURIComponent(node)}`;

beforeAll(async () => {
	redis = await startRedis();
	db = new Redis(redis.url);
	// What a hub of an earlier version left: its Wills listed, as aedes-persistence-redis lists them.
	const multi = db.multi();
	for (let i = 0; i < EARLIER; i++) {
		const node = `old/node-${i}`;
		multi.rpush(WILLS_LIST, keyOf("gone-broker", node));
		multi.set(keyOf("gone-broker", node), msgpack.encode(willOf("gone-broker", node)));
	}
	await multi.exec();
	broker = await startBroker({
		port: 0,
		host: "127.0.0.1",
		auth: { allowAnonymous: true, nodeRole: () => undefined },
		persistence: { kind: "redis", url: redis.url },
		admit: async () => ({ forward: true }),
	});
}, 60_000);

afterAll(async () => {
	await Promise.all(clients.map((c) => c.endAsync(true)));
	await broker?.close();
	db?.disconnect();
	await redis?.stop();
});

const store = () =>
	(broker.aedes as unknown as { persistence: { asyncPersistence: WillStore } }).persistence.asyncPersistence;

async function streamed(brokers: Record<string, number>): Promise<string[]> {
	const out: string[] = [];
	for await (const will of store().streamWill(brokers)) out.push(String(will.clientId));
	return out;
}

describe("the Wills in Redis", () => {
	it("moves an earlier version's list into the set at start, every one of them", async () => {
		expect(await db.llen(WILLS_LIST)).toBe(0);
		expect(await db.scard(WILLS_SET)).toBe(EARLIER);
		// Streamed as the Wills of a broker that is gone (this one is alive): all of them, once each.
		const gone = await streamed({ [broker.aedes.id]: Date.now() });
		expect(gone.length).toBe(EARLIER);
		expect(new Set(gone).size).toBe(EARLIER);
		expect(gone).toContain("old/node-10049");
	});

	it("adds a key at a CONNECT with a Will and removes it at a clean DISCONNECT", async () => {
		const connect = (id: string) =>
			mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, {
				protocolVersion: 4,
				clientId: id,
				clean: false,
				reconnectPeriod: 0,
				will: { topic: `status/${id}`, payload: Buffer.from("offline"), qos: 1, retain: true },
			});
		const a = await connect("node-a");
		const b = await connect("node-b");
		clients.push(a, b);
		const mine = (id: string) => keyOf(broker.aedes.id, id);
		await until(
			() => db.smismember(WILLS_SET, mine("node-a"), mine("node-b")),
			(m) => m.every((x) => x === 1),
			{ what: "both Wills' keys in the set" },
		);
		expect(await db.scard(WILLS_SET)).toBe(EARLIER + 2);
		expect(await db.llen(WILLS_LIST)).toBe(0);
		expect(msgpack.decode((await db.getBuffer(mine("node-a"))) as Buffer)).toMatchObject({
			topic: "status/node-a",
			clientId: "node-a",
			brokerId: broker.aedes.id,
		});
		// A live broker's Wills are not streamed (not even read): only the earlier ones.
		const gone = await streamed({ [broker.aedes.id]: Date.now() });
		expect(gone).not.toContain("node-a");
		expect(gone.length).toBe(EARLIER);
		// With this broker taken for dead, its nodes' Wills are there too.
		expect(await streamed({})).toEqual(expect.arrayContaining(["node-a", "node-b"]));

		await a.endAsync();
		await until(
			() => db.sismember(WILLS_SET, mine("node-a")),
			(m) => m === 0,
			{ what: "node-a's Will removed at its DISCONNECT" },
		);
		expect(await db.exists(mine("node-a"))).toBe(0);
		expect(await db.sismember(WILLS_SET, mine("node-b"))).toBe(1);
	});

	it("drops a key whose Will is gone, and deletes a dead broker's Will as aedes does after publishing it", async () => {
		await db.del(keyOf("gone-broker", "old/node-0"));
		const before = await db.scard(WILLS_SET);
		const gone = await streamed({ [broker.aedes.id]: Date.now() });
		expect(gone).not.toContain("old/node-0");
		expect(await db.scard(WILLS_SET)).toBe(before - 1);
		const will = await store().delWill({ id: "old/node-1", brokerId: "gone-broker" });
		expect(will).toMatchObject({ topic: "status/old/node-1", clientId: "old/node-1" });
		expect(Buffer.from(will?.payload as Uint8Array).toString()).toBe("old/node-1 offline");
		expect(await db.sismember(WILLS_SET, keyOf("gone-broker", "old/node-1"))).toBe(0);
		expect(await store().delWill({ id: "old/node-1", brokerId: "gone-broker" })).toBeNull();
	});
});
