/**
 * A centre-sized hub's memory: `vikno hub` as its own process, as its shebang runs it, with one
 * centre of 50 nodes (48 windows, the terminal, the door), each node on its own MQTT connection,
 * 50 events a second between them for `seconds` — ratings from the windows, tickets issued at the
 * terminal, people in and out at the door, and every node's retained status every 30 s. The hub's
 * RSS (from /proc) is sampled every second.
 */
import mqtt, { type MqttClient } from "mqtt";
import { v7 as uuidv7 } from "uuid";
import { BIN, startHubProcess } from "../test/fixtures/hubProcess.ts";
import type { BenchCentre } from "./e2eCentre.ts";
import { cpuMs, rssBytes } from "./proc.ts";
import { mb } from "./table.ts";

export interface RssFigures {
	events: number;
	acked: number;
	seconds: number;
	rssStartMb: number;
	rssEndMb: number;
	rssMaxMb: number;
	/** The hub's CPU over the measured seconds, % of one core. */
	cpuPct: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What node `node` (a window, the terminal or the door) publishes for its `n`-th event. */
function eventOf(node: string, n: number): { kind: string; data: object } {
	if (node.startsWith("win-")) return { kind: "rating", data: { score: 1 + (n % 5) } };
	if (node === "terminal-1")
		return {
			kind: "queue",
			data: { event: "issued", ticket: `K${String(n % 1000).padStart(3, "0")}`, service: "consult" },
		};
	return { kind: "occupancy", data: { zone: "hall", in: n % 2, out: (n + 1) % 2 } };
}

/**
 * `program` is what runs before `hub …`: node's flags and the script, e.g. the deployed unit's
 * `["--max-semi-space-size=16", "dist/vikno.mjs"]`; by default the checkout's bin/vikno.js as its
 * shebang runs it (under tsx).
 */
export async function centreHubRss(
	centre: BenchCentre,
	dataDir: string,
	rate: number,
	seconds: number,
	program: string[] = ["--max-semi-space-size=64", BIN],
	/** Options of `vikno hub` besides the bench's (e.g. the example environment file's). */
	hubOptions: string[] = [],
	env: NodeJS.ProcessEnv = {},
) {
	const hub = await startHubProcess(
		process.execPath,
		[
			...program,
			"hub",
			"--config",
			centre.path,
			"--data",
			dataDir,
			"--http-port",
			"0",
			"--mqtt-port",
			"0",
			"--host",
			"127.0.0.1",
			"--allow-anonymous",
			...hubOptions,
		],
		{ env: { ...process.env, ...env, VIKNO_LOG_LEVEL: "warn" } },
	);
	const pid = hub.child.pid as number;
	const id = centre.centre.id;
	const nodes = centre.centre.nodes.map((n) => n.id);
	const clients: MqttClient[] = [];
	try {
		for (const node of nodes)
			clients.push(
				await mqtt.connectAsync(hub.mqttUrl, {
					protocolVersion: 4,
					reconnectPeriod: 0,
					clientId: `e2e-rss-${node}`,
				}),
			);
		const publish = (k: number, kind: string, data: object, retain = false) =>
			(clients[k] as MqttClient).publishAsync(
				`vikno/v1/${id}/${nodes[k]}/${kind}`,
				JSON.stringify({ id: uuidv7(), ts: Date.now(), ...data }),
				{ qos: 1, retain },
			);
		const status = () =>
			Promise.all(
				nodes.map((_, k) => publish(k, "status", { online: true, version: "bench", uptimeS: 1, buffered: 0 }, true)),
			);
		await status();
		await sleep(2_000);
		const rssStart = rssBytes(pid);
		const cpuStart = cpuMs(pid);
		let rssMax = rssStart;
		let acked = 0;
		const pending: Promise<unknown>[] = [];
		const total = Math.round(rate * seconds);
		const start = performance.now();
		let i = 0;
		let nextSample = start + 1_000;
		let nextStatus = start + 30_000;
		while (i < total) {
			const now = performance.now();
			const due = Math.min(total, Math.floor(((now - start) * rate) / 1000) + 1);
			for (; i < due; i++) {
				const k = i % nodes.length;
				const e = eventOf(nodes[k] as string, Math.floor(i / nodes.length));
				pending.push(publish(k, e.kind, e.data).then(() => acked++));
			}
			if (now >= nextSample) {
				rssMax = Math.max(rssMax, rssBytes(pid));
				nextSample += 1_000;
			}
			if (now >= nextStatus) {
				pending.push(status());
				nextStatus += 30_000;
			}
			await sleep(5);
		}
		await Promise.all(pending);
		const rssEnd = rssBytes(pid);
		const cpuPct = Math.round(((cpuMs(pid) - cpuStart) / (performance.now() - start)) * 1000) / 10;
		return {
			events: total,
			acked,
			seconds,
			rssStartMb: mb(rssStart),
			rssEndMb: mb(rssEnd),
			rssMaxMb: mb(Math.max(rssMax, rssEnd)),
			cpuPct,
		} satisfies RssFigures;
	} finally {
		await Promise.all(clients.map((c) => c.endAsync(true)));
		await hub.kill("SIGTERM");
	}
}
