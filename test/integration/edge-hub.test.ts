/**
 * An edge node (sim driver: the only fake) against a real hub on loopback: real aedes broker,
 * real ingest and SQLite store, real MQTT.js clients.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Log, type LogFn, silentLog } from "../../core/log.ts";
import type { EdgeConfig } from "../../edge/config.ts";
import { SimDriver } from "../../edge/drivers/sim.ts";
import { parseEdgeConfig } from "../../edge/load-config.ts";
import { type EdgeNode, startEdge } from "../../edge/node.ts";
import type { Hub } from "../../server/hub.ts";
import { hallCentre } from "../fixtures/centres.ts";
import { startTestHub } from "../fixtures/hub.ts";
import { freePort } from "../fixtures/influxd.ts";

const CENTRE = "test-hall";
let dir: string;
let hub: Hub | undefined;
let node: EdgeNode | undefined;
const clients: MqttClient[] = [];

/**
 * A hub on `mqttPort`, or on a free port below the ephemeral range: the outage test starts it again
 * on the same port, which an outgoing connection of another process could otherwise take as its
 * own local port meanwhile. Started again, the port may still be held a moment: tried for 10 s.
 */
async function hubAt(mqttPort?: number): Promise<Hub> {
	const port = mqttPort ?? (await freePort());
	const deadline = Date.now() + 10_000;
	for (;;) {
		try {
			return await startTestHub(dir, { centres: [hallCentre(CENTRE)], mqttPort: port });
		} catch (err) {
			if ((err as NodeJS.ErrnoException).code !== "EADDRINUSE" || Date.now() > deadline) throw err;
			if (mqttPort === undefined) return hubAt();
			await new Promise((r) => setTimeout(r, 200));
		}
	}
}

beforeEach(async () => {
	dir = mkdtempSync(join(tmpdir(), "vikno-edge-hub-"));
	hub = await hubAt();
});
afterEach(async () => {
	await node?.close();
	node = undefined;
	for (const c of clients.splice(0)) await c.endAsync(true);
	await hub?.close();
	hub = undefined;
	rmSync(dir, { recursive: true, force: true });
});

function windowConfig(url: string, extra: Record<string, unknown> = {}): Readonly<EdgeConfig> {
	const ratingButtons = ["r1", "r2", "r3", "r4", "r5"];
	return parseEdgeConfig(
		{
			centre: CENTRE,
			node: "win-01",
			role: "window",
			dataDir: join(dir, "edge"),
			broker: { url, keepaliveS: 5, reconnectMinMs: 50, reconnectMaxMs: 300 },
			driver: { type: "sim", debounceMs: 0 },
			inputs: [...ratingButtons, "next", "finish"].map((name, i) => ({ name, pin: i + 2 })),
			outputs: [
				{ name: "thanks", pin: 20 },
				{ name: "buzzer", pin: 21 },
			],
			window: {
				window: "w01",
				ratingButtons,
				thanksLed: "thanks",
				buzzer: "buzzer",
				lockoutS: 0,
				admin: { next: "next", finish: "finish" },
			},
			...extra,
		},
		"test.yaml",
	);
}

async function client(url: string): Promise<MqttClient> {
	const c = await mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5_000 });
	clients.push(c);
	return c;
}

async function until(check: () => boolean | Promise<boolean>, ms = 10_000, what = "condition"): Promise<void> {
	const end = Date.now() + ms;
	while (!(await check())) {
		if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 20));
	}
}

/**
 * Commands come from the hub itself (clients may not publish to …/cmd/#): publish inside the
 * broker. A Buffer is sent as it is, anything else as JSON.
 */
function command(nodeId: string, name: string, data: unknown): Promise<void> {
	return new Promise((resolve, reject) =>
		(hub as Hub).broker.aedes.publish(
			{
				cmd: "publish",
				topic: `vikno/v1/${CENTRE}/${nodeId}/cmd/${name}`,
				payload: Buffer.isBuffer(data) ? data : Buffer.from(JSON.stringify(data)),
				qos: 1,
				retain: false,
				dup: false,
			},
			(err) => (err ? reject(err) : resolve()),
		),
	);
}

const stored = async (kind?: "rating" | "queue" | "status") =>
	(await (hub as Hub).store.readRange(CENTRE, 0, Number.MAX_SAFE_INTEGER)).filter((e) => !kind || e.kind === kind);

describe("edge node → hub", () => {
	it("stores presses once, retains its status and answers identify", async () => {
		const sim = new SimDriver();
		node = await startEdge(windowConfig((hub as Hub).mqttUrl), { driver: sim });
		await node.link.whenConnected();
		for (const b of ["r5", "r4", "r5"]) sim.tap(b);
		await until(async () => (await stored("rating")).length === 3, 5_000, "3 ratings stored");
		expect((await stored("rating")).map((e) => e.data.score)).toEqual([5, 4, 5]);
		await until(() => node?.outbox.depth === 0, 5_000, "outbox empty");

		// A late subscriber gets the retained status.
		const watcher = await client((hub as Hub).mqttUrl);
		const status = new Promise<Record<string, unknown>>((resolve) =>
			watcher.on("message", (_t, p) => resolve(JSON.parse(p.toString()))),
		);
		await watcher.subscribeAsync(`vikno/v1/${CENTRE}/win-01/status`, { qos: 1 });
		expect(await status).toMatchObject({ online: true, role: "window", version: expect.any(String) });

		await command("win-01", "identify", { seconds: 2 });
		await until(() => sim.changes.filter((c) => c.name === "thanks" && c.on).length >= 5, 3_000, "blinking");
	});

	it("subscribes to its commands again only when the hub has lost its session", async () => {
		const sim = new SimDriver();
		let subscribes = 0;
		const count = (h: Hub) =>
			h.broker.aedes.on("subscribe", (subs, c) => {
				if (c?.id.includes("win-01") && subs.some((s) => s.topic.endsWith("/win-01/cmd/#"))) subscribes++;
			});
		count(hub as Hub);
		node = await startEdge(windowConfig((hub as Hub).mqttUrl), { driver: sim });
		await node.link.whenConnected();
		await until(() => subscribes === 1, 5_000, "the first SUBSCRIBE");
		const blinks = () => sim.changes.filter((c) => c.name === "thanks" && c.on).length;

		// The network drops the connection: the node comes back to the session the hub kept, which
		// holds the subscription — no SUBSCRIBE, and a command still reaches it.
		type AedesClient = { id: string; conn: { destroy(): void } };
		const aedesClients = () =>
			((hub as Hub).broker.aedes as unknown as { clients: Record<string, AedesClient> }).clients;
		const drops = async () => {
			const before = Object.values(aedesClients()).find((c) => c.id.includes("win-01"));
			before?.conn.destroy();
			await until(
				() =>
					node?.link.isConnected === true &&
					Object.values(aedesClients()).some((c) => c.id.includes("win-01") && c !== before),
				10_000,
				"the node back",
			);
		};
		await drops();
		await drops();
		const shown = blinks();
		await command("win-01", "identify", { seconds: 2 });
		await until(() => blinks() >= shown + 3, 3_000, "blinking after the reconnects");
		expect(subscribes).toBe(1);

		// A hub that lost its sessions (started on an empty data dir, same port): SUBSCRIBE again.
		const port = (hub as Hub).mqttPort;
		await (hub as Hub).close();
		const fresh = mkdtempSync(join(tmpdir(), "vikno-edge-hub-fresh-"));
		const old = dir;
		dir = fresh;
		try {
			hub = await hubAt(port);
		} finally {
			dir = old;
		}
		subscribes = 0;
		count(hub);
		await until(() => subscribes === 1, 15_000, "SUBSCRIBE to the new session");
		const again = blinks();
		await command("win-01", "identify", { seconds: 2 });
		await until(() => blinks() >= again + 3, 3_000, "blinking on the new session");
		rmSync(fresh, { recursive: true, force: true });
	});

	it("goes on a break with its pause button and comes back by the console's pause command; the hub follows", async () => {
		const sim = new SimDriver();
		const base = windowConfig((hub as Hub).mqttUrl);
		const cfg = parseEdgeConfig(
			{
				...base,
				inputs: [...base.inputs, { name: "pause", pin: 9 }],
				window: { ...base.window, admin: { next: "next", finish: "finish", pause: "pause" } },
			},
			"test.yaml",
		);
		node = await startEdge(cfg, { driver: sim });
		await node.link.whenConnected();
		const w01 = () => (hub as Hub).live.state(CENTRE)?.windows.get("w01");
		await until(() => w01()?.online === true, 5_000, "w01 online");
		sim.tap("pause");
		await until(() => w01()?.paused === true, 5_000, "the break at the hub");
		// The live model shows a batch as it is folded; its write settles a moment later.
		await until(
			async () => (await stored("status")).some((e) => e.data.online === true && e.data.paused === true),
			5_000,
			"the break's status stored",
		);
		await command("win-01", "pause", { paused: false });
		await until(() => w01()?.paused === false, 5_000, "the break ended by the command");
		// A malformed pause changes nothing.
		await command("win-01", "pause", { paused: "yes" });
		await command("win-01", "pause", { paused: true });
		await until(() => w01()?.paused === true, 5_000, "the console's break");
	});

	it("calls the ticket the hub's dispatcher answers with, and attributes the rating to it", async () => {
		const sim = new SimDriver();
		node = await startEdge(windowConfig((hub as Hub).mqttUrl), { driver: sim });
		await node.link.whenConnected();
		// A ticket waits (issued at the terminal); "next" at w01 asks the hub, which answers on cmd/call.
		const terminal = await client((hub as Hub).mqttUrl);
		const issued = { id: "issued-a017", ts: Date.now() - 60_000, event: "issued", ticket: "A017", service: "passport" };
		await terminal.publishAsync(`vikno/v1/${CENTRE}/terminal-1/queue`, JSON.stringify(issued), { qos: 1 });
		sim.tap("next");
		await until(async () => (await stored("queue")).length === 2, 5_000, "called stored");
		sim.tap("finish");
		sim.tap("r4");
		await until(async () => (await stored("rating")).length === 1, 5_000, "rating stored");
		const queue = (await stored("queue")).map((e) => [e.data.event, e.data.ticket, e.data.window]);
		expect(queue).toEqual([
			["issued", "A017", undefined],
			["called", "A017", "w01"],
			["finished", "A017", "w01"],
		]);
		expect((await stored("rating"))[0]?.data).toMatchObject({ score: 4, ticket: "A017" });
	});

	it("refuses malformed commands without acting on them, counts them in its status, and acts on well-formed ones", async () => {
		const sim = new SimDriver();
		const warnings: string[] = [];
		const log: Log = {
			...silentLog,
			warn: ((obj: object | string, msg?: string) =>
				warnings.push(typeof obj === "string" ? obj : (msg ?? ""))) as LogFn,
		};
		// The node waits for the hub's answer to its "next" (kept across restarts in state.json);
		// here the test plays the hub.
		const request = "0196b4a2-7c1e-7d3a-9f00-1a2b3c4d5e6f";
		const stateFile = join(dir, "edge", "state.json");
		mkdirSync(join(dir, "edge"), { recursive: true });
		const waiting = JSON.stringify({ pendingRequest: { id: request, at: Date.now() } });
		writeFileSync(stateFile, waiting);
		node = await startEdge(windowConfig((hub as Hub).mqttUrl), { driver: sim, log });
		await node.link.whenConnected();
		const terminal = await client((hub as Hub).mqttUrl);
		const issued = { id: "issued-a017", ts: Date.now() - 60_000, event: "issued", ticket: "A017", service: "passport" };
		await terminal.publishAsync(`vikno/v1/${CENTRE}/terminal-1/queue`, JSON.stringify(issued), { qos: 1 });
		const watcher = await client((hub as Hub).mqttUrl);
		const statuses: Record<string, unknown>[] = [];
		watcher.on("message", (_t, p) => statuses.push(JSON.parse(p.toString())));
		await watcher.subscribeAsync(`vikno/v1/${CENTRE}/win-01/status`, { qos: 1 });

		// Each of these, taken as it came, would light, beep, call a ticket or drop the request.
		const malformed: [string, unknown][] = [
			["call", { ticket: "A017", service: "passport" }], // no request: answers nothing the node asked
			["call", { request }], // no ticket: not "nobody waits"
			["call", { request, ticket: "A017", service: "Паспорт" }], // a service that is no id
			["call", { request, ticket: "A017", service: "passport", priority: 7 }],
			["call", Buffer.from("{")],
			["identify", { seconds: "ten" }],
			["identify", { seconds: -5 }],
			["identify", [30]],
			["identify", Buffer.from("blink")],
		];
		for (const [name, data] of malformed) await command("win-01", name, data);
		// Commands reach the node in order: the status it publishes after these counts them all.
		await command("win-01", "status", {});
		await until(
			() => statuses.some((s) => (s.refused as Record<string, number> | undefined)?.bad_command === malformed.length),
			5_000,
			"a status counting the refused commands",
		);
		expect(sim.changes).toEqual([]);
		// Nothing wrote the node's state: the file is as the test left it.
		expect(readFileSync(stateFile, "utf8")).toBe(waiting);
		expect(statuses.at(-1)).toMatchObject({ online: true, ticket: null, refused: { bad_command: malformed.length } });
		expect(node.outbox.depth).toBe(0);
		expect((await stored("queue")).map((e) => e.data.event)).toEqual(["issued"]);
		// Logged once for the lot (once a minute per reason), saying what was wrong with the first.
		expect(warnings.filter((w) => w.startsWith("refused (bad_command)"))).toEqual([
			"refused (bad_command): call payload: / must have required properties request",
		]);

		// Well-formed, they work: the light blinks, the ticket is called.
		await command("win-01", "identify", { seconds: 1 });
		await until(() => sim.changes.filter((c) => c.name === "thanks" && c.on).length >= 2, 3_000, "blinking");
		await command("win-01", "call", { request, ticket: "A017", service: "passport" });
		await until(async () => (await stored("queue")).length === 2, 5_000, "called stored");
		expect((await stored("queue"))[1]?.data).toMatchObject({ event: "called", ticket: "A017", window: "w01" });
		expect(JSON.parse(readFileSync(stateFile, "utf8"))).toMatchObject({
			pendingRequest: null,
			current: { ticket: "A017", service: "passport" },
		});
	});

	it("keeps pressing through a hub outage; everything arrives once, in order", async () => {
		const sim = new SimDriver();
		const port = (hub as Hub).mqttPort;
		// Connection attempts that failed, as the link logs them: the outage is measured in those.
		let failedConnects = 0;
		const log: Log = {
			...silentLog,
			debug: ((_obj: object | string, msg?: string) => {
				if (msg === "mqtt error") failedConnects++;
			}) as LogFn,
		};
		node = await startEdge(windowConfig((hub as Hub).mqttUrl), { driver: sim, log });
		await node.link.whenConnected();
		let pressed = 0;
		const press = () => {
			sim.tap(`r${(pressed % 5) + 1}`);
			pressed++;
		};
		// One turn of the event loop between presses: the link publishes as they come.
		const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
		for (let i = 0; i < 20; i++) {
			press();
			await turn();
		}
		// The hub is away (a Wi-Fi drop at lunch) while visitors keep pressing: 25 presses between
		// one failed reconnection and the next, through ten of them.
		await (hub as Hub).close();
		hub = undefined;
		const failedBefore = failedConnects;
		for (let attempt = 1; attempt <= 10; attempt++) {
			for (let i = 0; i < 25; i++) {
				press();
				await turn();
			}
			await until(() => failedConnects >= failedBefore + attempt, 10_000, `failed reconnection ${attempt}`);
		}
		expect(node.outbox.depth).toBeGreaterThanOrEqual(250);
		hub = await hubAt(port);
		// More presses while the outbox is replayed, each once the replay has moved on.
		for (let i = 0; i < 20; i++) {
			const depth = node.outbox.depth;
			press();
			await until(() => (node?.outbox.depth ?? 0) <= depth, 15_000, "the replay to move on");
		}
		await until(async () => (await stored("rating")).length >= pressed, 15_000, "all presses stored");
		const rows = await stored("rating");
		expect(rows).toHaveLength(pressed);
		expect(new Set(rows.map((r) => r.id)).size).toBe(pressed);
		// Press order (edge time) is arrival order (hub time), and the scores cycle as pressed.
		const byTs = [...rows].sort((a, b) => a.ts - b.ts || a.id.localeCompare(b.id));
		expect(byTs.map((r) => r.data.score)).toEqual(Array.from({ length: pressed }, (_, i) => (i % 5) + 1));
		for (let i = 1; i < byTs.length; i++) expect(byTs[i]?.rxTs).toBeGreaterThanOrEqual(byTs[i - 1]?.rxTs ?? 0);
		await until(() => node?.outbox.depth === 0, 5_000, "outbox empty");
	}, 180_000);

	it("publishes the queue system's calls from the local bridge", async () => {
		node = await startEdge(
			windowConfig((hub as Hub).mqttUrl, { bridge: { enabled: true, host: "127.0.0.1", port: 0 } }),
			{ driver: new SimDriver() },
		);
		const url = node.bridge?.url as string;
		const post = (path: string, body: unknown) =>
			fetch(`${url}${path}`, {
				method: "POST",
				body: JSON.stringify(body),
				headers: { "content-type": "application/json" },
			});
		const ok = await post("/v1/queue", { event: "called", ticket: "B004", service: "residence" });
		expect(ok.status).toBe(200);
		expect(await ok.json()).toEqual({ id: expect.any(String), buffered: expect.any(Number) });
		const bad = await post("/v1/queue", { event: "shouted", ticket: "B004", service: "residence" });
		expect(bad.status).toBe(400);
		expect(await bad.json()).toEqual({ error: { code: "schema", message: expect.stringMatching(/event/) } });
		const notJson = await fetch(`${url}/v1/queue`, { method: "POST", body: "{" });
		expect(notJson.status).toBe(400);
		await until(async () => (await stored("queue")).length === 1, 5_000, "bridged call stored");
		expect((await stored("queue"))[0]?.data).toMatchObject({ event: "called", ticket: "B004", window: "w01" });
	});
});
