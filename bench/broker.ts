/**
 * `npm run bench -- broker`: the cost of security. The same publisher and subscriber (MQTT.js,
 * QoS 1 publishes, one subscriber) against
 * - the vikno broker with device credentials and the ACL (a node publishing its ratings, a
 *   service account subscribed to vikno/v1/#),
 * - the vikno broker open to anonymous clients (no ACL decisions),
 * - mosquitto (Debian's, anonymous) on the same machine, in the same run.
 * Ingest is replaced by an admit that resolves at once, so this measures the broker alone.
 * Figures: saturated throughput (msg/s) and latency publish → delivery at a fixed rate (p50, p99).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { startBroker } from "../broker/broker.ts";
import { DeviceRegistry, registryPath } from "../broker/registry.ts";
import { printTable } from "./table.ts";

const SATURATION_MESSAGES = 20_000;
const WINDOW = 100;
const PACED_RATE = 2_000;
const PACED_SECONDS = 3;
const TOPIC = "vikno/v1/demo/win-01/rating";
const BODY = JSON.stringify({ id: "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", ts: 0, score: 5 });

interface Target {
	name: string;
	url: string;
	publisher: IClientOptions;
	subscriber: IClientOptions;
	stop(): Promise<void>;
}

async function freePort(): Promise<number> {
	const s = createServer();
	await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
	const port = (s.address() as { port: number }).port;
	await new Promise((resolve) => s.close(resolve));
	return port;
}

async function vikno(secured: boolean, dir: string): Promise<Target> {
	const registry = new DeviceRegistry(registryPath(dir));
	const node = secured
		? await registry.add({ kind: "node", centre: "demo", node: "win-01" }, { replace: true })
		: undefined;
	const svc = secured ? await registry.add({ kind: "service", name: "bench" }, { replace: true }) : undefined;
	const broker = await startBroker({
		port: 0,
		host: "127.0.0.1",
		auth: {
			registry,
			allowAnonymous: !secured,
			nodeRole: (c, n) => (c === "demo" && n === "win-01" ? "window" : undefined),
		},
		admit: async () => ({ forward: true }),
	});
	const login = (u: { username: string; password: string } | undefined, clientId: string): IClientOptions =>
		u ? { username: u.username, password: u.password, clientId } : { clientId };
	return {
		name: secured ? "vikno, auth + ACL" : "vikno, anonymous",
		url: `mqtt://127.0.0.1:${broker.port}`,
		publisher: login(node, "demo/win-01"),
		subscriber: login(svc, "service:bench/sub"),
		stop: () => broker.close(),
	};
}

async function mosquitto(dir: string): Promise<Target | undefined> {
	const port = await freePort();
	const conf = join(dir, "mosquitto.conf");
	writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nset_tcp_nodelay true\n`);
	const child = spawn("mosquitto", ["-c", conf], { stdio: "ignore" });
	const failed = await new Promise<boolean>((resolve) => {
		child.once("error", () => resolve(true));
		setTimeout(() => resolve(false), 300);
	});
	if (failed) return undefined;
	return {
		name: "mosquitto 2, anonymous",
		url: `mqtt://127.0.0.1:${port}`,
		publisher: { clientId: "bench-pub" },
		subscriber: { clientId: "bench-sub" },
		async stop() {
			child.kill("SIGTERM");
			await new Promise((resolve) => child.once("exit", resolve));
		},
	};
}

const open = (url: string, o: IClientOptions) =>
	mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, keepalive: 60, ...o });

async function measure(t: Target) {
	const sub = await open(t.url, t.subscriber);
	const pub = await open(t.url, t.publisher);
	const filter = t.name.startsWith("vikno, auth") ? "vikno/v1/#" : TOPIC;
	await sub.subscribeAsync(filter, { qos: 0 });

	// Saturation: WINDOW publishes awaiting PUBACK at a time; done when the subscriber has all.
	let got = 0;
	let allIn: () => void = () => {};
	sub.on("message", () => {
		got++;
		if (got === SATURATION_MESSAGES) allIn();
	});
	const delivered = new Promise<void>((resolve) => {
		allIn = resolve;
	});
	const t0 = performance.now();
	let sent = 0;
	const lane = async () => {
		while (sent < SATURATION_MESSAGES) {
			sent++;
			await pub.publishAsync(TOPIC, BODY, { qos: 1 });
		}
	};
	await Promise.all(Array.from({ length: WINDOW }, lane));
	await delivered;
	const msgsPerS = Math.round(SATURATION_MESSAGES / ((performance.now() - t0) / 1000));
	sub.removeAllListeners("message");

	// Latency at a fixed rate: the payload carries its send time.
	const latencies: number[] = [];
	sub.on("message", (_topic, body) => {
		const sentAt = Number(JSON.parse(body.toString()).sent);
		latencies.push(performance.now() - sentAt);
	});
	const total = PACED_RATE * PACED_SECONDS;
	const start = performance.now();
	for (let i = 0; i < total; i++) {
		const due = start + (i * 1000) / PACED_RATE;
		const wait = due - performance.now();
		if (wait > 1) await new Promise((r) => setTimeout(r, wait));
		pub.publish(TOPIC, JSON.stringify({ sent: performance.now(), score: 5 }), { qos: 1 });
	}
	const deadline = Date.now() + 10_000;
	while (latencies.length < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
	latencies.sort((a, b) => a - b);
	const at = (q: number) =>
		Math.round((latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0) * 100) / 100;
	await Promise.all([end(pub), end(sub)]);
	return { msgsPerS, p50Ms: at(0.5), p99Ms: at(0.99), delivered: latencies.length, expected: total };
}

const end = (c: MqttClient) => c.endAsync(true);

export async function run(): Promise<Record<string, unknown>> {
	const dir = mkdtempSync(join(tmpdir(), "vikno-bench-broker-"));
	const rows: Record<string, string | number>[] = [];
	const figures: Record<string, unknown> = {};
	try {
		const targets = [await vikno(true, dir), await vikno(false, dir), await mosquitto(dir)];
		for (const t of targets) {
			if (!t) {
				rows.push({ broker: "mosquitto (not installed)", "msg/s": "-", "p50 ms": "-", "p99 ms": "-" });
				continue;
			}
			try {
				const m = await measure(t);
				rows.push({ broker: t.name, "msg/s": m.msgsPerS, "p50 ms": m.p50Ms, "p99 ms": m.p99Ms });
				const key = t.name.startsWith("mosquitto") ? "mosquitto" : t.name.includes("ACL") ? "secured" : "open";
				figures[`${key}_msgs_per_s`] = m.msgsPerS;
				figures[`${key}_p50_ms`] = m.p50Ms;
				figures[`${key}_p99_ms`] = m.p99Ms;
			} finally {
				await t.stop();
			}
		}
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
	printTable(
		`Broker: QoS 1 publish → QoS 0 subscriber; saturation with ${WINDOW} in flight, latency at ${PACED_RATE} msg/s`,
		rows,
	);
	const s = figures.secured_msgs_per_s as number | undefined;
	const o = figures.open_msgs_per_s as number | undefined;
	if (s && o) figures.security_cost_pct = Math.round((1 - s / o) * 1000) / 10;
	return figures;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify({ bench: "broker", ...(await run()) }));
