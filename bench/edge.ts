/**
 * `npm run bench -- edge`: press-to-acknowledge latency (the light is switched on after the
 * event is synced to disk) and press-to-broker latency (a subscriber on the hub sees it),
 * p50/p99, with the sim driver in this process against a real hub on loopback; then the idle
 * RSS and CPU of an edge node running alone as its own process: the deployable form first (the
 * esbuild bundle of `npm run build:edge`, run by plain `node`, as on a Pi), then under tsx for
 * comparison.
 * Targets (issue 5): acknowledge under 20 ms p99, idle RSS under 80 MB.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import mqtt from "mqtt";
import type { Log } from "../core/log.ts";
import { SimDriver } from "../edge/drivers/sim.ts";
import { parseEdgeConfig } from "../edge/load-config.ts";
import { startEdge } from "../edge/node.ts";
import { hallCentre } from "../test/fixtures/centres.ts";
import { benchHub } from "./hub.ts";
import { printTable } from "./table.ts";

const PRESSES = Number(process.env.VIKNO_BENCH_PRESSES ?? 1_000);
const GAP_MS = 5;
const IDLE_S = 5;
const CENTRE = "bench-hall";
const ROOT = fileURLToPath(new URL("../", import.meta.url));

const pct = (xs: number[], p: number) => {
	const s = [...xs].sort((a, b) => a - b);
	return s.length ? (s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number) : Number.NaN;
};
const r2 = (x: number) => Math.round(x * 100) / 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function nodeConfig(url: string, dataDir: string, stdio = false) {
	const ratingButtons = ["r1", "r2", "r3", "r4", "r5"];
	return {
		centre: CENTRE,
		node: "win-01",
		role: "window",
		dataDir,
		broker: { url, reconnectMinMs: 50, reconnectMaxMs: 500 },
		driver: { type: "sim", debounceMs: 30, stdio },
		inputs: ratingButtons.map((name, i) => ({ name, pin: i + 2 })),
		outputs: [
			{ name: "thanks", pin: 20 },
			{ name: "buzzer", pin: 21 },
		],
		window: { window: "w01", ratingButtons, thanksLed: "thanks", buzzer: "buzzer", lockoutS: 0 },
		log: { level: "warn" },
	};
}

/** RSS (bytes) and CPU ticks of a process, from /proc. */
function procStats(pid: number): { rss: number; ticks: number } {
	const status = readFileSync(`/proc/${pid}/status`, "utf8");
	const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
	const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
	const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
	return { rss: rssKb * 1024, ticks: Number(fields[11]) + Number(fields[12]) };
}

/** `npm run build:edge`: the one place the bundle's options live. */
function buildBundle(): string {
	const built = spawnSync("npm", ["run", "-s", "build:edge"], { cwd: ROOT, encoding: "utf8" });
	if (built.status !== 0) throw new Error(`npm run build:edge failed:\n${built.stderr}`);
	return join(ROOT, "dist", "vikno-edge.mjs");
}

/** The node flags of `deploy/vikno-edge.service`'s ExecStart (between node and the bundle). */
export function edgeUnitNodeFlags(): string[] {
	const unit = readFileSync(join(ROOT, "deploy", "vikno-edge.service"), "utf8");
	const exec = /^ExecStart=\S*node((?: --\S+)*) \S+vikno-edge\.mjs/m.exec(unit);
	if (!exec) throw new Error("deploy/vikno-edge.service: no ExecStart running node on the bundle");
	return (exec[1] ?? "").trim().split(" ").filter(Boolean);
}

/** Start an edge node with these node arguments, let it settle, and measure it idle. */
async function idle(args: string[]): Promise<{ rssMb: number; cpuPct: number }> {
	const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["pipe", "ignore", "pipe"] });
	let stderr = "";
	child.stderr?.on("data", (d: Buffer) => {
		stderr = (stderr + d.toString()).slice(-4000);
	});
	try {
		await sleep(3_000);
		const pid = child.pid as number;
		if (child.exitCode !== null) throw new Error(`edge node exited early (${args.join(" ")}):\n${stderr}`);
		const a = procStats(pid);
		await sleep(IDLE_S * 1000);
		const b = procStats(pid);
		const hz = 100; // USER_HZ on Linux
		return { rssMb: r2(b.rss / 1024 / 1024), cpuPct: r2(((b.ticks - a.ticks) / hz / IDLE_S) * 100) };
	} finally {
		if (child.exitCode === null) {
			child.kill("SIGTERM");
			await new Promise((r) => child.once("exit", r));
		}
	}
}

export async function run(): Promise<Record<string, number>> {
	const dir = mkdtempSync(join(tmpdir(), "vikno-bench-edge-"));
	const hub = await benchHub(hallCentre(CENTRE), dir);
	try {
		// 1. Latencies, node in this process.
		const pressedAt = new Map<string, number>();
		let lastPress = 0;
		const noop = () => {};
		const log: Log = {
			error: noop,
			warn: noop,
			debug: noop,
			info: (obj: object | string) => {
				const id = typeof obj === "object" ? (obj as { id?: string }).id : undefined;
				if (id) pressedAt.set(id, lastPress);
			},
		};
		const sim = new SimDriver();
		const config = parseEdgeConfig(nodeConfig(hub.mqttUrl, join(dir, "edge-a")), "bench");
		const node = await startEdge(config, { driver: sim, log });
		await node.link.whenConnected();
		const sub = await mqtt.connectAsync(hub.mqttUrl, { protocolVersion: 4, reconnectPeriod: 0 });
		const toBroker: number[] = [];
		sub.on("message", (_t, p) => {
			const t = performance.now();
			const at = pressedAt.get((JSON.parse(p.toString()) as { id: string }).id);
			if (at !== undefined) toBroker.push(t - at);
		});
		await sub.subscribeAsync(`vikno/v1/${CENTRE}/win-01/rating`, { qos: 1 });

		const ack: number[] = [];
		for (let i = 0; i < PRESSES; i++) {
			const name = `r${(i % 5) + 1}`;
			lastPress = performance.now();
			// Press → debounce → role → outbox append + fdatasync → light and sound: all before set() returns.
			sim.set(name, true);
			ack.push(performance.now() - lastPress);
			await sleep(GAP_MS / 2);
			sim.set(name, false);
			await sleep(GAP_MS / 2 + 30);
		}
		const end = Date.now() + 10_000;
		while (toBroker.length < PRESSES && Date.now() < end) await sleep(20);
		await sub.endAsync(true);
		await node.close();

		// 2. Idle footprint, node alone as its own process: the bundle, then under tsx.
		const file = join(dir, "edge-b.json");
		writeFileSync(file, JSON.stringify(nodeConfig(hub.mqttUrl, join(dir, "edge-b"), true)));
		const bundle = buildBundle();
		// As the systemd unit runs it: node's flags from its ExecStart.
		const idleBundle = await idle([...edgeUnitNodeFlags(), bundle, "--config", file]);
		const idleTsx = await idle(["--import", "tsx", "edge/main.ts", "--config", file]);

		const figures = {
			presses: PRESSES,
			ack_p50_ms: r2(pct(ack, 50)),
			ack_p99_ms: r2(pct(ack, 99)),
			broker_p50_ms: r2(pct(toBroker, 50)),
			broker_p99_ms: r2(pct(toBroker, 99)),
			delivered: toBroker.length,
			idle_rss_mb: idleBundle.rssMb,
			idle_cpu_pct: idleBundle.cpuPct,
			idle_rss_tsx_mb: idleTsx.rssMb,
			idle_cpu_tsx_pct: idleTsx.cpuPct,
		};
		printTable("edge node (sim driver, fsync on, real hub on loopback)", [
			{ figure: "press → light on (ms)", p50: figures.ack_p50_ms, p99: figures.ack_p99_ms, target: "p99 < 20" },
			{ figure: "press → broker (ms)", p50: figures.broker_p50_ms, p99: figures.broker_p99_ms, target: "" },
		]);
		printTable(`edge node process, idle (CPU over ${IDLE_S} s)`, [
			{
				run: "node dist/vikno-edge.mjs (bundle)",
				"RSS (MB)": idleBundle.rssMb,
				"CPU (%)": idleBundle.cpuPct,
				target: "RSS < 80",
			},
			{ run: "node --import tsx edge/main.ts", "RSS (MB)": idleTsx.rssMb, "CPU (%)": idleTsx.cpuPct, target: "" },
		]);
		return figures;
	} finally {
		await hub.close();
		rmSync(dir, { recursive: true, force: true });
	}
}
