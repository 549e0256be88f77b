/**
 * Persistent sessions (MQTT 3.1.1 §3.1.2.4) on the hub's file-backed store: a clean=false
 * subscriber is away while 1 000 QoS 1 messages are published, the hub restarts, and the
 * subscriber gets every one of them when it comes back.
 */
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, describe, expect, it } from "vitest";
import type { Hub } from "../../server/hub.ts";
import { demoTopic, payload } from "../fixtures/events.ts";
import { startTestHub, tempDir } from "../fixtures/hub.ts";
import { until } from "../fixtures/wait.ts";

const dir = tempDir("vikno-broker-sessions-");
let hub: Hub | undefined;
afterAll(async () => {
	await hub?.close();
	dir.remove();
});

const N = 1_000;
const TOPIC = demoTopic("win-01", "rating");

function persistent(url: string): Promise<MqttClient> {
	return mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, clientId: "session-keeper", clean: false });
}

describe("persistent sessions", () => {
	it("delivers 1 000 QoS 1 messages queued for an offline clean=false subscriber across a hub restart", async () => {
		hub = await startTestHub(dir.path);
		expect(hub.broker.persistence).toMatch(/^level:/);
		const first = await persistent(hub.mqttUrl);
		await first.subscribeAsync(TOPIC, { qos: 1 });
		await first.endAsync();

		const publisher = await mqtt.connectAsync(hub.mqttUrl, { protocolVersion: 4, reconnectPeriod: 0 });
		const ids = Array.from({ length: N }, () => payload({ score: 4 }));
		await Promise.all(ids.map((p) => publisher.publishAsync(TOPIC, JSON.stringify(p), { qos: 1 })));
		await publisher.endAsync();

		await hub.close();
		hub = await startTestHub(dir.path);

		const got = new Map<string, boolean>();
		const back = await mqtt.connectAsync(hub.mqttUrl, {
			protocolVersion: 4,
			reconnectPeriod: 0,
			clientId: "session-keeper",
			clean: false,
		});
		back.on("message", (_t, body, packet) => {
			got.set((JSON.parse(body.toString()) as { id: string }).id, packet.retain);
		});
		await until(
			() => got.size,
			(n) => n >= N,
			{ timeoutMs: 20_000, what: "all queued messages" },
		);
		expect(new Set(got.keys())).toEqual(new Set(ids.map((p) => p.id)));
		await back.endAsync();

		// Once delivered and acknowledged they are gone from the session: after reconnecting, the
		// first message it gets is a new one (the queue is sent before anything new).
		const again = await persistent(hub.mqttUrl);
		const more: string[] = [];
		again.on("message", (_t, body) => more.push(body.toString()));
		const marker = JSON.stringify(payload({ score: 2 }));
		const late = await mqtt.connectAsync(hub.mqttUrl, { protocolVersion: 4, reconnectPeriod: 0 });
		await late.publishAsync(TOPIC, marker, { qos: 1 });
		await late.endAsync();
		await until(
			() => more.length,
			(n) => n >= 1,
			{ what: "the new message" },
		);
		expect(more).toEqual([marker]);
		await again.endAsync();
	}, 120_000);
});
