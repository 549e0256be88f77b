/**
 * The per-device rate through real parts: a device (its own credential, as in the field) that
 * floods the hub is slowed down — its PUBACKs come at the rate — and loses nothing; another
 * device is not held up behind it; each delayed message is counted.
 */
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeviceRegistry, registryPath } from "../../broker/registry.ts";
import type { Hub } from "../../server/hub.ts";
import { demoTopic, payload } from "../fixtures/events.ts";
import { metric, startTestHub, tempDir } from "../fixtures/hub.ts";

const dir = tempDir("vikno-node-rate-");
let hub: Hub;
const creds: Record<string, string> = {};
const rate = { perSecond: 50, burst: 10 };

beforeAll(async () => {
	const registry = new DeviceRegistry(registryPath(dir.path));
	for (const node of ["door-main", "terminal-1"])
		creds[node] = (await registry.add({ kind: "node", centre: "demo", node })).password;
	hub = await startTestHub(dir.path, { allowAnonymous: false, nodeRate: rate });
});
afterAll(async () => {
	await hub?.close();
	dir.remove();
});

function device(node: string): Promise<MqttClient> {
	return mqtt.connectAsync(hub.mqttUrl, {
		protocolVersion: 4,
		reconnectPeriod: 0,
		clientId: `demo/${node}`,
		username: `demo/${node}`,
		password: creds[node] ?? "",
	});
}

describe("a device over its rate", () => {
	it("is slowed down, loses nothing, and does not hold up another device", async () => {
		const door = await device("door-main");
		const terminal = await device("terminal-1");
		const n = 100;
		let acked = 0;
		const started = Date.now();
		const flood = Promise.all(
			Array.from({ length: n }, () =>
				door
					.publishAsync(demoTopic("door-main", "occupancy"), JSON.stringify(payload({ zone: "hall", in: 1, out: 1 })), {
						qos: 1,
					})
					.then(() => acked++),
			),
		);
		// The terminal's ticket is admitted while the door still waits for its PUBACKs: it does not
		// queue behind the flood (which takes at least 1.8 s, below).
		await terminal.publishAsync(
			demoTopic("terminal-1", "queue"),
			JSON.stringify(payload({ event: "issued", ticket: "A001", service: "passports" })),
			{ qos: 1 },
		);
		expect(acked).toBeLessThan(n);
		await flood;
		const elapsed = Date.now() - started;
		// 10 at once, then 50 a second: the other 90 take at least 1.8 s.
		expect(elapsed).toBeGreaterThanOrEqual(((n - rate.burst) / rate.perSecond) * 1000 - 50);
		expect(await hub.countEvents({ kind: "occupancy" })).toBe(n);
		expect(door.connected).toBe(true);
		const m = await (await fetch(`${hub.httpUrl}/metrics`)).text();
		const delayed = metric(m, "vikno_node_rate_delayed_total");
		expect(delayed).toBeGreaterThan(n - rate.burst - 10);
		expect(delayed).toBeLessThanOrEqual(n - rate.burst);
		expect(metric(m, "vikno_node_rate_delay_seconds_total")).toBeGreaterThan(0);
		expect(metric(m, 'vikno_messages_total{result="accepted",reason=""}')).toBe(n + 1);
		await door.endAsync();
		await terminal.endAsync();
	});
});
