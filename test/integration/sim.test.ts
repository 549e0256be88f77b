import { once } from "node:events";
import net, { type AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { Aedes, type Client } from "aedes";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCentreFile } from "../../config/load.ts";
import { indexCentre } from "../../core/centre.ts";
import type { QueueData, StatusData } from "../../core/contract.ts";
import { decode } from "../../core/decode.ts";
import { startSimulation } from "../../firmware-sim/runner.ts";
import { SIM_VERSION } from "../../firmware-sim/sim-node.ts";

const centre = loadCentreFile(fileURLToPath(new URL("../../config/centres/demo.yaml", import.meta.url)));
const index = indexCentre(centre);

interface Received {
	topic: string;
	retain: boolean;
	bytes: Buffer;
}

let broker: Aedes;
let server: net.Server;
let url: string;
const brokerClients = new Map<string, Client>();

beforeAll(async () => {
	broker = await Aedes.createBroker();
	broker.on("clientReady", (c) => brokerClients.set(c.id, c));
	server = net.createServer(broker.handle);
	server.listen(0, "127.0.0.1");
	await once(server, "listening");
	url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
	await new Promise<void>((resolve) => server.close(() => resolve()));
	await new Promise<void>((resolve) => broker.close(() => resolve()));
});

async function subscriber(name: string, into: Received[]): Promise<MqttClient> {
	const client = await mqtt.connectAsync(url, { protocolVersion: 4, clientId: name, clean: true, reconnectPeriod: 0 });
	client.on("message", (topic, bytes, packet) => into.push({ topic, retain: packet.retain, bytes }));
	await client.subscribeAsync("vikno/v1/#", { qos: 1 });
	return client;
}

async function until(what: string, ok: () => boolean, timeoutMs: number): Promise<void> {
	const end = Date.now() + timeoutMs;
	while (!ok()) {
		if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
}

const statusOf = (r: Received) => JSON.parse(r.bytes.toString()) as StatusData;
const nodeOf = (r: Received) => r.topic.split("/")[3] ?? "";

describe("simulator against a real broker", () => {
	it("publishes valid events of every kind from one MQTT client per node, and says goodbye", async () => {
		const startedAt = Date.now();
		const sim = await startSimulation({ centre, brokerUrl: url, speed: 1200, seed: 7, tickMs: 100 });
		const seen: Received[] = [];
		const sub = await subscriber("test-sub", seen);
		try {
			expect([...brokerClients.keys()].filter((id) => id.startsWith("sim-")).sort()).toEqual(
				centre.nodes.map((n) => `sim-${centre.id}-${n.id}`).sort(),
			);
			const queueEvents = () =>
				new Set(
					seen
						.filter((r) => r.topic.endsWith("/queue"))
						.map((r) => (JSON.parse(r.bytes.toString()) as QueueData).event),
				);
			const has = (kind: string) => seen.some((r) => r.topic.endsWith(`/${kind}`));
			await until(
				"issued, called, started, finished, rating and occupancy",
				() =>
					["issued", "called", "started", "finished"].every((e) => queueEvents().has(e as QueueData["event"])) &&
					has("rating") &&
					has("occupancy"),
				15_000,
			);

			// Every node's retained status reached the late subscriber as retained and online.
			const retained = seen.filter((r) => r.topic.endsWith("/status") && r.retain);
			expect(new Set(retained.map(nodeOf))).toEqual(new Set(centre.nodes.map((n) => n.id)));
			for (const r of retained) {
				expect(statusOf(r)).toMatchObject({ online: true, version: SIM_VERSION, buffered: 0 });
			}

			// A node dropped without DISCONNECT: the broker publishes its Last Will, then it comes back.
			const door = brokerClients.get(`sim-${centre.id}-door-main`);
			const mark = seen.length;
			door?.close();
			const doorStatuses = () =>
				seen
					.slice(mark)
					.filter((r) => r.topic === `vikno/v1/${centre.id}/door-main/status`)
					.map(statusOf);
			await until(
				"the door node's Last Will and its return",
				() => {
					const s = doorStatuses();
					const gone = s.findIndex((x) => !x.online);
					return gone >= 0 && s.slice(gone + 1).some((x) => x.online);
				},
				10_000,
			);
		} finally {
			await sim.stop();
		}
		const stoppedAt = Date.now();
		const goodbyes = () =>
			new Set(seen.filter((r) => r.topic.endsWith("/status") && !statusOf(r).online && !r.retain).map(nodeOf));
		await until("every node's online:false", () => goodbyes().size === centre.nodes.length, 5_000);
		await sub.endAsync();

		// Everything that arrived is a valid event of this centre, stamped at the edge.
		const ids = new Set<string>();
		for (const r of seen) {
			const d = decode(r.topic, r.bytes, { centre: (id) => (id === centre.id ? index : undefined) });
			expect(d, `${r.topic} ${r.bytes.toString()}`).toMatchObject({ ok: true });
			if (!d.ok) continue;
			ids.add(d.event.data.id);
			expect(d.event.data.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
			expect(d.event.data.ts).toBeGreaterThanOrEqual(startedAt - 1000);
			expect(d.event.data.ts).toBeLessThanOrEqual(stoppedAt + 1000);
		}
		expect(ids.size).toBe(seen.length);

		const { published, acked } = sim.stats();
		expect(acked).toBe(published);
		expect(published).toBeGreaterThan(50);

		// The broker keeps the last word of each node: a fresh subscriber sees them all offline.
		const after: Received[] = [];
		const late = await subscriber("test-late", after);
		await until("retained statuses", () => after.length >= centre.nodes.length, 5_000);
		await late.endAsync();
		const finalStatus = new Map(after.filter((r) => r.retain).map((r) => [nodeOf(r), statusOf(r).online]));
		expect(finalStatus).toEqual(new Map(centre.nodes.map((n) => [n.id, false])));
		await until("all simulated clients gone", () => broker.connectedClients === 0, 5_000);
	});

	it("follows the opening hours from a chosen simulated start: quiet on Sunday, a queue on Monday at 09:00", async () => {
		const seen: Received[] = [];
		const sub = await subscriber("test-hours", seen);
		const queueAt = (prefix: string) =>
			seen.filter((r) => r.topic.startsWith(`vikno/v1/${prefix}/`) && r.topic.endsWith("/queue")).length;
		// Sunday 08:00 in Kyiv: at 3600× two wall seconds are two simulated hours of a closed day.
		const sundayFrom = Date.now();
		const sunday = await startSimulation({
			centre: { ...centre, id: "demo-sunday" },
			brokerUrl: url,
			speed: 3600,
			seed: 3,
			tickMs: 50,
			// Every node refreshes its status often: the markers below.
			statusEveryMs: 100,
			startAt: Date.UTC(2025, 2, 16, 6, 0),
			hall: { followHours: true, arrivalsPerHour: 60 },
		});
		// Monday 08:58: the crowd at the door comes in at 09:00, two simulated minutes later.
		const monday = await startSimulation({
			centre: { ...centre, id: "demo-monday" },
			brokerUrl: url,
			speed: 600,
			seed: 3,
			tickMs: 50,
			startAt: Date.UTC(2025, 2, 17, 6, 58),
			hall: { followHours: true, arrivalsPerHour: 60 },
		});
		try {
			await until("Monday's first tickets", () => queueAt("demo-monday") >= 5, 10_000);
			// A node's status stamped two wall seconds (two simulated hours) after the start is
			// published after everything that node did until then, and arrives after it: once
			// every Sunday node has sent one, any Sunday ticket would be here.
			const lateStatus = (node: string) =>
				seen.some((r) => r.topic === `vikno/v1/demo-sunday/${node}/status` && statusOf(r).ts >= sundayFrom + 2_000);
			await until(
				"a status from every Sunday node two simulated hours in",
				() => centre.nodes.every((n) => lateStatus(n.id)),
				10_000,
			);
			expect(queueAt("demo-sunday")).toBe(0);
		} finally {
			await Promise.all([sunday.stop(), monday.stop()]);
			await sub.endAsync();
		}
	});

	it("fails with a clear error when the broker cannot be reached", async () => {
		const probe = net.createServer();
		probe.listen(0, "127.0.0.1");
		await once(probe, "listening");
		const port = (probe.address() as AddressInfo).port;
		await new Promise<void>((resolve) => probe.close(() => resolve()));
		await expect(startSimulation({ centre, brokerUrl: `mqtt://127.0.0.1:${port}`, seed: 1 })).rejects.toThrow(
			/cannot connect to mqtt:\/\/127\.0\.0\.1/,
		);
	});
});
