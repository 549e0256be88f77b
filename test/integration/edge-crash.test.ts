/**
 * The edge node as a child process (`node --import tsx edge/main.ts`) with the sim driver in
 * stdio mode: presses go in on stdin, the node's JSON log comes out on stderr. The node logs
 * "event stored" after the fsync and before light and sound, so every id it logs is a press
 * the visitor saw acknowledged.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import mqtt, { type MqttClient } from "mqtt";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Hub, startHub } from "../../hub/hub.ts";
import { silentLogger } from "../../hub/logger.ts";
import { hallCentre } from "../fixtures/centres.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CENTRE = "test-hall";
let dir: string;
let hub: Hub;
const children: ChildProcessWithoutNullStreams[] = [];
const clients: MqttClient[] = [];

beforeEach(async () => {
	dir = mkdtempSync(join(tmpdir(), "vikno-edge-crash-"));
	hub = await startHub({
		centres: [hallCentre(CENTRE)],
		dataDir: dir,
		mqttPort: 0,
		httpPort: 0,
		host: "127.0.0.1",
		allowAnonymous: true,
		log: silentLogger,
	});
});
afterEach(async () => {
	for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
	for (const c of clients.splice(0)) await c.endAsync(true);
	await hub.close();
	rmSync(dir, { recursive: true, force: true });
});

function writeConfig(keepaliveS: number): string {
	const ratingButtons = ["r1", "r2", "r3", "r4", "r5"];
	const file = join(dir, "edge.json");
	writeFileSync(
		file,
		JSON.stringify({
			centre: CENTRE,
			node: "win-01",
			role: "window",
			dataDir: join(dir, "edge"),
			broker: { url: hub.mqttUrl, keepaliveS, reconnectMinMs: 50, reconnectMaxMs: 300 },
			driver: { type: "sim", debounceMs: 0, stdio: true },
			inputs: ratingButtons.map((name, i) => ({ name, pin: i + 2 })),
			outputs: [{ name: "thanks", pin: 20 }],
			window: { window: "w01", ratingButtons, thanksLed: "thanks", lockoutS: 0 },
			statusEveryS: 60,
		}),
	);
	return file;
}

interface Running {
	child: ChildProcessWithoutNullStreams;
	stored: string[];
	connected: Promise<void>;
}

function runEdge(config: string): Running {
	const child = spawn(process.execPath, ["--import", "tsx", "edge/main.ts", "--config", config], {
		cwd: ROOT,
		stdio: ["pipe", "pipe", "pipe"],
	});
	children.push(child);
	const stored: string[] = [];
	let onConnected: () => void = () => {};
	const connected = new Promise<void>((r) => {
		onConnected = r;
	});
	createInterface({ input: child.stderr }).on("line", (line) => {
		let rec: { msg?: string; id?: string };
		try {
			rec = JSON.parse(line);
		} catch {
			return;
		}
		if (rec.msg === "event stored" && rec.id) stored.push(rec.id);
		if (rec.msg === "connected to the hub") onConnected();
	});
	child.stdout.resume();
	// Presses written after a kill -9 meet a closed pipe.
	child.stdin.on("error", () => {});
	return { child, stored, connected };
}

async function until(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
	const end = Date.now() + ms;
	while (!(await check())) {
		if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 20));
	}
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function watchStatus(): Promise<{ seen: { online: boolean; at: number }[] }> {
	const c = await mqtt.connectAsync(hub.mqttUrl, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5_000 });
	clients.push(c);
	const seen: { online: boolean; at: number }[] = [];
	c.on("message", (_t, p) => seen.push({ online: JSON.parse(p.toString()).online, at: Date.now() }));
	await c.subscribeAsync(`vikno/v1/${CENTRE}/win-01/status`, { qos: 1 });
	return { seen };
}

describe("edge node process", () => {
	it("kill -9 mid-burst of 2 000 presses: every acknowledged press is stored exactly once", async () => {
		const config = writeConfig(5);
		const first = runEdge(config);
		await first.connected;
		const status = await watchStatus();

		const total = 2_000;
		let sent = 0;
		const writing = (async () => {
			while (sent < total && first.child.exitCode === null && first.child.signalCode === null) {
				first.child.stdin.write(Array.from({ length: 50 }, (_, i) => `tap r${((sent + i) % 5) + 1}\n`).join(""));
				sent += 50;
				await sleep(10);
			}
		})();
		// Mid-burst: the node is still taking presses when it dies.
		await until(() => first.stored.length >= 1_000, 30_000, "1 000 presses acknowledged");
		first.child.kill("SIGKILL");
		await new Promise((r) => first.child.once("exit", r));
		await writing;
		const acknowledged = [...first.stored];
		expect(acknowledged.length).toBeGreaterThanOrEqual(1_000);
		expect(acknowledged.length).toBeLessThan(total);
		// The broker noticed the dead connection and published the Last Will.
		await until(() => status.seen.some((s) => !s.online), 5_000, "online:false after kill -9");

		const second = runEdge(config);
		await second.connected;
		const storedIds = async () =>
			(await hub.store.readRange(CENTRE, 0, Number.MAX_SAFE_INTEGER))
				.filter((e) => e.kind === "rating")
				.map((e) => e.id);
		await until(
			async () => {
				const have = new Set(await storedIds());
				return acknowledged.every((id) => have.has(id));
			},
			20_000,
			"every acknowledged press stored",
		);
		await sleep(300);
		const ids = await storedIds();
		expect(new Set(ids).size).toBe(ids.length);
		expect(await hub.countEvents({ centre: CENTRE, kind: "rating" })).toBe(ids.length);
		// Events synced but not yet logged when the process died are delivered too; nothing else.
		expect(ids.length - acknowledged.length).toBeLessThanOrEqual(5);
		expect(status.seen.at(-1)?.online).toBe(true);

		second.child.kill("SIGTERM");
		await new Promise((r) => second.child.once("exit", r));
		expect(second.child.exitCode).toBe(0);
		// A graceful stop says offline itself (retained).
		await until(() => status.seen.at(-1)?.online === false, 5_000, "online:false on SIGTERM");
	});

	it("Last Will: a node that stops answering is reported offline within the keep-alive bound", async () => {
		const keepaliveS = 1;
		const edge = runEdge(writeConfig(keepaliveS));
		await edge.connected;
		const status = await watchStatus();
		await until(() => status.seen.at(-1)?.online === true, 5_000, "online:true retained");
		// Frozen, not dead: the socket stays open, only the keep-alive can tell (MQTT 3.1.1 §3.1.2.10: 1.5 × keep-alive).
		edge.child.kill("SIGSTOP");
		const stoppedAt = Date.now();
		await until(() => status.seen.some((s) => !s.online), 5_000, "online:false");
		const after = (status.seen.find((s) => !s.online)?.at ?? 0) - stoppedAt;
		expect(after).toBeLessThanOrEqual(keepaliveS * 1500 + 1000);
		edge.child.kill("SIGKILL");
		await until(async () => (await hub.countEvents({ centre: CENTRE, kind: "status" })) >= 2, 5_000, "status stored");
	});
});
