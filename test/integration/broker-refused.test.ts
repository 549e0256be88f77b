/**
 * A refused or rejected publish is never stored for, forwarded to, or retained for anyone
 * (docs/broker.md, access control): probed as an attacker with a stolen device credential would,
 * against a real hub with each session store (LevelDB, and Redis with a real `redis-server`),
 * with MQTT.js and `mosquitto_sub -c`, subscribers online and offline, a window node and a
 * service account; and a real edge node whose light, sound and display a forged call must not touch.
 *
 * "Never arrives" is shown with a marker: a permitted message published after the refused one,
 * which reaches the same session after it if the refused one was queued at all (a broker numbers
 * messages as it starts publishing them, and a session's queue is replayed in that order).
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PersistenceConfig } from "../../broker/persistence.ts";
import { DeviceRegistry, registryPath } from "../../broker/registry.ts";
import { SimDriver } from "../../edge/drivers/sim.ts";
import { parseEdgeConfig } from "../../edge/load-config.ts";
import { type EdgeNode, startEdge } from "../../edge/node.ts";
import type { Hub } from "../../server/hub.ts";
import { demoTopic, payload } from "../fixtures/events.ts";
import { metric, startTestHub, tempDir } from "../fixtures/hub.ts";
import { type RedisServer, redisAvailable, startRedis } from "../fixtures/redis.ts";
import { until } from "../fixtures/wait.ts";

const withRedis = redisAvailable();
let redis: RedisServer | undefined;

beforeAll(async () => {
	if (withRedis) redis = await startRedis();
}, 60_000);
afterAll(async () => {
	await redis?.stop();
});

const DEVICES = ["win-02", "terminal-1"] as const;

interface Probe {
	hub: Hub;
	creds: Record<string, string>;
	clients: MqttClient[];
	close(): Promise<void>;
}

async function probeHub(persistence: () => PersistenceConfig, anonymous: boolean): Promise<Probe> {
	const dir = tempDir("vikno-refused-");
	const creds: Record<string, string> = {};
	const registry = new DeviceRegistry(registryPath(dir.path));
	for (const node of DEVICES)
		creds[`demo/${node}`] = (await registry.add({ kind: "node", centre: "demo", node })).password;
	creds["service:audit"] = (await registry.add({ kind: "service", name: "audit" })).password;
	const hub = await startTestHub(dir.path, {
		allowAnonymous: anonymous,
		broker: { persistence: persistence() },
	});
	const clients: MqttClient[] = [];
	return {
		hub,
		creds,
		clients,
		async close() {
			for (const c of clients) c.end(true);
			await hub.close();
			dir.remove();
		},
	};
}

/** A session coming back: listening before its CONNACK, so nothing it is sent first is missed. */
function resume(p: Probe, username: string | undefined, opts: IClientOptions): { topic: string; body: string }[] {
	const c = mqtt.connect(p.hub.mqttUrl, {
		protocolVersion: 4,
		reconnectPeriod: 0,
		connectTimeout: 5_000,
		...(username ? { clientId: username, username, password: p.creds[username] ?? "" } : {}),
		...opts,
	});
	c.on("error", () => {});
	p.clients.push(c);
	return collect(c);
}

async function as(p: Probe, username: string | undefined, opts: IClientOptions = {}): Promise<MqttClient> {
	const c = await mqtt.connectAsync(p.hub.mqttUrl, {
		protocolVersion: 4,
		reconnectPeriod: 0,
		connectTimeout: 5_000,
		...(username ? { clientId: username, username, password: p.creds[username] ?? "" } : {}),
		...opts,
	});
	c.on("error", () => {});
	p.clients.push(c);
	return c;
}

function collect(c: MqttClient): { topic: string; body: string }[] {
	const got: { topic: string; body: string }[] = [];
	c.on("message", (topic, body) => got.push({ topic, body: body.toString() }));
	return got;
}

/** Run a mosquitto client tool to its end (asynchronously: the hub runs in this process). */
function run(cmd: string, args: string[]): Promise<{ code: number | null; out: string }> {
	return new Promise((resolve) => {
		const child = spawn(cmd, args, { timeout: 15_000 });
		let out = "";
		child.stdout.on("data", (b: Buffer) => {
			out += b;
		});
		child.stderr.on("data", (b: Buffer) => {
			out += b;
		});
		child.on("exit", (code) => resolve({ code, out }));
	});
}

/**
 * Wait until the broker's session store lists a persistent subscription (with Redis, brokers learn
 * of subscriptions through pub/sub, a moment after the SUBACK: docs/broker.md).
 */
async function known(p: Probe, clientId: string, topic: string): Promise<void> {
	const { persistence } = p.hub.broker.aedes as unknown as {
		persistence: { subscriptionsByTopic(topic: string): Promise<{ clientId: string }[]> };
	};
	await until(
		async () => (await persistence.subscriptionsByTopic(topic)).some((s) => s.clientId === clientId),
		(yes) => yes,
		{ what: `the subscription of ${clientId} known for ${topic}` },
	);
}

const metrics = async (p: Probe) => (await fetch(`${p.hub.httpUrl}/metrics`)).text();
const refusedPublishes = async (p: Probe, reason: string) =>
	metric(await metrics(p), `vikno_mqtt_publishes_refused_total{reason="${reason}"}`);
const rejected = async (p: Probe, reason: string) =>
	metric(await metrics(p), `vikno_messages_total{result="rejected",reason="${reason}"}`);

/** A call a window node would act on (it answers no request of the node's: none is needed). */
const forgedCall = () => JSON.stringify({ ticket: "Z999", service: "passports" });
const CMD = (node: string, name: string) => `vikno/v1/demo/${node}/cmd/${name}`;

const stores: [string, () => PersistenceConfig][] = [
	["LevelDB", () => ({ kind: "level", path: join(tempDir("vikno-refused-level-").path, "sessions") })],
];
if (withRedis) stores.push(["Redis", () => ({ kind: "redis", url: redis?.url ?? "" })]);

describe.each(stores)("refused publishes with %s sessions", (_name, persistence) => {
	let p: Probe;
	beforeAll(async () => {
		p = await probeHub(persistence, false);
	}, 60_000);
	afterAll(async () => {
		await p?.close();
	});

	it("never queues a forged cmd/call for an offline window node (MQTT.js, clean=false)", async () => {
		const win = await as(p, "demo/win-02", { clean: false });
		await win.subscribeAsync(CMD("win-02", "#"), { qos: 1 });
		await win.endAsync();
		await known(p, "demo/win-02", CMD("win-02", "call"));

		const before = await refusedPublishes(p, "foreign_topic");
		const terminal = await as(p, "demo/terminal-1");
		await terminal.publishAsync(CMD("win-02", "call"), forgedCall(), { qos: 1 });
		expect(await refusedPublishes(p, "foreign_topic")).toBe(before + 1);
		// The marker: a permitted command, from the hub's side (a service account may send commands).
		const marker = JSON.stringify({ seconds: 1 });
		await (await as(p, "service:audit")).publishAsync(CMD("win-02", "identify"), marker, { qos: 1 });

		const got = resume(p, "demo/win-02", { clean: false });
		await until(
			() => got.length,
			(n) => n >= 1,
			{ what: "the marker command" },
		);
		expect(got).toEqual([{ topic: CMD("win-02", "identify"), body: marker }]);
	});

	it("never queues a forged cmd/call for a window node online at the time (delivered neither live nor on its next reconnect)", async () => {
		const win = await as(p, "demo/win-02", { clean: false });
		const live = collect(win);
		await win.subscribeAsync(CMD("win-02", "#"), { qos: 1 });
		await known(p, "demo/win-02", CMD("win-02", "call"));
		const terminal = await as(p, "demo/terminal-1");
		await terminal.publishAsync(CMD("win-02", "call"), forgedCall(), { qos: 1 });
		const audit = await as(p, "service:audit");
		await audit.publishAsync(CMD("win-02", "identify"), JSON.stringify({ seconds: 2 }), { qos: 1 });
		await until(
			() => live.length,
			(n) => n >= 1,
			{ what: "the first marker, live" },
		);
		expect(live.map((m) => m.topic)).toEqual([CMD("win-02", "identify")]);
		await win.endAsync();

		await audit.publishAsync(CMD("win-02", "identify"), JSON.stringify({ seconds: 3 }), { qos: 1 });
		const got = resume(p, "demo/win-02", { clean: false });
		await until(
			() => got.length,
			(n) => n >= 1,
			{ what: "the second marker, queued" },
		);
		expect(got).toEqual([{ topic: CMD("win-02", "identify"), body: JSON.stringify({ seconds: 3 }) }]);
	});

	it("never queues foreign-topic or rejected events for a persistent service subscriber (mosquitto_sub -c)", async () => {
		const base = [
			"-h",
			"127.0.0.1",
			"-p",
			String(p.hub.mqttPort),
			"-u",
			"service:audit",
			"-P",
			p.creds["service:audit"] ?? "",
			"-i",
			"service:audit/archive",
			"-c",
			"-q",
			"1",
			"-t",
			"vikno/v1/demo/+/queue",
			"-t",
			"vikno/v1/demo/+/rating",
		];
		// -E: make the persistent session and its subscriptions, then leave.
		expect((await run("mosquitto_sub", [...base, "-E"])).code).toBe(0);
		await known(p, "service:audit/archive", demoTopic("win-05", "rating"));
		await known(p, "service:audit/archive", demoTopic("terminal-1", "queue"));

		const terminal = await as(p, "demo/terminal-1");
		const beforeSchema = await rejected(p, "schema");
		const beforeRole = await rejected(p, "wrong_role");
		// Another node's topic (ACL), a payload that fails its schema, a queue event a terminal may not send.
		await terminal.publishAsync(demoTopic("win-05", "rating"), JSON.stringify(payload({ score: 1 })), { qos: 1 });
		await terminal.publishAsync(demoTopic("terminal-1", "queue"), JSON.stringify({ event: "issued" }), { qos: 1 });
		await terminal.publishAsync(
			demoTopic("terminal-1", "queue"),
			JSON.stringify(payload({ event: "called", ticket: "A001", service: "passports", window: "w01" })),
			{ qos: 1 },
		);
		expect(await rejected(p, "schema")).toBe(beforeSchema + 1);
		expect(await rejected(p, "wrong_role")).toBe(beforeRole + 1);
		const marker = JSON.stringify(payload({ event: "issued", ticket: "A777", service: "passports" }));
		await terminal.publishAsync(demoTopic("terminal-1", "queue"), marker, { qos: 1 });

		// -C 1: the first message the session gets must be the marker.
		const first = await run("mosquitto_sub", [...base, "-v", "-C", "1"]);
		expect(first.code).toBe(0);
		expect(first.out.trim()).toBe(`${demoTopic("terminal-1", "queue")} ${marker}`);
	});

	it("never retains a refused retained publish", async () => {
		const terminal = await as(p, "demo/terminal-1");
		const before = await refusedPublishes(p, "retain_not_allowed");
		await terminal.publishAsync(
			demoTopic("terminal-1", "queue"),
			JSON.stringify(payload({ event: "issued", ticket: "R001", service: "passports" })),
			{ qos: 1, retain: true },
		);
		expect(await refusedPublishes(p, "retain_not_allowed")).toBe(before + 1);
		// Its own status, retained as allowed: the marker a late subscriber gets.
		const status = JSON.stringify(payload({ online: true, version: "t", uptimeS: 1, buffered: 0 }));
		await terminal.publishAsync(demoTopic("terminal-1", "status"), status, { qos: 1, retain: true });
		const late = await as(p, "service:audit", { clientId: "service:audit/late" });
		const got = collect(late);
		await late.subscribeAsync("vikno/v1/demo/terminal-1/#", { qos: 1 });
		await until(
			() => got.length,
			(n) => n >= 1,
			{ what: "the retained status" },
		);
		// And the store itself holds no retained message on the queue topic.
		const retained = await new Promise<string[]>((resolve, reject) => {
			const topics: string[] = [];
			const persistence = (
				p.hub.broker.aedes as unknown as { persistence: { createRetainedStream(t: string): NodeJS.ReadableStream } }
			).persistence;
			const s = persistence.createRetainedStream("vikno/v1/demo/terminal-1/#");
			s.on("data", (m: { topic: string }) => topics.push(m.topic));
			s.on("end", () => resolve(topics));
			s.on("error", reject);
		});
		expect(retained).toEqual([demoTopic("terminal-1", "status")]);
		// Only the status reaches the late subscriber. With Redis sessions the status may come twice:
		// as the retained message of the SUBSCRIBE and live, when the publish crosses Redis' pub/sub
		// after the subscription is in (MQTT allows both); the refused queue message never.
		expect([...new Set(got.map((m) => m.topic))]).toEqual([demoTopic("terminal-1", "status")]);
	});
});

describe.each(stores)("an --allow-anonymous hub with %s sessions", (_name, persistence) => {
	let p: Probe;
	beforeAll(async () => {
		p = await probeHub(persistence, true);
	}, 60_000);
	afterAll(async () => {
		await p?.close();
	});

	it("never queues bad_topic or unknown-node messages for a persistent subscriber", async () => {
		const sub = await as(p, undefined, { clientId: "anon-archive", clean: false });
		await sub.subscribeAsync(["garbage/#", "vikno/v1/demo/nosuch/#", demoTopic("win-01", "rating")], { qos: 1 });
		await sub.endAsync();
		await known(p, "anon-archive", "garbage/topic");
		await known(p, "anon-archive", "vikno/v1/demo/nosuch/rating");
		await known(p, "anon-archive", demoTopic("win-01", "rating"));

		const before = { bad: await rejected(p, "bad_topic"), node: await rejected(p, "unknown_node") };
		const pub = await as(p, undefined);
		await pub.publishAsync("garbage/topic", JSON.stringify(payload({ score: 5 })), { qos: 1 });
		await pub.publishAsync("vikno/v1/demo/nosuch/rating", JSON.stringify(payload({ score: 5 })), { qos: 1 });
		expect(await rejected(p, "bad_topic")).toBe(before.bad + 1);
		expect(await rejected(p, "unknown_node")).toBe(before.node + 1);
		const marker = JSON.stringify(payload({ score: 4 }));
		await pub.publishAsync(demoTopic("win-01", "rating"), marker, { qos: 1 });

		const got = resume(p, undefined, { clientId: "anon-archive", clean: false });
		await until(
			() => got.length,
			(n) => n >= 1,
			{ what: "the marker rating" },
		);
		expect(got).toEqual([{ topic: demoTopic("win-01", "rating"), body: marker }]);
	});
});

describe("a forged call and a real window node", () => {
	let p: Probe;
	let node: EdgeNode | undefined;
	const edgeDir = tempDir("vikno-refused-edge-");
	beforeAll(async () => {
		p = await probeHub(() => ({ kind: "level", path: join(edgeDir.path, "sessions") }), false);
	}, 60_000);
	afterAll(async () => {
		await node?.close();
		await p?.close();
		edgeDir.remove();
	});

	const startNode = (sim: SimDriver) =>
		startEdge(
			parseEdgeConfig(
				{
					centre: "demo",
					node: "win-02",
					role: "window",
					dataDir: join(edgeDir.path, "edge"),
					broker: {
						url: p.hub.mqttUrl,
						username: "demo/win-02",
						password: p.creds["demo/win-02"],
						keepaliveS: 5,
						reconnectMinMs: 50,
						reconnectMaxMs: 300,
					},
					driver: { type: "sim", debounceMs: 0 },
					inputs: ["r1", "r2", "r3", "r4", "r5", "next"].map((name, i) => ({ name, pin: i + 2 })),
					outputs: [
						{ name: "thanks", pin: 20 },
						{ name: "buzzer", pin: 21 },
					],
					window: {
						window: "w02",
						ratingButtons: ["r1", "r2", "r3", "r4", "r5"],
						thanksLed: "thanks",
						buzzer: "buzzer",
						lockoutS: 0,
						admin: { next: "next" },
					},
				},
				"win-02.yaml",
			),
			{ driver: sim },
		);

	/** The node's own statuses as a watcher sees them (a cmd/status marker makes it publish one). */
	async function statuses(): Promise<{ online?: boolean; ticket?: unknown }[]> {
		const watcher = await as(p, "service:audit", { clientId: "service:audit/status" });
		const got: { online?: boolean; ticket?: unknown }[] = [];
		watcher.on("message", (_t, body) => got.push(JSON.parse(body.toString())));
		await watcher.subscribeAsync(demoTopic("win-02", "status"), { qos: 1 });
		await until(
			() => got.length,
			(len) => len >= 1,
			{ what: "the node's retained status" },
		);
		return got;
	}

	it("is never delivered to the node, online or offline: no light, no sound, no ticket on its display", async () => {
		const sim = new SimDriver();
		node = await startNode(sim);
		await node.link.whenConnected();
		const seen = await statuses();
		const terminal = await as(p, "demo/terminal-1");
		const audit = await as(p, "service:audit");

		// Online: the forged call, then a status request as the marker.
		await terminal.publishAsync(CMD("win-02", "call"), forgedCall(), { qos: 1 });
		let n = seen.length;
		await audit.publishAsync(CMD("win-02", "status"), "{}", { qos: 1 });
		await until(
			() => seen.length,
			(len) => len > n,
			{ what: "the status the marker asked for" },
		);

		// Offline: the node is away while the call is forged; it comes back with its session.
		await node.close();
		await until(
			() => seen.at(-1)?.online,
			(online) => online === false,
			{ what: "the node's offline status" },
		);
		await terminal.publishAsync(CMD("win-02", "call"), forgedCall(), { qos: 1 });
		await audit.publishAsync(CMD("win-02", "status"), "{}", { qos: 1 });
		n = seen.length;
		node = await startNode(sim);
		// Its status on connecting, then the one the queued marker asked for.
		await until(
			() => seen.length,
			(len) => len >= n + 2,
			{ what: "the status the queued marker asked for" },
		);

		const online = seen.filter((s) => s.online);
		expect(online.length).toBeGreaterThanOrEqual(3);
		expect(online.map((s) => s.ticket)).toEqual(online.map(() => null));
		expect(sim.changes).toEqual([]);
		// The node's display: what it is serving (state.json is written at the first change).
		const file = join(edgeDir.path, "edge", "state.json");
		const state = existsSync(file)
			? (JSON.parse(readFileSync(file, "utf8")) as { current: unknown })
			: { current: null };
		expect(state.current).toBeNull();
		const called = (await p.hub.store.readRange("demo", 0, Number.MAX_SAFE_INTEGER)).filter((e) => e.node === "win-02");
		expect(called.filter((e) => e.kind === "queue")).toEqual([]);
	});
});
