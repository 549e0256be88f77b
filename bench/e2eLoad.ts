/**
 * The sustained load of the e2e bench, spread over child processes so the generator is never the
 * hidden limit: each child opens one MQTT connection per node it was given and keeps `window`
 * QoS 1 ratings awaiting PUBACK on each (closed loop) for `seconds`, then waits for the last
 * acknowledgements. With `ratePerS` the children together send no faster than that (each its
 * share, evenly spaced): an offered load, for a broker that acknowledges before the hub stores. It reports what it sent, what was acknowledged, the press → PUBACK latencies
 * (a histogram of 0.1 ms steps, so children merge) and the CPU it used (process.cpuUsage).
 * The hub acknowledges a QoS 1 event only once it is durable, so acknowledged = stored.
 *
 *   node --import tsx bench/e2eLoad.ts '{"url":…,"centre":…,"nodes":[…],"window":…,"seconds":…,"tag":…}'
 *   then "go" on stdin once it printed "ready".
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import mqtt from "mqtt";
import { v7 as uuidv7 } from "uuid";

interface Job {
	url: string;
	centre: string;
	nodes: string[];
	window: number;
	seconds: number;
	tag: string;
	/** This child's publishes a second at most (its share of the offered load). */
	ratePerS?: number;
}

export interface ChildFigures {
	sent: number;
	acked: number;
	elapsedMs: number;
	/** CPU of the child while loading, % of one core. */
	cpuPct: number;
	/** [0.1 ms step, count] of press → PUBACK. */
	histogram: [number, number][];
}

async function load(job: Job, go: Promise<void>): Promise<ChildFigures> {
	const clients = await Promise.all(
		job.nodes.map((node) =>
			mqtt.connectAsync(job.url, {
				protocolVersion: 4,
				reconnectPeriod: 0,
				keepalive: 60,
				clientId: `e2e-load-${job.tag}-${node}`,
			}),
		),
	);
	console.log("ready");
	await go;
	const histogram = new Map<number, number>();
	let sent = 0;
	let acked = 0;
	const cpu0 = process.cpuUsage();
	const t0 = performance.now();
	const end = t0 + job.seconds * 1000;
	// Offered load: the n-th publish of this child waits for its slot, n / ratePerS after the start.
	let slots = 0;
	const pace = async () => {
		if (!job.ratePerS) return;
		const wait = t0 + (slots++ * 1000) / job.ratePerS - performance.now();
		if (wait > 0) await new Promise((r) => setTimeout(r, wait));
	};
	const lane = async (client: mqtt.MqttClient, node: string) => {
		const topic = `vikno/v1/${job.centre}/${node}/rating`;
		while (performance.now() < end) {
			await pace();
			if (performance.now() >= end) break;
			sent++;
			const body = JSON.stringify({ id: uuidv7(), ts: Date.now(), score: 1 + (sent % 5) });
			const s = performance.now();
			await client.publishAsync(topic, body, { qos: 1 });
			const step = Math.ceil((performance.now() - s) * 10);
			histogram.set(step, (histogram.get(step) ?? 0) + 1);
			acked++;
		}
	};
	await Promise.all(
		clients.flatMap((c, k) => Array.from({ length: job.window }, () => lane(c, job.nodes[k] as string))),
	);
	const elapsedMs = performance.now() - t0;
	const cpu = process.cpuUsage(cpu0);
	await Promise.all(clients.map((c) => c.endAsync(true)));
	return {
		sent,
		acked,
		elapsedMs,
		cpuPct: Math.round(((cpu.user + cpu.system) / 1000 / elapsedMs) * 1000) / 10,
		histogram: [...histogram],
	};
}

export interface LoadOptions {
	url: string;
	centre: string;
	/** The nodes publishing, dealt out to the children. */
	nodes: string[];
	children: number;
	/** Publishes awaiting PUBACK per connection. */
	window: number;
	seconds: number;
	/** All children's publishes a second at most (default: as fast as acknowledged). */
	ratePerS?: number;
}

export interface LoadFigures {
	sent: number;
	acked: number;
	/** Acknowledged events a second, over the longest child's time. */
	perS: number;
	/** press → PUBACK, ms. */
	latency: { p50: number; p99: number; max: number };
	children: { acked: number; cpuPct: number }[];
}

const SELF = fileURLToPath(import.meta.url);

/** Start the children, let them all connect, start them at once, merge what they report. */
export async function runLoad(o: LoadOptions): Promise<LoadFigures> {
	const tag = Math.random().toString(36).slice(2, 8);
	const shares = Array.from({ length: o.children }, (_, c) => o.nodes.filter((_, i) => i % o.children === c));
	const kids = shares.map((nodes, c) => {
		const job: Job = {
			url: o.url,
			centre: o.centre,
			nodes,
			window: o.window,
			seconds: o.seconds,
			tag: `${tag}${c}`,
			...(o.ratePerS ? { ratePerS: o.ratePerS / o.children } : {}),
		};
		const child = spawn(process.execPath, ["--import", "tsx", SELF, JSON.stringify(job)], {
			stdio: ["pipe", "pipe", "inherit"],
		});
		const lines: string[] = [];
		const ready = new Promise<void>((resolve, reject) => {
			createInterface({ input: child.stdout }).on("line", (line) => {
				lines.push(line);
				if (line === "ready") resolve();
			});
			child.once("exit", (code) => reject(new Error(`load child ${c} exited (${code}) before it was ready`)));
		});
		ready.catch(() => {});
		return { child, lines, ready, exited: once(child, "exit") };
	});
	const timer = setTimeout(
		() => {
			for (const k of kids) k.child.kill("SIGKILL");
		},
		(o.seconds + 120) * 1000,
	);
	try {
		await Promise.all(kids.map((k) => k.ready));
		for (const k of kids) k.child.stdin?.end("go\n");
		const figures = await Promise.all(
			kids.map(async (k, c) => {
				const [code] = (await k.exited) as [number | null];
				const last = k.lines.at(-1) ?? "";
				if (code !== 0 || !last.startsWith("{")) throw new Error(`load child ${c} failed (exit ${code})`);
				return JSON.parse(last) as ChildFigures;
			}),
		);
		return merge(figures);
	} finally {
		clearTimeout(timer);
		for (const k of kids) if (k.child.exitCode === null && k.child.signalCode === null) k.child.kill("SIGKILL");
	}
}

function merge(figures: ChildFigures[]): LoadFigures {
	const counts = new Map<number, number>();
	for (const f of figures) for (const [step, n] of f.histogram) counts.set(step, (counts.get(step) ?? 0) + n);
	const steps = [...counts].sort((a, b) => a[0] - b[0]);
	const acked = figures.reduce((n, f) => n + f.acked, 0);
	const at = (q: number) => {
		let seen = 0;
		for (const [step, n] of steps) {
			seen += n;
			if (seen >= q * acked) return step / 10;
		}
		return Number.NaN;
	};
	const longest = Math.max(...figures.map((f) => f.elapsedMs));
	return {
		sent: figures.reduce((n, f) => n + f.sent, 0),
		acked,
		perS: Math.round(acked / (longest / 1000)),
		latency: { p50: at(0.5), p99: at(0.99), max: (steps.at(-1)?.[0] ?? Number.NaN) / 10 },
		children: figures.map((f) => ({ acked: f.acked, cpuPct: f.cpuPct })),
	};
}

if (import.meta.url === `file://${process.argv[1]}`) {
	const job = JSON.parse(process.argv[2] ?? "{}") as Job;
	// Without a "go" (the bench ended or died first), leave at once.
	const go = new Promise<void>((resolve) => {
		const rl = createInterface({ input: process.stdin });
		let started = false;
		rl.once("line", () => {
			started = true;
			resolve();
		});
		rl.once("close", () => {
			if (!started) process.exit(1);
		});
	});
	console.log(JSON.stringify(await load(job, go)));
	process.exit(0);
}
