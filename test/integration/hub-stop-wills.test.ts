/**
 * A planned stop of the hub is not its nodes' failure. On close the broker does not publish the
 * Wills of the nodes connected to it: each would store and retain "offline" for a node about to
 * reconnect (and publishing thousands of them kept a hub holding 5 000 nodes from stopping within
 * its 30 s). The Wills stay in the session store: a node that reconnects to the next hub replaces
 * its own, and the Will of one that does not come back is published by the next hub's sweep of
 * Wills whose broker is gone (aedes' heartbeat, shortened here).
 */
import { join } from "node:path";
import Database from "better-sqlite3";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, describe, expect, it } from "vitest";
import type { Hub } from "../../server/hub.ts";
import { demoTopic, payload } from "../fixtures/events.ts";
import { startTestHub, tempDir } from "../fixtures/hub.ts";
import { until } from "../fixtures/wait.ts";

const dir = tempDir("vikno-stop-wills-");
const hubs: Hub[] = [];
const clients: MqttClient[] = [];
/** The sweep runs every 4 heartbeats: 8 s, time enough for a node to come back first. */
const HEARTBEAT_MS = 2_000;

afterAll(async () => {
	for (const c of clients) c.end(true);
	for (const h of hubs) await h.close().catch(() => {});
	dir.remove();
});

async function hub(): Promise<Hub> {
	const h = await startTestHub(dir.path, { broker: { heartbeatMs: HEARTBEAT_MS } });
	hubs.push(h);
	return h;
}

/** A window node as the edge connects: a persistent session, its status offline as its Will. */
async function node(h: Hub, id: string): Promise<MqttClient> {
	const c = await mqtt.connectAsync(h.mqttUrl, {
		protocolVersion: 4,
		reconnectPeriod: 0,
		clientId: `stop-${id}`,
		clean: false,
		will: {
			topic: demoTopic(id, "status"),
			payload: Buffer.from(JSON.stringify(payload({ online: false }))),
			qos: 1,
			retain: true,
		},
	});
	c.on("error", () => {});
	clients.push(c);
	await c.publishAsync(demoTopic(id, "status"), JSON.stringify(payload({ online: true })), { qos: 1, retain: true });
	return c;
}

/** The statuses stored, in order: "node online|offline". */
function statuses(): string[] {
	const db = new Database(join(dir.path, "vikno.db"), { readonly: true });
	try {
		const rows = db.prepare("SELECT node, data FROM events WHERE kind = 'status' ORDER BY rx_ts").all() as {
			node: string;
			data: string;
		}[];
		return rows.map((r) => `${r.node} ${(JSON.parse(r.data) as { online: boolean }).online ? "online" : "offline"}`);
	} finally {
		db.close();
	}
}

describe("a planned stop of the hub", () => {
	it("publishes no Will; the next hub publishes the Will of a node that does not come back, not of one that does", async () => {
		const first = await hub();
		await node(first, "win-01");
		await node(first, "win-02");
		expect(statuses()).toEqual(["win-01 online", "win-02 online"]);

		await first.close();
		hubs.length = 0;
		// Nothing stored on the way down: the nodes did not fail, the hub stopped.
		expect(statuses()).toEqual(["win-01 online", "win-02 online"]);

		const second = await hub();
		await node(second, "win-01"); // back at once; win-02 stays away
		await until(statuses, (s) => s.includes("win-02 offline"), {
			what: "win-02's Will, published by the next hub's sweep",
			timeoutMs: 30_000,
		});
		expect(statuses()).toEqual(["win-01 online", "win-02 online", "win-01 online", "win-02 offline"]);

		// As state for a subscriber: win-02 retained offline, win-01 online.
		const watcher = await mqtt.connectAsync(second.mqttUrl, { protocolVersion: 4, reconnectPeriod: 0 });
		clients.push(watcher);
		const retained = new Map<string, boolean>();
		watcher.on("message", (topic, body) =>
			retained.set(topic, (JSON.parse(body.toString()) as { online: boolean }).online),
		);
		await watcher.subscribeAsync([demoTopic("win-01", "status"), demoTopic("win-02", "status")], { qos: 1 });
		await until(
			() => retained.size,
			(n) => n === 2,
			{ what: "both retained statuses" },
		);
		expect(retained.get(demoTopic("win-01", "status"))).toBe(true);
		expect(retained.get(demoTopic("win-02", "status"))).toBe(false);
	}, 60_000);
});
