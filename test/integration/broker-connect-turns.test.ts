/**
 * Connecting in turns (broker/connectTurns.ts) on a real aedes broker with real clients: a storm
 * of connections is served a bounded number at a time, clients that leave before their turn or
 * are refused do not keep a turn, and one that waited too long has its connection closed at once
 * (no CONNACK: MQTT.js would not reconnect after a refusal) and gets in when it tries again.
 */
import { type Socket, connect as tcp } from "node:net";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type RunningBroker, startBroker } from "../../broker/broker.ts";
import type { ConnectRefusal } from "../../broker/reasons.ts";
import { frame, str } from "../fixtures/mqttBytes.ts";
import { type RedisServer, startRedis } from "../fixtures/redis.ts";
import { until } from "../fixtures/wait.ts";

// Sessions in Redis, as the brokers of a city keep them: each connect waits on round trips, so a
// storm's connects overlap (in memory they would finish one by one anyway).
let redis: RedisServer;
beforeAll(async () => {
	redis = await startRedis();
});
afterAll(async () => {
	await redis?.stop();
});

let broker: RunningBroker | undefined;
const clients: MqttClient[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
	for (const s of sockets.splice(0)) s.destroy();
	await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
	// Every client gone from the broker (its Redis work done) before the store closes under it.
	const b = broker;
	if (b)
		await until(
			() => Object.keys((b.aedes as unknown as { clients: object }).clients).length,
			(n) => n === 0,
			{
				timeoutMs: 10_000,
				what: "clients gone",
			},
		);
	await broker?.close();
	broker = undefined;
});

async function start(limits: { maxConnecting: number; maxConnectWaitMs?: number }) {
	const seen = { peakConnecting: 0, peakWaiting: 0, connecting: 0, refused: [] as ConnectRefusal[] };
	broker = await startBroker({
		port: 0,
		host: "127.0.0.1",
		auth: { allowAnonymous: true, nodeRole: () => undefined },
		limits,
		persistence: { kind: "redis", url: redis.url },
		admit: async () => ({ forward: true }),
		observer: {
			connectTurns(connecting, waiting) {
				seen.connecting = connecting;
				seen.peakConnecting = Math.max(seen.peakConnecting, connecting);
				seen.peakWaiting = Math.max(seen.peakWaiting, waiting);
			},
			connectRefused: (reason) => seen.refused.push(reason),
		},
	});
	return { url: `mqtt://127.0.0.1:${broker.port}`, port: broker.port, seen };
}

/** A client with a persistent session and a Will, as a node connects; resolves at its CONNACK or refusal. */
function node(url: string, id: string): Promise<{ client: MqttClient; refused?: number }> {
	return new Promise((resolve) => {
		const client = mqtt.connect(url, {
			protocolVersion: 4,
			clientId: id,
			clean: false,
			reconnectPeriod: 0,
			connectTimeout: 20_000,
			will: { topic: `status/${id}`, payload: Buffer.from("offline"), qos: 1, retain: true },
		});
		clients.push(client);
		client.once("connect", () => resolve({ client }));
		client.once("error", (err: Error & { code?: number }) => resolve({ client, refused: Number(err.code) }));
	});
}

const connectPacket = (id: string) =>
	// clean false, keep-alive 30 s
	frame(0x10, Buffer.concat([str("MQTT"), Buffer.from([4, 0, 0, 30]), str(id)]));

/**
 * `ids.length` raw sockets, all open before any sends its CONNECT; then every CONNECT written in
 * one go, so the broker reads them together (a storm, not a queue of one). Each resolves with the
 * CONNACK's return code, or "closed".
 */
async function storm(port: number, ids: string[]): Promise<(number | "closed")[]> {
	const opened = ids.map(() => {
		const s = tcp({ port, host: "127.0.0.1" });
		sockets.push(s);
		s.on("error", () => {});
		return new Promise<Socket>((resolve) => s.once("connect", () => resolve(s)));
	});
	const socks = await Promise.all(opened);
	const answers = socks.map(
		(s) =>
			new Promise<number | "closed">((resolve) => {
				let got = Buffer.alloc(0);
				s.on("data", (b: Buffer) => {
					got = Buffer.concat([got, b]);
					if (got.length >= 4 && got[0] === 0x20) resolve(got[3] as number);
				});
				s.once("close", () => resolve("closed"));
			}),
	);
	for (const [i, s] of socks.entries()) s.write(connectPacket(ids[i] as string));
	return Promise.all(answers);
}

/** A raw socket that sends a CONNECT and is destroyed right after: a node giving up at once. */
function quitter(port: number, id: string): void {
	const s = tcp({ port, host: "127.0.0.1" });
	sockets.push(s);
	s.on("error", () => {});
	s.on("connect", () => {
		s.write(connectPacket(id));
		setImmediate(() => s.destroy());
	});
}

describe("connecting in turns", () => {
	it("serves a storm of 200 nodes one at a time, all connected, none refused", async () => {
		const { port, seen } = await start({ maxConnecting: 1 });
		const codes = await storm(
			port,
			Array.from({ length: 200 }, (_, i) => `storm-${i}`),
		);
		expect(codes).toEqual(codes.map(() => 0));
		expect(seen.peakConnecting).toBe(1);
		// The storm did queue: otherwise the bound was never tested.
		expect(seen.peakWaiting).toBeGreaterThan(10);
		await until(
			() => seen.connecting,
			(n) => n === 0,
			{ timeoutMs: 5_000, what: "no client connecting" },
		);
	});

	it("gives no turn to nodes that left while waiting, nor keeps one for a refused client", async () => {
		const { url, port, seen } = await start({ maxConnecting: 1 });
		const pending: Promise<{ client: MqttClient; refused?: number }>[] = [];
		for (let i = 0; i < 60; i++) {
			quitter(port, `quit-${i}`);
			pending.push(node(url, `stay-${i}`));
		}
		const results = await Promise.all(pending);
		expect(results.every((r) => r.client.connected)).toBe(true);
		// With one turn, a turn kept by any of the 60 that left would have stopped everyone after it.
		await until(
			() => seen.connecting,
			(n) => n === 0,
			{ timeoutMs: 5_000, what: "every turn released" },
		);
		const late = await node(url, "after-the-storm");
		expect(late.client.connected).toBe(true);
		expect(seen.refused).toEqual([]);
		// None of those that left is kept as a client (aedes registered one that closed mid-connect).
		const registered = () => Object.keys((broker?.aedes as unknown as { clients: object } | undefined)?.clients ?? {});
		await until(registered, (ids) => !ids.some((id) => id.startsWith("quit-")), { what: "no quitter registered" });
		expect(registered().sort()).toEqual(
			[...Array.from({ length: 60 }, (_, i) => `stay-${i}`), "after-the-storm"].sort(),
		);
	});

	it("closes the connection of a node that waited longer than the bound, counted as busy, and it connects when it tries again", async () => {
		const { url, port, seen } = await start({ maxConnecting: 1, maxConnectWaitMs: 1 });
		const ids = Array.from({ length: 100 }, (_, i) => `busy-${i}`);
		const codes = await storm(port, ids);
		const refused = ids.filter((_, i) => codes[i] !== 0);
		expect(refused.length).toBeGreaterThan(0);
		expect(new Set(refused.map((id) => codes[ids.indexOf(id)]))).toEqual(new Set(["closed"]));
		expect(seen.refused.filter((r) => r === "busy")).toHaveLength(refused.length);
		await until(
			() => seen.connecting,
			(n) => n === 0,
			{ timeoutMs: 5_000, what: "no client connecting" },
		);
		// Once the storm is over, the refused ones get in (the same client ids, one after another).
		for (const id of refused.slice(0, 5)) {
			// The turn ends a moment after the CONNACK (once the session is ready): wait for it.
			await until(
				() => seen.connecting,
				(n) => n === 0,
				{ timeoutMs: 5_000, what: "the last turn ended" },
			);
			const again = await node(url, id);
			expect(again.refused).toBeUndefined();
			expect(again.client.connected).toBe(true);
		}
	});
});
