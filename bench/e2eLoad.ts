/**
 * The sustained load of the e2e bench, spread over child processes so the generator is never the
 * hidden limit: each child opens one MQTT connection per node it was given (MQTT 3.1.1 through
 * mqtt-packet, no client library: see Lane) and keeps `window`
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
import { connect, type Socket } from "node:net";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import mqttPacket, { type Packet } from "mqtt-packet";
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

/**
 * One node's MQTT 3.1.1 connection, written with mqtt-packet alone: a generator that costs the
 * machine little, so what it measures is the broker and the hub (MQTT.js' client took 40 µs of CPU
 * a publish, a third of the machine at 17 000 a second).
 */
interface Lane {
	socket: Socket;
	topic: string;
	/** Packet id → when it was sent. */
	inFlight: Map<number, number>;
	nextId: number;
	/** Corked until the end of this tick: its publishes leave in one write, as MQTT.js' do. */
	corked: boolean;
}

function send(lane: Lane, packet: Buffer) {
	if (!lane.corked) {
		lane.corked = true;
		lane.socket.cork();
		process.nextTick(() => {
			lane.corked = false;
			lane.socket.uncork();
		});
	}
	lane.socket.write(packet);
}

async function openLane(url: URL, clientId: string, topic: string, onAck: (lane: Lane, id: number) => void) {
	// Node's defaults, as MQTT.js opens its sockets (Nagle's algorithm on).
	const socket = connect({ host: url.hostname, port: Number(url.port || 1883) });
	await once(socket, "connect");
	const lane: Lane = { socket, topic, inFlight: new Map(), nextId: 0, corked: false };
	const parser = mqttPacket.parser({ protocolVersion: 4 });
	let connack: ((code: number) => void) | undefined;
	parser.on("packet", (packet: Packet) => {
		if (packet.cmd === "puback") onAck(lane, packet.messageId as number);
		else if (packet.cmd === "connack") connack?.(packet.returnCode ?? 0);
	});
	parser.on("error", (err: Error) => socket.destroy(err));
	socket.on("data", (chunk: Buffer) => parser.parse(chunk));
	const accepted = new Promise<number>((resolve) => {
		connack = resolve;
	});
	socket.write(
		mqttPacket.generate({
			cmd: "connect",
			protocolId: "MQTT",
			protocolVersion: 4,
			clean: true,
			keepalive: 60,
			clientId,
		}),
	);
	const code = await accepted;
	if (code !== 0) throw new Error(`${clientId}: CONNACK ${code}`);
	return lane;
}

async function load(job: Job, go: Promise<void>): Promise<ChildFigures> {
	const url = new URL(job.url);
	const histogram = new Map<number, number>();
	let sent = 0;
	let acked = 0;
	let t0 = 0;
	let end = 0;
	let finish: () => void = () => {};
	const finished = new Promise<void>((resolve) => {
		finish = resolve;
	});
	let open = 0;
	// Offered load: the n-th publish of this child is due n / ratePerS after the start; a lane
	// whose slot has not come waits, and one timer lets the waiting go as their slots come.
	let slots = 0;
	const waiting: Lane[] = [];
	const due = () => Math.floor(((performance.now() - t0) * (job.ratePerS ?? 0)) / 1000);
	/** Send the lane's next publish when its slot has come (`granted`: the ticker gave it one). */
	const publish = (lane: Lane, granted = false) => {
		if (performance.now() >= end) {
			if (--open === 0) finish();
			return;
		}
		if (job.ratePerS && !granted) {
			if (waiting.length > 0 || slots >= due()) {
				waiting.push(lane);
				return;
			}
			slots++;
		}
		sent++;
		lane.nextId = (lane.nextId % 0xffff) + 1;
		const body = JSON.stringify({ id: uuidv7(), ts: Date.now(), score: 1 + (sent % 5) });
		lane.inFlight.set(lane.nextId, performance.now());
		send(
			lane,
			mqttPacket.generate({
				cmd: "publish",
				topic: lane.topic,
				payload: body,
				qos: 1,
				messageId: lane.nextId,
				retain: false,
				dup: false,
			}),
		);
	};
	const onAck = (lane: Lane, id: number) => {
		const s = lane.inFlight.get(id);
		if (s === undefined) return;
		lane.inFlight.delete(id);
		const step = Math.ceil((performance.now() - s) * 10);
		histogram.set(step, (histogram.get(step) ?? 0) + 1);
		acked++;
		publish(lane);
	};
	const lanes = await Promise.all(
		job.nodes.map((node) =>
			openLane(url, `e2e-load-${job.tag}-${node}`, `vikno/v1/${job.centre}/${node}/rating`, onAck),
		),
	);
	console.log("ready");
	await go;
	const cpu0 = process.cpuUsage();
	t0 = performance.now();
	end = t0 + job.seconds * 1000;
	const ticker = job.ratePerS
		? setInterval(() => {
				for (let n = due() - slots; n > 0 && waiting.length > 0; n--) {
					slots++;
					publish(waiting.shift() as Lane, true);
				}
				if (performance.now() >= end) while (waiting.length > 0) publish(waiting.shift() as Lane);
			}, 2)
		: undefined;
	// `window` publishes in flight on each connection, each acknowledged one followed by the next.
	open = lanes.length * job.window;
	for (const lane of lanes) for (let w = 0; w < job.window; w++) publish(lane);
	await finished;
	const elapsedMs = performance.now() - t0;
	const cpu = process.cpuUsage(cpu0);
	clearInterval(ticker);
	await Promise.all(
		lanes.map(async (lane) => {
			lane.socket.end(mqttPacket.generate({ cmd: "disconnect" }));
			await once(lane.socket, "close");
		}),
	);
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
