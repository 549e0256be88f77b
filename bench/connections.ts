/**
 * `npm run bench -- connections`: how many nodes one hub machine holds. A generated deployment
 * of `VIKNO_BENCH_NODES` nodes (default 30 000; 30 per centre), each with its own credential,
 * connects to `VIKNO_BENCH_HUBS` `vikno hub` processes (default 2, one per core) sharing sessions
 * and messages through one Redis (the city topology, docs/broker.md), from
 * `VIKNO_BENCH_GENERATORS` load-generator processes (default 3), each opening
 * `VIKNO_BENCH_RATE` connections per second (default 1000) and sending every node's heartbeat
 * (retained status, QoS 1) every 30 s, and its own events (a window's ratings, the terminal's
 * tickets, the door's counts) at `VIKNO_BENCH_EVENTS_PER_HOUR` (default 6). This machine's
 * open-files limit (20 000 per process) is why one hub process cannot hold 30 000.
 *
 * Phases: the hubs idle with no client (RSS sampled); every node connected at the controlled
 * rate; one heartbeat period idle (RSS sampled: the memory per connection is the difference over
 * the number of nodes); the opening (every node's event at once, timed until all are
 * acknowledged, so stored); every hub process restarted at once (SIGTERM, the graceful stop, then
 * started again on the same ports): the burst of everyone reconnecting, timed until every node
 * is back on the hubs. Each generator reports its own CPU, so a slow generator shows.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { type City, hubClients, hubMetric, startCity } from "./city.ts";
import { cpuMs, listenOverflows, rssBytes } from "./proc.ts";
import { printTable } from "./table.ts";

const NODES = Number(process.env.VIKNO_BENCH_NODES ?? 30_000);
const HUBS = Number(process.env.VIKNO_BENCH_HUBS ?? 2);
const GENERATORS = Number(process.env.VIKNO_BENCH_GENERATORS ?? 3);
const RATE = Number(process.env.VIKNO_BENCH_RATE ?? 1000);
const EVENTS_PER_HOUR = Number(process.env.VIKNO_BENCH_EVENTS_PER_HOUR ?? 6);
/** `vikno hub --heap-growth` of the hubs; 0: V8's own. */
const HEAP_GROWTH = Number(process.env.VIKNO_BENCH_HEAP_GROWTH ?? 30);
/** The hubs' --max-connecting; their default when not given. */
const MAX_CONNECTING = process.env.VIKNO_BENCH_MAX_CONNECTING;
const BURST_TIMEOUT_MS = 300_000;
const PER_CENTRE = 30;
const HEARTBEAT_S = 30;
/** Sockets one process may hold: the open-files limit less what a hub opens besides. */
const FD_LIMIT = 20_000;
const FD_SPARE = 500;
const CONNECT_TIMEOUT_MS = 600_000;
const RECONNECT_TIMEOUT_MS = 300_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (b: number) => Math.round(b / 104857.6) / 10;
const progress = (line: string) => process.stderr.write(`connections: ${line}\n`);

/** The RSS of each hub, the mean of three samples a second apart. */
async function hubRss(city: City): Promise<number[]> {
	const samples: number[][] = [];
	for (let i = 0; i < 3; i++) {
		samples.push(city.hubs.map((h) => rssBytes(h.pid)));
		await sleep(1000);
	}
	return city.hubs.map((_, k) => samples.reduce((s, x) => s + (x[k] ?? 0), 0) / samples.length);
}

/** Nodes connected to the hubs: their client counts less their own connections (`own`). */
async function hubTotal(city: City, own = 0): Promise<number> {
	const counts = await Promise.all(city.hubs.map((h) => hubClients(h).catch(() => 0)));
	return counts.reduce((a, b) => a + b, 0) - own;
}

/** The generators' client errors by kind, added up. */
function errorKinds(c: City): Record<string, number> {
	const out: Record<string, number> = {};
	for (const g of c.generators)
		for (const [k, n] of Object.entries(g.latest?.errorKinds ?? {})) out[k] = (out[k] ?? 0) + n;
	return out;
}

/** Wait until `count()` reaches `target`; the time it took, s, or undefined on timeout (and the highest seen). */
async function reach(what: string, count: () => Promise<number>, target: number, timeoutMs: number) {
	const t0 = performance.now();
	let best = 0;
	let told = 0;
	while (performance.now() - t0 < timeoutMs) {
		const n = await count();
		best = Math.max(best, n);
		if (performance.now() - told > 5000) {
			told = performance.now();
			progress(`${what}: ${n} of ${target} after ${((told - t0) / 1000).toFixed(0)} s`);
		}
		if (n >= target) return { s: (performance.now() - t0) / 1000, best };
		await sleep(250);
	}
	return { s: undefined, best };
}

export async function run(): Promise<Record<string, unknown>> {
	const perHub = Math.ceil(NODES / HUBS);
	const perGenerator = Math.ceil(NODES / GENERATORS);
	if (perHub > FD_LIMIT - FD_SPARE || perGenerator > FD_LIMIT - FD_SPARE)
		throw new Error(
			`${NODES} nodes need more processes: ${perHub} per hub and ${perGenerator} per generator, each under ${FD_LIMIT - FD_SPARE} sockets (VIKNO_BENCH_HUBS, VIKNO_BENCH_GENERATORS)`,
		);
	const dir = mkdtempSync(join(tmpdir(), "vikno-bench-connections-"));
	const loadBefore = loadavg()[0] ?? 0;
	let city: City | undefined;
	try {
		const tProvision = performance.now();
		city = await startCity({
			dir,
			centres: Math.ceil(NODES / PER_CENTRE),
			nodesPerCentre: PER_CENTRE,
			hubs: HUBS,
			generators: GENERATORS,
			ratePerS: RATE,
			heartbeatS: HEARTBEAT_S,
			eventsPerHour: EVENTS_PER_HOUR,
			hubArgs: [
				...(HEAP_GROWTH > 0 ? ["--heap-growth", String(HEAP_GROWTH)] : []),
				...(MAX_CONNECTING ? ["--max-connecting", MAX_CONNECTING] : []),
			],
			maxConnections: Math.min(FD_LIMIT - FD_SPARE, perHub + 1000),
			deferConnect: true,
		});
		const c = city;
		const startS = (performance.now() - tProvision) / 1000;
		await sleep(5000);
		progress(`${HUBS} hubs started in ${startS.toFixed(1)} s`);
		const idle = await hubRss(c);
		// The hubs' own connections to their brokers (their services), counted before any node.
		const own = await hubTotal(c);
		const redisIdle = rssBytes(c.redis.pid);

		const cpuHubs0 = c.hubs.map((h) => cpuMs(h.pid));
		c.connect();
		const connected = await reach("connected", async () => c.connected(), NODES, CONNECT_TIMEOUT_MS);
		const connectS = connected.s;
		const genConnectCpu = c.generators.map((g) => g.latest?.cpuMs ?? 0);
		const hubConnectCpu = c.hubs.map((h, k) => cpuMs(h.pid) - (cpuHubs0[k] ?? 0));
		if (connectS === undefined) {
			// What the hubs hold when they go no further: the highest count, their memory and CPU.
			const atCap = await hubRss(c);
			return {
				nodes: connected.best,
				target: NODES,
				error: `only ${connected.best} of ${NODES} connected in ${CONNECT_TIMEOUT_MS / 1000} s`,
				connected_at_end: c.connected(),
				hub_clients: await hubTotal(c, own),
				hub_rss_idle_mb: idle.map(mb),
				hub_rss_at_end_mb: atCap.map(mb),
				redis_rss_mb: [mb(redisIdle), mb(rssBytes(c.redis.pid))],
				generator_cpu_pct: genConnectCpu.map((x) => Math.round(x / CONNECT_TIMEOUT_MS / 0.001) / 10),
				hub_cpu_pct: hubConnectCpu.map((x) => Math.round(x / CONNECT_TIMEOUT_MS / 0.001) / 10),
				load1: [Math.round(loadBefore * 10) / 10, Math.round((loadavg()[0] ?? 0) * 10) / 10],
			};
		}

		// One heartbeat period with everyone connected: the idle state to measure.
		const beats0 = c.generators.map((g) => g.latest?.heartbeatsAcked ?? 0);
		const events0 = c.generators.map((g) => g.latest?.eventsAcked ?? 0);
		const genCpu0 = c.generators.map((g) => g.latest?.cpuMs ?? 0);
		const hubCpu0 = c.hubs.map((h) => cpuMs(h.pid));
		progress(`all connected in ${connectS.toFixed(1)} s; ${HEARTBEAT_S} s of heartbeats`);
		await sleep(HEARTBEAT_S * 1000);
		const busy = await hubRss(c);
		const redisBusy = rssBytes(c.redis.pid);
		const acked = c.generators.reduce((s, g, k) => s + (g.latest?.heartbeatsAcked ?? 0) - (beats0[k] ?? 0), 0);
		const eventsIdle = c.generators.reduce((s, g, k) => s + (g.latest?.eventsAcked ?? 0) - (events0[k] ?? 0), 0);
		const idleSpan = HEARTBEAT_S + 3;
		const genIdleCpu = c.generators.map((g, k) => (g.latest?.cpuMs ?? 0) - (genCpu0[k] ?? 0));
		const hubIdleCpu = c.hubs.map((h, k) => cpuMs(h.pid) - (hubCpu0[k] ?? 0));
		const stillConnected = c.connected();
		const hubClientsNow = await hubTotal(c, own);

		// The opening: one event from every node at once, timed until each is acknowledged (stored).
		const sent = () => c.generators.reduce((s, g) => s + (g.latest?.events ?? 0), 0);
		const ackedEvents = () => c.generators.reduce((s, g) => s + (g.latest?.eventsAcked ?? 0), 0);
		const before = sent();
		const tBurst = performance.now();
		for (const g of c.generators) g.send({ type: "burst" });
		progress(`the opening: ${NODES} events at once`);
		const opening = await reach("opening acknowledged", async () => ackedEvents() - before, NODES, BURST_TIMEOUT_MS);
		const burstS = opening.s === undefined ? undefined : (performance.now() - tBurst) / 1000;

		// Burst: every hub process restarted at once; the nodes come back by themselves.
		const tRestart = performance.now();
		await c.restart();
		const downS = (performance.now() - tRestart) / 1000;
		progress(`hubs restarted in ${downS.toFixed(1)} s`);
		// What the reconnect costs: every process's CPU, and the CONNACKs and errors the nodes saw.
		const hubCpuR0 = c.hubs.map((h) => cpuMs(h.pid));
		const redisCpuR0 = cpuMs(c.redis.pid);
		const genCpuR0 = c.generators.map((g) => g.latest?.cpuMs ?? 0);
		const connacksR0 = c.generators.reduce((s, g) => s + (g.latest?.connacks ?? 0), 0);
		const errorsR0 = c.generators.reduce((s, g) => s + (g.latest?.errors ?? 0), 0);
		const kindsR0 = errorKinds(c);
		const overflowsR0 = listenOverflows();
		const back = await reach("back", async () => c.connected(), NODES, RECONNECT_TIMEOUT_MS);
		const overflowsR = listenOverflows() - overflowsR0;
		const busyR = (
			await Promise.all(c.hubs.map((h) => hubMetric(h, 'vikno_mqtt_connects_refused_total{reason="busy"}')))
		).reduce((a, b) => a + b, 0);
		const backSpan = back.s ?? RECONNECT_TIMEOUT_MS / 1000;
		const pctOf = (ms: number) => Math.round((ms / 10 / backSpan) * 10) / 10;
		const hubCpuR = c.hubs.map((h, k) => pctOf(cpuMs(h.pid) - (hubCpuR0[k] ?? 0)));
		const redisCpuR = pctOf(cpuMs(c.redis.pid) - redisCpuR0);
		const genCpuR = c.generators.map((g, k) => pctOf((g.latest?.cpuMs ?? 0) - (genCpuR0[k] ?? 0)));
		const connacksR = c.generators.reduce((s, g) => s + (g.latest?.connacks ?? 0), 0) - connacksR0;
		const errorsR = c.generators.reduce((s, g) => s + (g.latest?.errors ?? 0), 0) - errorsR0;
		const kindsR = Object.fromEntries(
			Object.entries(errorKinds(c))
				.map(([k, n]) => [k, n - (kindsR0[k] ?? 0)] as const)
				.filter(([, n]) => n > 0),
		);
		await sleep(2000);
		const hubsBack = await hubTotal(c, own);

		const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
		const kbPerConn = (sum(busy) - sum(idle)) / NODES / 1024;
		const rows = [
			["nodes connected (generators' count)", `${stillConnected} of ${NODES}`],
			["MQTT clients on the hubs (their /metrics)", `${hubClientsNow}, after the restart ${hubsBack}`],
			["hub processes / generators", `${HUBS} / ${GENERATORS}`],
			["the hubs' --heap-growth", HEAP_GROWTH > 0 ? `${HEAP_GROWTH} %` : "V8's own"],
			[`hubs started (deployment of ${Math.ceil(NODES / PER_CENTRE)} centres)`, `${startS.toFixed(1)} s`],
			[`connect all at ${RATE * GENERATORS}/s offered`, `${connectS.toFixed(1)} s`],
			["RSS of the hubs, idle, no client", idle.map((x) => `${mb(x)} MB`).join(" + ")],
			["RSS of the hubs, all connected", busy.map((x) => `${mb(x)} MB`).join(" + ")],
			["RSS per connection (hubs)", `${kbPerConn.toFixed(1)} KB`],
			["RSS of redis-server, idle → connected", `${mb(redisIdle)} → ${mb(redisBusy)} MB`],
			[
				`heartbeats acknowledged in ${HEARTBEAT_S} s`,
				`${acked} (${(acked / HEARTBEAT_S).toFixed(0)}/s; ${NODES} expected per period)`,
			],
			[`own events acknowledged in ${HEARTBEAT_S} s (${EVENTS_PER_HOUR}/h per node)`, `${eventsIdle}`],
			[
				"the opening: an event from every node, all acknowledged",
				burstS === undefined
					? `no: ${opening.best} of ${NODES}`
					: `${burstS.toFixed(1)} s (${Math.round(NODES / burstS)}/s)`,
			],
			["hub restart (stop + start)", `${downS.toFixed(1)} s`],
			["all back on the hubs after the restart", back.s === undefined ? `no: ${back.best}` : `${back.s.toFixed(1)} s`],
			[
				"CONNACKs / client errors while they came back",
				`${connacksR} / ${errorsR} (${Object.entries(kindsR)
					.map(([k, n]) => `${k} ${n}`)
					.join(", ")})`,
			],
			["closed as busy (waited > 5 s for a turn) / the kernel's listen overflows", `${busyR} / ${overflowsR}`],
			[
				"CPU while they came back: hubs, redis-server, generators",
				`${hubCpuR.map((x) => `${x}%`).join(" ")}, ${redisCpuR}%, ${genCpuR.map((x) => `${x}%`).join(" ")}`,
			],
			[
				"generators' CPU, connecting",
				genConnectCpu.map((x) => `${((x / 1000 / connectS) * 100).toFixed(0)}%`).join(" "),
			],
			["hubs' CPU, connecting", hubConnectCpu.map((x) => `${((x / 1000 / connectS) * 100).toFixed(0)}%`).join(" ")],
			["generators' CPU, idle", genIdleCpu.map((x) => `${((x / 1000 / idleSpan) * 100).toFixed(0)}%`).join(" ")],
			["hubs' CPU, idle", hubIdleCpu.map((x) => `${((x / 1000 / idleSpan) * 100).toFixed(0)}%`).join(" ")],
			["generators' RSS", c.generators.map((g) => `${g.latest?.rssMb ?? 0} MB`).join(" + ")],
			["load average (1 min) before / after", `${loadBefore.toFixed(1)} / ${(loadavg()[0] ?? 0).toFixed(1)}`],
		];
		printTable(
			"connections",
			rows.map(([what, value]) => ({ what: what as string, value: value as string })),
		);
		return {
			nodes: stillConnected,
			target: NODES,
			hub_clients: hubClientsNow,
			kb_per_conn: Math.round(kbPerConn * 10) / 10,
			reconnect_s: back.s === undefined ? null : Math.round(back.s * 10) / 10,
			reconnected: back.best,
			restart_s: Math.round(downS * 10) / 10,
			hub_clients_after_restart: hubsBack,
			reconnect_connacks: connacksR,
			reconnect_errors: errorsR,
			reconnect_error_kinds: kindsR,
			reconnect_busy: busyR,
			reconnect_listen_overflows: overflowsR,
			hub_cpu_reconnect_pct: hubCpuR,
			redis_cpu_reconnect_pct: redisCpuR,
			generator_cpu_reconnect_pct: genCpuR,
			connect_s: Math.round(connectS * 10) / 10,
			hubs: HUBS,
			heap_growth_pct: HEAP_GROWTH > 0 ? HEAP_GROWTH : null,
			max_connecting: MAX_CONNECTING ? Number(MAX_CONNECTING) : "default",
			generators: GENERATORS,
			rate_per_s: RATE * GENERATORS,
			hub_rss_idle_mb: idle.map(mb),
			hub_rss_connected_mb: busy.map(mb),
			redis_rss_mb: [mb(redisIdle), mb(redisBusy)],
			heartbeats_per_s: Math.round(acked / HEARTBEAT_S),
			events_per_hour_per_node: EVENTS_PER_HOUR,
			events_idle: eventsIdle,
			events_sent: sent(),
			burst_s: burstS === undefined ? null : Math.round(burstS * 10) / 10,
			generator_cpu_connect_pct: genConnectCpu.map((x) => Math.round((x / 10 / connectS) * 10) / 10),
			generator_cpu_idle_pct: genIdleCpu.map((x) => Math.round((x / 10 / idleSpan) * 10) / 10),
			hub_cpu_connect_pct: hubConnectCpu.map((x) => Math.round((x / 10 / connectS) * 10) / 10),
			hub_cpu_idle_pct: hubIdleCpu.map((x) => Math.round((x / 10 / idleSpan) * 10) / 10),
			load1: [Math.round(loadBefore * 10) / 10, Math.round((loadavg()[0] ?? 0) * 10) / 10],
		};
	} finally {
		await city?.stop();
		rmSync(dir, { recursive: true, force: true });
	}
}
