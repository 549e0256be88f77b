/**
 * Device identities and the ACL on a hub that refuses anonymous clients, with real clients:
 * mosquitto_pub / mosquitto_sub and MQTT.js. Every refusal is counted and the broker keeps
 * serving the devices that behave.
 */
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import mqtt, { type IClientOptions, type MqttClient, type Packet } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeviceRegistry, registryPath } from "../../broker/registry.ts";
import type { Hub } from "../../server/hub.ts";
import { payload } from "../fixtures/events.ts";
import { metric, startTestHub, tempDir } from "../fixtures/hub.ts";
import { until } from "../fixtures/wait.ts";

const BIN = fileURLToPath(new URL("../../bin/vikno.js", import.meta.url));
const dir = tempDir("vikno-broker-auth-");
let hub: Hub;
const creds: Record<string, string> = {};
const clients: MqttClient[] = [];

beforeAll(async () => {
	const registry = new DeviceRegistry(registryPath(dir.path));
	for (const node of ["win-01", "win-02", "win-03", "door-main"]) {
		creds[`demo/${node}`] = (await registry.add({ kind: "node", centre: "demo", node })).password;
	}
	creds["demo/win-99"] = (await registry.add({ kind: "node", centre: "demo", node: "win-99" })).password;
	creds["service:dash"] = (await registry.add({ kind: "service", name: "dash" })).password;
	hub = await startTestHub(dir.path, {
		allowAnonymous: false,
		broker: { revocationPollMs: 100 },
	});
});

afterAll(async () => {
	for (const c of clients) c.end(true);
	await hub?.close();
	dir.remove();
});

async function as(username: string, opts: IClientOptions = {}): Promise<MqttClient> {
	const c = await mqtt.connectAsync(hub.mqttUrl, {
		protocolVersion: 4,
		reconnectPeriod: 0,
		connectTimeout: 5_000,
		clientId: username,
		username,
		password: creds[username] ?? "",
		...opts,
	});
	c.on("error", () => {});
	clients.push(c);
	return c;
}

async function metrics(): Promise<string> {
	return (await fetch(`${hub.httpUrl}/metrics`)).text();
}
const refusedConnects = async (reason: string) =>
	metric(await metrics(), `vikno_mqtt_connects_refused_total{reason="${reason}"}`);
const notAuthorized = async () =>
	metric(await metrics(), 'vikno_messages_total{result="rejected",reason="not_authorized"}');

function pub(args: string[]): Promise<{ code: number | null; out: string }> {
	return run("mosquitto_pub", ["-h", "127.0.0.1", "-p", String(hub.mqttPort), "-q", "1", ...args]);
}

/** Run a client tool to its end (asynchronously: the hub runs in this process). */
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

/** SUBACK return codes as sent (MQTT.js turns 0x80 into an error without them). */
function subscribeCodes(c: MqttClient, topics: string[]): Promise<number[]> {
	return new Promise((resolve) => {
		const onPacket = (p: Packet) => {
			if (p.cmd !== "suback") return;
			c.off("packetreceive", onPacket);
			resolve(p.granted.map(Number));
		};
		c.on("packetreceive", onPacket);
		c.subscribe(topics, { qos: 1 }, () => {});
	});
}

function sub(args: string[]): Promise<{ code: number | null; out: string }> {
	return run("mosquitto_sub", ["-h", "127.0.0.1", "-p", String(hub.mqttPort), "-v", ...args]);
}

function runNode(args: string[], stdoutOnly = false): Promise<{ code: number | null; out: string }> {
	return new Promise((resolve) => {
		const child = spawn(process.execPath, args, { timeout: 30_000 });
		let out = "";
		child.stdout.on("data", (b: Buffer) => {
			out += b;
		});
		if (!stdoutOnly)
			child.stderr.on("data", (b: Buffer) => {
				out += b;
			});
		child.on("exit", (code) => resolve({ code, out }));
	});
}

const stored = async (node: string) =>
	(await hub.store.readRange("demo", 0, Number.MAX_SAFE_INTEGER)).filter((e) => e.node === node);

describe("device identities", () => {
	it("lets a device publish its own events with mosquitto_pub", async () => {
		const r = await pub([
			"-u",
			"demo/win-01",
			"-P",
			creds["demo/win-01"] ?? "",
			"-i",
			"demo/win-01",
			"-t",
			"vikno/v1/demo/win-01/rating",
			"-m",
			JSON.stringify(payload({ score: 5 })),
		]);
		expect(r).toMatchObject({ code: 0 });
		await until(
			() => stored("win-01"),
			(e) => e.length === 1,
			{ what: "the rating stored" },
		);
	});

	it("refuses a wrong password, no credentials, and an unknown user, and counts each", async () => {
		const before = {
			bad: await refusedConnects("bad_password"),
			anon: await refusedConnects("anonymous"),
			unknown: await refusedConnects("unknown_user"),
		};
		const wrong = await pub([
			"-u",
			"demo/win-01",
			"-P",
			"guess",
			"-i",
			"demo/win-01",
			"-t",
			"vikno/v1/demo/win-01/rating",
			"-m",
			"{}",
		]);
		expect(wrong.code).not.toBe(0);
		expect(wrong.out).toMatch(/bad user name or password/i);
		const anon = await pub(["-t", "vikno/v1/demo/win-01/rating", "-m", "{}"]);
		expect(anon.code).not.toBe(0);
		expect(anon.out).toMatch(/not authori[sz]ed/i);
		await expect(as("demo/win-04", { password: "x" })).rejects.toThrow(/Bad username or password/i);
		expect(await refusedConnects("bad_password")).toBe(before.bad + 1);
		expect(await refusedConnects("anonymous")).toBe(before.anon + 1);
		expect(await refusedConnects("unknown_user")).toBe(before.unknown + 1);
	});

	it("refuses a client id that is not the user name (CONNACK 2)", async () => {
		await expect(as("demo/win-02", { clientId: "vikno-demo-win-02" })).rejects.toThrow(/Identifier rejected/i);
		await expect(as("demo/win-02", { clientId: "demo/win-01" })).rejects.toThrow(/Identifier rejected/i);
		expect(await refusedConnects("client_id_mismatch")).toBe(2);
	});

	it("refuses a credential for a node this hub is not configured with", async () => {
		await expect(as("demo/win-99")).rejects.toThrow(/Not authorized/i);
		expect(await refusedConnects("unknown_node")).toBe(1);
	});

	it("refuses a Will on another node's topic", async () => {
		const will = { topic: "vikno/v1/demo/win-01/status", payload: Buffer.from("{}"), qos: 1 as const, retain: true };
		await expect(as("demo/win-02", { will })).rejects.toThrow(/Not authorized/i);
		expect(await refusedConnects("will_not_authorized")).toBe(1);
	});

	it("accepts a credential made by `vikno device add --json` without a restart", async () => {
		const r = await runNode(
			[BIN, "device", "add", "--centre", "demo", "--node", "win-05", "--json", "--data", dir.path],
			true,
		);
		expect(r.code).toBe(0);
		const made = JSON.parse(r.out) as { username: string; password: string };
		expect(made.username).toBe("demo/win-05");
		creds[made.username] = made.password;
		const c = await as("demo/win-05");
		await c.publishAsync("vikno/v1/demo/win-05/rating", JSON.stringify(payload({ score: 4 })), { qos: 1 });
		await until(
			() => stored("win-05"),
			(e) => e.length === 1,
			{ what: "win-05's rating" },
		);
	});

	it("disconnects a device whose credential is revoked, and refuses it from then on", async () => {
		const c = await as("demo/win-03");
		const closed = new Promise<void>((resolve) => c.once("close", () => resolve()));
		const r = await runNode([BIN, "device", "revoke", "--centre", "demo", "--node", "win-03", "--data", dir.path]);
		expect(r.code).toBe(0);
		await closed;
		await expect(as("demo/win-03")).rejects.toThrow(/Bad username or password/i);
		const m = await metrics();
		expect(metric(m, 'vikno_mqtt_connects_refused_total{reason="revoked"}')).toBe(1);
		expect(metric(m, 'vikno_mqtt_disconnects_total{reason="revoked"}')).toBe(1);
	});
});

describe("ACL", () => {
	it("acknowledges but drops a publish on another node's topic, an unpermitted kind and a retained event", async () => {
		const watcher = await as("service:dash", { clientId: "service:dash/watch" });
		const seen: string[] = [];
		// The hub's own state ($hub/…) comes too; the test looks at the nodes' topics.
		watcher.on("message", (topic) => {
			if (!topic.includes("/$hub/")) seen.push(topic);
		});
		await watcher.subscribeAsync("vikno/v1/#", { qos: 1 });
		const before = await notAuthorized();

		const win2 = await as("demo/win-02");
		await win2.publishAsync("vikno/v1/demo/win-01/rating", JSON.stringify(payload({ score: 1 })), { qos: 1 });
		await win2.publishAsync("vikno/v1/demo/win-02/occupancy", JSON.stringify(payload({ zone: "hall", count: 3 })), {
			qos: 1,
		});
		await win2.publishAsync("vikno/v1/demo/win-02/rating", JSON.stringify(payload({ score: 2 })), {
			qos: 1,
			retain: true,
		});
		const door = await pub([
			"-u",
			"demo/door-main",
			"-P",
			creds["demo/door-main"] ?? "",
			"-i",
			"demo/door-main",
			"-t",
			"vikno/v1/demo/door-main/rating",
			"-m",
			JSON.stringify(payload({ score: 3 })),
		]);
		expect(door.code).toBe(0);

		expect(await notAuthorized()).toBe(before + 4);
		const m = await metrics();
		expect(metric(m, 'vikno_mqtt_publishes_refused_total{reason="foreign_topic"}')).toBe(1);
		expect(metric(m, 'vikno_mqtt_publishes_refused_total{reason="kind_not_allowed"}')).toBe(2);
		expect(metric(m, 'vikno_mqtt_publishes_refused_total{reason="retain_not_allowed"}')).toBe(1);

		// Still connected and served: its own event goes through, and only that one is forwarded.
		await win2.publishAsync("vikno/v1/demo/win-02/rating", JSON.stringify(payload({ score: 5 })), { qos: 1 });
		await until(
			() => seen,
			(s) => s.includes("vikno/v1/demo/win-02/rating"),
			{ what: "the permitted event" },
		);
		expect(seen).toEqual(["vikno/v1/demo/win-02/rating"]);
		expect((await stored("win-02")).map((e) => e.kind)).toEqual(["rating"]);
		expect(await stored("door-main")).toEqual([]);

		// Nothing was retained by the refused retained publish.
		const late = await sub([
			"-u",
			"service:dash",
			"-P",
			creds["service:dash"] ?? "",
			"-i",
			"service:dash/late",
			"-t",
			"vikno/v1/demo/win-02/rating",
			"-W",
			"1",
		]);
		expect(late.out).not.toContain("vikno/v1");
	});

	it("refuses a node's subscription to # (SUBACK 0x80) and to other nodes' commands, and serves its own", async () => {
		const c = await as("demo/win-01");
		const granted = await subscribeCodes(c, ["#", "vikno/v1/demo/win-02/cmd/#", "vikno/v1/demo/win-01/cmd/#"]);
		expect(granted).toEqual([128, 128, 1]);
		const viaCli = await sub([
			"-u",
			"demo/door-main",
			"-P",
			creds["demo/door-main"] ?? "",
			"-i",
			"demo/door-main",
			"-t",
			"#",
			"-W",
			"2",
		]);
		expect(viaCli.out).toMatch(/denied/i);
		expect(metric(await metrics(), 'vikno_mqtt_subscribes_refused_total{reason="foreign_filter"}')).toBe(3);

		const got = new Promise<string>((resolve) => c.once("message", (t) => resolve(t)));
		const dash = await as("service:dash", { clientId: "service:dash/cmd" });
		await dash.publishAsync("vikno/v1/demo/win-01/cmd/identify", "{}", { qos: 1 });
		expect(await got).toBe("vikno/v1/demo/win-01/cmd/identify");
	});

	it("lets a service account read everything under vikno/v1 and write the hub's state, retained", async () => {
		const dash = await as("service:dash", { clientId: "service:dash/state" });
		await dash.publishAsync("vikno/v1/demo/$hub/test-state", JSON.stringify({ ok: true }), { qos: 1, retain: true });
		const got = await sub([
			"-u",
			"service:dash",
			"-P",
			creds["service:dash"] ?? "",
			"-i",
			"service:dash/read",
			"-t",
			"vikno/v1/demo/$hub/test-state",
			"-C",
			"1",
			"-W",
			"5",
		]);
		expect(got.out.trim()).toBe('vikno/v1/demo/$hub/test-state {"ok":true}');
		expect(await subscribeCodes(dash, ["#"])).toEqual([128]);
		await dash.publishAsync("vikno/v1/demo/$hub/test-state", "", { qos: 1, retain: true });
	});
});

describe("anonymous clients", () => {
	it("are refused by `vikno hub` on a network address even when asked for", () => {
		const r = spawnSync(
			process.execPath,
			[BIN, "hub", "--config", "config/centres/demo.yaml", "--allow-anonymous", "--host", "0.0.0.0"],
			{ encoding: "utf8", timeout: 30_000 },
		);
		expect(r.status).toBe(2);
		expect(r.stderr).toMatch(/--allow-anonymous needs a loopback --host/);
	});

	it("are refused by the library on a non-loopback host", async () => {
		await expect(
			startTestHub(dir.path, {
				host: "0.0.0.0",
			}),
		).rejects.toThrow(/loopback/);
	});
});
