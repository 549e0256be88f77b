/**
 * `npm run bench -- e2e`: a press from the node's MQTT client to the store and to the manager's
 * screen, through a real hub (aedes, ingest, SQLite, the live model, HTTP):
 *   1. latency at a large centre's 500 events/s (50 window nodes, one connection each): press →
 *      stored, → PUBACK, → the SSE stream's view (throttled to 4 views a second per centre), and a
 *      probe on a quiet second centre (press → SSE without the throttle's wait), p50/p99;
 *   2. the sustained rate: ratings acknowledged a second (QoS 1: the PUBACK comes only once the event
 *      is durable) from child processes keeping a fixed number in flight, with press → PUBACK p99;
 *   3. press → stored as in 1, through mosquitto 2 and two hubs sharing its stream (`$share/…`),
 *      when mosquitto is installed (VIKNO_MOSQUITTO, default /usr/sbin/mosquitto);
 *   5. (listed last, run before 4) the sustained rate through mosquitto 2 and two `vikno hub --broker`
 *      processes sharing its stream, VIKNO_BENCH_EXT_RATE (20 000) events/s offered by the same
 *      child processes, VIKNO_BENCH_EXT_SUSTAINED_CONNECTIONS (16) per hub (bench/e2eExternalLoad.ts);
 *   4. a centre-sized `vikno hub` process (50 nodes, 50 events/s): its RSS and CPU, as the service
 *      unit runs it (the bundle of `npm run build` under plain node, deploy/vikno-hub.service, with
 *      the example environment file's NODE_OPTIONS and options) and, beside it,
 *      as the checkout's bin/vikno.js runs it (tsx, its shebang's larger young generation).
 * Hubs 1, 2 and 3 run in this process (one clock for every timestamp); each child reports its CPU.
 * Durations: VIKNO_BENCH_SECONDS (phases 1 and 2, default 20) and VIKNO_BENCH_RSS_SECONDS (phase 4, each of its two runs,
 * default 6 × that). The load's shape: VIKNO_BENCH_NODES, VIKNO_BENCH_WINDOW, VIKNO_BENCH_CHILDREN.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { PerformanceObserver } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { THROTTLE_MS } from "../dashboard/routes/stream.ts";
import { addUser, signIn } from "../test/fixtures/auth.ts";
import { environmentFile } from "../test/fixtures/envFile.ts";
import { tempDir } from "../test/fixtures/hub.ts";
import { MOSQUITTO } from "../test/fixtures/mosquitto.ts";
import { writeBenchCentre } from "./e2eCentre.ts";
import { externalPresses } from "./e2eExternal.ts";
import { externalSustained } from "./e2eExternalLoad.ts";
import { measurePresses, quantile } from "./e2eLatency.ts";
import { runLoad } from "./e2eLoad.ts";
import { centreHubRss } from "./e2eRss.ts";
import { benchHub } from "./hub.ts";
import { printTable } from "./table.ts";

const SECONDS = Number(process.env.VIKNO_BENCH_SECONDS ?? 20);
const RSS_SECONDS = Number(process.env.VIKNO_BENCH_RSS_SECONDS ?? 6 * SECONDS);
/** A large centre's rate (the figure) and its window nodes. */
const CENTRE_RATE = 500;
const CENTRE_WINDOWS = 50;
/**
 * Seconds at that rate before the measured ones, left out of the figures: a fresh hub's first
 * second (code not yet optimised, first SQLite writes) stored events after up to 750 ms here.
 */
const WARMUP_S = 3;
/** The sustained load: connections (nodes), publishes in flight on each, child processes. */
const NODES = Number(process.env.VIKNO_BENCH_NODES ?? 200);
const WINDOW = Number(process.env.VIKNO_BENCH_WINDOW ?? 5);
const CHILDREN = Number(process.env.VIKNO_BENCH_CHILDREN ?? 2);
/** Connections of each hub into mosquitto's share group. */
const EXT_CONNECTIONS = Number(process.env.VIKNO_BENCH_EXT_CONNECTIONS ?? 8);
/** Phase 5: the load offered to mosquitto (the sustained rate) and each hub process's connections. */
const EXT_RATE = Number(process.env.VIKNO_BENCH_EXT_RATE ?? 20_000);
const EXT_SUSTAINED_CONNECTIONS = Number(process.env.VIKNO_BENCH_EXT_SUSTAINED_CONNECTIONS ?? 16);

/**
 * How long this process's main thread (the hub's event loop) has been runnable but waiting for a
 * core, ms (/proc/self/schedstat, field 2: run-queue delay in ns). On a shared machine this says
 * how much of a figure is other work's, not the hub's.
 */
function queuedMs(): number {
	try {
		return Number(readFileSync("/proc/self/schedstat", "utf8").split(" ")[1]) / 1e6;
	} catch {
		return Number.NaN; // not Linux
	}
}

/** Share of a span (ms, from `t0`) the hub's thread spent waiting for a core, %. */
const queuedPct = (q0: number, t0: number) => Math.round(((queuedMs() - q0) / (performance.now() - t0)) * 1000) / 10;

/** The garbage collector's pauses in this process (the hub's) while `watch` is on, ms. */
function gcPauses() {
	const pauses: number[] = [];
	const obs = new PerformanceObserver((list) => {
		for (const e of list.getEntries()) pauses.push(e.duration);
	});
	obs.observe({ entryTypes: ["gc"] });
	return { pauses, stop: () => obs.disconnect() };
}

async function latencyAt500(): Promise<Record<string, number>> {
	const dir = tempDir("vikno-bench-e2e-");
	const big = writeBenchCentre(dir.path, "large", CENTRE_WINDOWS);
	const quiet = writeBenchCentre(dir.path, "quiet", 1);
	const hub = await benchHub(big.centre, dir.path, { centres: [big.centre, quiet.centre] });
	try {
		const agent = await signIn(hub, await addUser(hub));
		const warm = await measurePresses({ hub, centre: big, rate: CENTRE_RATE, seconds: WARMUP_S });
		const q0 = queuedMs();
		const cpu0 = process.cpuUsage();
		const t0 = performance.now();
		const gc = gcPauses();
		const r = await measurePresses({
			hub,
			centre: big,
			probe: quiet,
			cookie: agent.cookie,
			rate: CENTRE_RATE,
			seconds: SECONDS,
		});
		gc.stop();
		const queued = queuedPct(q0, t0);
		const cpu = process.cpuUsage(cpu0);
		const cpuPct = Math.round(((cpu.user + cpu.system) / 1000 / (performance.now() - t0)) * 1000) / 10;
		if (r.acceptedTwice) throw new Error(`${r.acceptedTwice} events accepted twice`);
		const stored = await hub.countEvents({ centre: "large" });
		if (stored !== warm.sent + r.sent) throw new Error(`${stored} of ${warm.sent + r.sent} events in the store`);
		return {
			events: r.sent,
			stored_p50_ms: quantile(r.stored, 0.5),
			stored_p99_ms: quantile(r.stored, 0.99),
			acked_p50_ms: quantile(r.acked, 0.5),
			acked_p99_ms: quantile(r.acked, 0.99),
			sse_p50_ms: quantile(r.sse, 0.5),
			sse_p99_ms: quantile(r.sse, 0.99),
			probes: r.probe.length,
			probe_p50_ms: quantile(r.probe, 0.5),
			probe_p99_ms: quantile(r.probe, 0.99),
			queued_pct: queued,
			cpu_pct: cpuPct,
			gc_pause_max_ms: Math.round(Math.max(0, ...gc.pauses) * 10) / 10,
			gc_pauses_over_20ms: gc.pauses.filter((d) => d > 20).length,
		};
	} finally {
		await hub.close();
		dir.remove();
	}
}

async function sustained() {
	const dir = tempDir("vikno-bench-e2e-");
	const big = writeBenchCentre(dir.path, "country", NODES);
	// One connection here carries what hundreds of nodes would: the per-device limit is lifted.
	const hub = await benchHub(big.centre, dir.path, { nodeRate: false });
	try {
		const cpu0 = process.cpuUsage();
		const q0 = queuedMs();
		const t0 = performance.now();
		const load = await runLoad({
			url: hub.mqttUrl,
			centre: "country",
			nodes: big.windowNodes,
			children: CHILDREN,
			window: WINDOW,
			seconds: SECONDS,
		});
		const stored = await hub.countEvents({ centre: "country" });
		if (stored !== load.acked) throw new Error(`${load.acked} events acknowledged, ${stored} stored`);
		const cpu = process.cpuUsage(cpu0);
		// The children's start-up is inside the span too: a lower bound of the hub's share while loaded.
		const hubCpuPct = Math.round(((cpu.user + cpu.system) / 1000 / (performance.now() - t0)) * 1000) / 10;
		return { ...load, hubCpuPct, queuedPct: queuedPct(q0, t0) };
	} finally {
		await hub.close();
		dir.remove();
	}
}

async function external() {
	if (!existsSync(MOSQUITTO)) return undefined;
	const dir = tempDir("vikno-bench-e2e-");
	try {
		const big = writeBenchCentre(dir.path, "large", CENTRE_WINDOWS);
		const r = await externalPresses(big, {
			rate: CENTRE_RATE,
			seconds: SECONDS,
			warmupSeconds: WARMUP_S,
			connections: EXT_CONNECTIONS,
		});
		const stored = r.perHub.reduce((a, b) => a + b, 0);
		const sent = r.warmedUp + r.sent;
		if (r.acceptedTwice || stored !== sent) throw new Error(`${sent} sent, ${stored} stored (${r.perHub})`);
		return r;
	} finally {
		dir.remove();
	}
}

/** `npm run build`: the hub's bundle as the service unit runs it. */
function buildHubBundle(): string {
	const root = fileURLToPath(new URL("../", import.meta.url));
	const built = spawnSync("npm", ["run", "-s", "build"], { cwd: root, encoding: "utf8" });
	if (built.status !== 0) throw new Error(`npm run build failed:\n${built.stderr}`);
	return `${root}dist/vikno.mjs`;
}

/**
 * `deployed`: as deploy/vikno-hub.service runs it with deploy/hub.env.example (the bundle, the
 * file's NODE_OPTIONS and VIKNO_HUB_OPTIONS); else as the checkout's bin/vikno.js runs it.
 */
async function externalLoad() {
	if (!existsSync(MOSQUITTO)) return undefined;
	const dir = tempDir("vikno-bench-e2e-");
	try {
		const big = writeBenchCentre(dir.path, "country", NODES);
		return await externalSustained(big, {
			children: CHILDREN,
			window: WINDOW,
			seconds: SECONDS,
			connections: EXT_SUSTAINED_CONNECTIONS,
			ratePerS: EXT_RATE,
			warmupS: WARMUP_S,
		});
	} finally {
		dir.remove();
	}
}

async function centreRss(deployed: boolean) {
	const dir = tempDir("vikno-bench-e2e-");
	try {
		const centre = writeBenchCentre(dir.path, "centre", 48);
		if (!deployed) return await centreHubRss(centre, dir.path, 50, RSS_SECONDS);
		const env = environmentFile();
		const options = (env.VIKNO_HUB_OPTIONS ?? "").split(/\s+/).filter(Boolean);
		const nodeOptions = env.NODE_OPTIONS ? { NODE_OPTIONS: env.NODE_OPTIONS } : {};
		return await centreHubRss(centre, dir.path, 50, RSS_SECONDS, [buildHubBundle()], options, nodeOptions);
	} finally {
		dir.remove();
	}
}

export async function run(): Promise<Record<string, unknown>> {
	const a = await latencyAt500();
	printTable(
		`e2e: ${CENTRE_RATE} ratings/s from ${CENTRE_WINDOWS} nodes for ${SECONDS} s (ms); this process (hub, publishers, streams) ${a.cpu_pct} % CPU, waiting for a core ${a.queued_pct} % of the time; GC pauses over 20 ms: ${a.gc_pauses_over_20ms}, longest ${a.gc_pause_max_ms} ms`,
		[
			{
				"press →": "stored (durable, applied)",
				p50: a.stored_p50_ms ?? "",
				p99: a.stored_p99_ms ?? "",
				target: "p99 < 5",
			},
			{ "press →": "PUBACK", p50: a.acked_p50_ms ?? "", p99: a.acked_p99_ms ?? "", target: "" },
			{
				"press →": `SSE view (${THROTTLE_MS} ms throttle)`,
				p50: a.sse_p50_ms ?? "",
				p99: a.sse_p99_ms ?? "",
				target: "p99 < 50",
			},
			{ "press →": "SSE, quiet centre (probe)", p50: a.probe_p50_ms ?? "", p99: a.probe_p99_ms ?? "", target: "" },
		],
	);
	const b = await sustained();
	printTable(`e2e: sustained, ${CHILDREN} child processes, ${NODES} connections × ${WINDOW} in flight, ${SECONDS} s`, [
		{
			"acked/s": b.perS,
			acked: b.acked,
			"p50 ms": b.latency.p50,
			"p99 ms": b.latency.p99,
			"max ms": b.latency.max,
			"hub CPU": `${b.hubCpuPct} %`,
			"hub waiting for a core": `${b.queuedPct} %`,
			"children CPU": b.children.map((c) => `${c.cpuPct} %`).join(", "),
		},
	]);
	const x = await external();
	if (x)
		printTable(
			`e2e: through mosquitto, 2 hubs × ${EXT_CONNECTIONS} connections, ${CENTRE_RATE}/s for ${SECONDS} s (ms)`,
			[
				{
					"press →": "stored",
					p50: quantile(x.stored, 0.5),
					p99: quantile(x.stored, 0.99),
					"stored by each hub": x.perHub.join(" + "),
				},
			],
		);
	else console.log(`\ne2e: ${MOSQUITTO} not found, the external-broker run left out`);
	const xs = await externalLoad();
	if (xs)
		printTable(
			`e2e: sustained through mosquitto, ${EXT_RATE}/s offered by ${CHILDREN} child processes (${NODES} connections × ${WINDOW} in flight), 2 hub processes × ${EXT_SUSTAINED_CONNECTIONS} connections, ${WARMUP_S} s left out, then ${SECONDS} s`,
			[
				{
					"offered/s": xs.load.perS,
					"stored/s": xs.perS,
					stored: xs.perHub.join(" + "),
					"press → arrival p50 ms": xs.arrival.p50,
					"p99 ms": xs.arrival.p99,
					"warm-up p50 / p99 ms": `${xs.warmupArrival?.p50} / ${xs.warmupArrival?.p99}`,
					"hubs' CPU": xs.hubCpuPct.map((c) => `${c} %`).join(", "),
					"mosquitto CPU": `${xs.mosquittoCpuPct} %`,
					"children CPU": xs.load.children.map((c) => `${c.cpuPct} %`).join(", "),
				},
			],
		);
	const c = await centreRss(true);
	const t = await centreRss(false);
	printTable(`e2e: vikno hub, 50 nodes, 50 events/s for ${c.seconds} s (MB)`, [
		{
			run: "node dist/vikno.mjs (the unit, hub.env.example)",
			"RSS at start": c.rssStartMb,
			"RSS at end": c.rssEndMb,
			"RSS max": c.rssMaxMb,
			CPU: `${c.cpuPct} %`,
			events: c.acked,
		},
		{
			run: "bin/vikno.js (tsx, semi-space 64)",
			"RSS at start": t.rssStartMb,
			"RSS at end": t.rssEndMb,
			"RSS max": t.rssMaxMb,
			CPU: `${t.cpuPct} %`,
			events: t.acked,
		},
	]);
	return {
		rate_events_per_s: CENTRE_RATE,
		seconds: SECONDS,
		press_to_stored_p50_ms: a.stored_p50_ms,
		press_to_stored_p99_ms: a.stored_p99_ms,
		press_to_puback_p50_ms: a.acked_p50_ms,
		press_to_puback_p99_ms: a.acked_p99_ms,
		press_to_sse_p50_ms: a.sse_p50_ms,
		press_to_sse_p99_ms: a.sse_p99_ms,
		press_to_sse_quiet_p50_ms: a.probe_p50_ms,
		press_to_sse_quiet_p99_ms: a.probe_p99_ms,
		process_cpu_pct: a.cpu_pct,
		hub_waiting_for_core_pct: a.queued_pct,
		gc_pause_max_ms: a.gc_pause_max_ms,
		gc_pauses_over_20ms: a.gc_pauses_over_20ms,
		sustained_events_per_s: b.perS,
		sustained_acked: b.acked,
		sustained_in_flight: NODES * WINDOW,
		sustained_puback_p50_ms: b.latency.p50,
		sustained_puback_p99_ms: b.latency.p99,
		sustained_hub_cpu_pct: b.hubCpuPct,
		sustained_hub_waiting_for_core_pct: b.queuedPct,
		sustained_load_cpu_pct: b.children.map((y) => y.cpuPct),
		...(x
			? {
					external_press_to_stored_p50_ms: quantile(x.stored, 0.5),
					external_press_to_stored_p99_ms: quantile(x.stored, 0.99),
					external_stored_per_hub: x.perHub,
				}
			: {}),
		...(xs
			? {
					external_sustained_offered_per_s: xs.load.perS,
					external_sustained_events_per_s: xs.perS,
					external_sustained_stored_per_hub: xs.perHub,
					external_sustained_arrival_p50_ms: xs.arrival.p50,
					external_sustained_arrival_p99_ms: xs.arrival.p99,
					external_sustained_warmup_arrival_p50_ms: xs.warmupArrival?.p50,
					external_sustained_warmup_arrival_p99_ms: xs.warmupArrival?.p99,
					external_sustained_hub_cpu_pct: xs.hubCpuPct,
					external_sustained_mosquitto_cpu_pct: xs.mosquittoCpuPct,
					external_sustained_load_cpu_pct: xs.load.children.map((y) => y.cpuPct),
				}
			: {}),
		centre_hub_seconds: c.seconds,
		centre_hub_rss_start_mb: c.rssStartMb,
		centre_hub_rss_end_mb: c.rssEndMb,
		centre_hub_rss_max_mb: c.rssMaxMb,
		centre_hub_cpu_pct: c.cpuPct,
		centre_hub_checkout_rss_start_mb: t.rssStartMb,
		centre_hub_checkout_rss_end_mb: t.rssEndMb,
		centre_hub_checkout_rss_max_mb: t.rssMaxMb,
		centre_hub_checkout_cpu_pct: t.cpuPct,
	};
}
