/**
 * `npm run bench -- broker`: the cost of security. The same publisher and subscriber (MQTT.js,
 * QoS 1 publishes, one subscriber) against
 * - the vikno broker with device credentials and the ACL (a node publishing its ratings, a
 *   service account subscribed to vikno/v1/#),
 * - the vikno broker open to anonymous clients (no ACL decisions),
 * - mosquitto (Debian's, anonymous) on the same machine, in the same run.
 * Ingest is replaced by an admit that resolves at once, so this measures the broker alone. The
 * clients run in a child process of their own (bench/brokerLoad.ts), so aedes, like mosquitto,
 * has a core to itself; the child's CPU is reported (`*_load_cpu_pct`).
 * Figures: saturated throughput (msg/s), latency publish → delivery at a fixed rate (p50, p99),
 * and `qos1_ratio_vs_mosquitto` (vikno with credentials and ACL ÷ mosquitto, same run).
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { IClientOptions } from "mqtt";
import { startBroker } from "../broker/broker.ts";
import { DeviceRegistry, registryPath } from "../broker/registry.ts";
import { type Measured, PACED_RATE, WINDOW } from "./brokerLoad.ts";
import { printTable } from "./table.ts";

const LOAD = fileURLToPath(new URL("./brokerLoad.ts", import.meta.url));

const TOPIC = "vikno/v1/demo/win-01/rating";

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

/**
 * The publisher and the subscriber run in a child process (bench/brokerLoad.ts), so the broker
 * under test has a core to itself as mosquitto has — for every target alike; the child reports
 * the CPU it used, so a saturated load generator shows.
 */
async function measure(t: Target): Promise<Measured> {
	const filter = t.name.startsWith("vikno, auth") ? "vikno/v1/#" : TOPIC;
	const job = { url: t.url, publisher: t.publisher, subscriber: t.subscriber, filter };
	const child = spawn(process.execPath, ["--import", "tsx", LOAD, JSON.stringify(job)], {
		stdio: ["ignore", "pipe", "inherit"],
	});
	let out = "";
	child.stdout.on("data", (b: Buffer) => {
		out += b.toString();
	});
	const [code] = (await once(child, "exit")) as [number | null];
	const last = out.trim().split("\n").at(-1) ?? "";
	if (code !== 0 || !last.startsWith("{")) throw new Error(`the load generator failed (exit ${code}): ${out}`);
	return JSON.parse(last) as Measured;
}

export async function run(): Promise<Record<string, unknown>> {
	const dir = mkdtempSync(join(tmpdir(), "vikno-bench-broker-"));
	const rows: Record<string, string | number>[] = [];
	const figures: Record<string, unknown> = {};
	try {
		const targets = [await vikno(true, dir), await vikno(false, dir), await mosquitto(dir)];
		for (const t of targets) {
			if (!t) {
				rows.push({ broker: "mosquitto (not installed)", "msg/s": "-", "p50 ms": "-", "p99 ms": "-", "load CPU": "-" });
				continue;
			}
			try {
				const m = await measure(t);
				rows.push({
					broker: t.name,
					"msg/s": m.msgsPerS,
					"p50 ms": m.p50Ms,
					"p99 ms": m.p99Ms,
					"load CPU": `${m.loadCpuPct} %`,
				});
				const key = t.name.startsWith("mosquitto") ? "mosquitto" : t.name.includes("ACL") ? "secured" : "open";
				figures[`${key}_msgs_per_s`] = m.msgsPerS;
				figures[`${key}_p50_ms`] = m.p50Ms;
				figures[`${key}_p99_ms`] = m.p99Ms;
				figures[`${key}_load_cpu_pct`] = m.loadCpuPct;
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
	const m = figures.mosquitto_msgs_per_s as number | undefined;
	if (s && m) figures.qos1_ratio_vs_mosquitto = Math.round((s / m) * 100) / 100;
	return figures;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify({ bench: "broker", ...(await run()) }));
