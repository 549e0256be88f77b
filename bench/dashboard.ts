/**
 * `npm run bench -- dashboard`: the manager page and its stream, against `vikno hub` as its own
 * process (the demo centre plus a second hall the simulator does not drive) fed by the simulator:
 *   - the page's JS and CSS, bytes raw and gzip (the CSS is every style sheet the page's shadow roots use);
 *   - navigation → first live figure on loopback (the page's own clock from navigation start), p50/max;
 *   - an occupancy count published over MQTT → that figure changed on screen, p50/p99, seen by a
 *     MutationObserver in the page (goal: p99 under 1 s);
 *   - the hub's RSS and CPU with the simulator alone, then with 200 signed-in SSE clients streaming the
 *     centre, and the same latency measured while they stream.
 */
import { once } from "node:events";
import { readFileSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import mqtt from "mqtt";
import type { Page } from "playwright-core";
import { parse, stringify } from "yaml";
import { loadCentreFile } from "../config/load.ts";
import { startSimulation } from "../firmware-sim/runner.ts";
import { addUserWithCli, signIn } from "../test/fixtures/auth.ts";
import { launchBrowser } from "../test/fixtures/browser.ts";
import { DEMO_YAML, tempDir } from "../test/fixtures/hub.ts";
import { spawnHub } from "../test/fixtures/hubProcess.ts";
import { mb, printTable } from "./table.ts";

const LOADS = Number(process.env.VIKNO_BENCH_LOADS ?? 15);
const EVENTS = Number(process.env.VIKNO_BENCH_EVENTS ?? 100);
const STREAMS = Number(process.env.VIKNO_BENCH_STREAMS ?? 200);
const SETTLE_S = Number(process.env.VIKNO_BENCH_SETTLE_S ?? 20);
/** Sessions the streams share (sign-in allows 10 a minute from one address). */
const SESSIONS = 5;

const pct = (xs: number[], p: number) => {
	const s = [...xs].sort((a, b) => a - b);
	return s.length ? (s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number) : Number.NaN;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** RSS (bytes) and CPU ticks (1/100 s) of a process, from /proc. */
function procStats(pid: number): { rss: number; ticks: number } {
	const status = readFileSync(`/proc/${pid}/status`, "utf8");
	const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
	const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
	const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
	return { rss: rssKb * 1024, ticks: Number(fields[11]) + Number(fields[12]) };
}

/** The hub's CPU share (of one core) and RSS over `seconds`, sampled every second (RSS: the highest). */
async function watch(pid: number, seconds: number): Promise<{ cpuPct: number; rssMb: number }> {
	const first = procStats(pid);
	let rss = first.rss;
	for (let i = 0; i < seconds; i++) {
		await sleep(1_000);
		rss = Math.max(rss, procStats(pid).rss);
	}
	const last = procStats(pid);
	return { cpuPct: Math.round(((last.ticks - first.ticks) / seconds) * 10) / 10, rssMb: mb(rss) };
}

/** The demo centre with a second hall ("annex") whose door node only this bench publishes for. */
function benchConfig(dir: string): string {
	const doc = parse(readFileSync(DEMO_YAML, "utf8")) as { zones: unknown[]; nodes: unknown[] };
	doc.zones.push({ id: "annex", name: { uk: "Зала Б", en: "Hall B" }, capacity: 500 });
	doc.nodes.push({ id: "door-annex", role: "door", zone: "annex" });
	const path = join(dir, "bench-centre.yaml");
	writeFileSync(path, stringify(doc));
	return path;
}

/**
 * Resolves with the page's clock when the annex shows `value` (a MutationObserver inside the
 * shadow roots). In-page code is given as text: tsx's helpers do not exist in the page.
 */
function shown(page: Page, value: string): Promise<number> {
	return page.evaluate(`new Promise((resolve, reject) => {
		const root = document.querySelector("vikno-app")?.shadowRoot?.querySelector("vikno-live-hall")?.shadowRoot;
		if (!root) return reject(new Error("no hall on the page"));
		const done = () => root.querySelector('[data-testid="occupancy-annex"]')?.textContent?.trim() === ${JSON.stringify(value)};
		if (done()) return resolve(Date.now());
		const mo = new MutationObserver(() => {
			if (!done()) return;
			mo.disconnect();
			resolve(Date.now());
		});
		mo.observe(root, { subtree: true, childList: true, characterData: true });
	})`);
}

/** Every style sheet of the page and of its shadow roots, as text (each once). */
const PAGE_CSS = `(() => {
	const texts = new Set();
	const add = (list) => { for (const s of list) texts.add([...s.cssRules].map((r) => r.cssText).join("\\n")); };
	add(document.styleSheets);
	const walk = (root) => {
		for (const el of root.querySelectorAll("*")) {
			if (!el.shadowRoot) continue;
			add(el.shadowRoot.adoptedStyleSheets);
			add(el.shadowRoot.styleSheets);
			walk(el.shadowRoot);
		}
	};
	walk(document);
	return [...texts].join("\\n");
})()`;

/** `n` counts published one at a time, each waited for on screen: the delays, ms. */
async function latencies(page: Page, client: mqtt.MqttClient, n: number, from: number): Promise<number[]> {
	const out: number[] = [];
	for (let i = 0; i < n; i++) {
		const count = from + i;
		const seen = shown(page, String(count));
		const t0 = Date.now();
		await client.publishAsync(
			"vikno/v1/demo/door-annex/occupancy",
			JSON.stringify({ id: crypto.randomUUID(), ts: t0, zone: "annex", count }),
			{ qos: 1 },
		);
		out.push((await seen) - t0);
		// Events of one door come seconds apart; leave the stream's throttle a gap too.
		await sleep(300 + Math.random() * 200);
	}
	return out;
}

/** Open an SSE stream with a session; counts the events that arrive until closed. */
function stream(httpUrl: string, cookie: string) {
	const url = new URL("/api/v1/stream?centre=demo", httpUrl);
	let events = 0;
	const req = request(url, { headers: { cookie, accept: "text/event-stream" } });
	const opened = new Promise<void>((resolve, reject) => {
		req.on("response", (res) => {
			if (res.statusCode !== 200) reject(new Error(`stream: ${res.statusCode}`));
			res.setEncoding("utf8");
			res.on("data", (chunk: string) => {
				events += chunk.split("event: live").length - 1;
			});
			resolve();
		});
		req.on("error", (err) => {
			if (!req.destroyed) reject(err);
		});
	});
	req.end();
	return { opened, events: () => events, close: () => req.destroy() };
}

export async function run(): Promise<Record<string, unknown>> {
	const dir = tempDir("vikno-bench-dashboard-");
	const config = benchConfig(dir.path);
	const user = await addUserWithCli(dir.path, { name: "bench", role: "admin" });
	const hub = await spawnHub(dir.path, [], config);
	const pid = hub.child.pid as number;
	const sim = await startSimulation({ centre: loadCentreFile(DEMO_YAML), brokerUrl: hub.mqttUrl, speed: 30, seed: 3 });
	const client = await mqtt.connectAsync(hub.mqttUrl, { protocolVersion: 4, reconnectPeriod: 0 });
	const browser = await launchBrowser();
	const streams: ReturnType<typeof stream>[] = [];
	try {
		const agents = [];
		for (let i = 0; i < SESSIONS; i++) agents.push(await signIn(hub.httpUrl, user));
		const first = agents[0];
		if (!first) throw new Error("no session");

		// Bytes: the script as served, and the CSS the page's elements use.
		const js = await (await first.fetch("/app.js")).text();
		const context = await browser.newContext({ viewport: { width: 1440, height: 1000 }, locale: "uk-UA" });
		const [name, value] = first.cookie.split("=") as [string, string];
		await context.addCookies([{ name, value, url: hub.httpUrl }]);
		const page = await context.newPage();
		const pageUrl = `${hub.httpUrl}/?centre=demo`;

		// Navigation → the first live figure, by the page's clock from navigation start.
		const loads: number[] = [];
		for (let i = 0; i < LOADS; i++) {
			await page.goto(pageUrl);
			await page.getByTestId("waiting").waitFor();
			loads.push(Math.round((await page.evaluate("performance.now()")) as number));
		}
		const css = (await page.evaluate(PAGE_CSS)) as string;
		await page.getByTestId("occupancy-annex").waitFor();

		const alone = await latencies(page, client, EVENTS, 1);
		const hubAlone = await watch(pid, SETTLE_S);

		for (let i = 0; i < STREAMS; i++) {
			const agent = agents[i % agents.length] ?? first;
			streams.push(stream(hub.httpUrl, agent.cookie));
		}
		await Promise.all(streams.map((s) => s.opened));
		await sleep(2_000);
		const before = streams.reduce((n, s) => n + s.events(), 0);
		const hubStreaming = await watch(pid, SETTLE_S);
		const eventsPerClient = (streams.reduce((n, s) => n + s.events(), 0) - before) / streams.length;
		const busy = await latencies(page, client, EVENTS, 1_000);
		const simStats = sim.stats();

		const figures = {
			js_bytes: Buffer.byteLength(js),
			js_gzip_bytes: gzipSync(js, { level: 9 }).length,
			css_bytes: Buffer.byteLength(css),
			css_gzip_bytes: gzipSync(css, { level: 9 }).length,
			first_figure_p50_ms: pct(loads, 50),
			first_figure_max_ms: Math.max(...loads),
			event_to_screen_p50_ms: pct(alone, 50),
			event_to_screen_p99_ms: pct(alone, 99),
			streams: streams.length,
			stream_events_per_client_per_s: Math.round((eventsPerClient / SETTLE_S) * 100) / 100,
			event_to_screen_streaming_p50_ms: pct(busy, 50),
			event_to_screen_streaming_p99_ms: pct(busy, 99),
			hub_rss_mb_sim_only: hubAlone.rssMb,
			hub_cpu_pct_sim_only: hubAlone.cpuPct,
			hub_rss_mb_streaming: hubStreaming.rssMb,
			hub_cpu_pct_streaming: hubStreaming.cpuPct,
			sim_messages: simStats.acked,
		};
		printTable("dashboard: page weight", [
			{ part: "JS (app.js)", bytes: figures.js_bytes, gzip: figures.js_gzip_bytes, budget_gzip: 150 * 1024 },
			{ part: "CSS (shadow roots)", bytes: figures.css_bytes, gzip: figures.css_gzip_bytes, budget_gzip: "" },
		]);
		printTable("dashboard: latency on loopback (ms)", [
			{
				measure: `navigation → first live figure (${LOADS} loads)`,
				p50: figures.first_figure_p50_ms,
				"p99/max": figures.first_figure_max_ms,
			},
			{
				measure: `event → on screen, 1 page (${EVENTS})`,
				p50: figures.event_to_screen_p50_ms,
				"p99/max": figures.event_to_screen_p99_ms,
			},
			{
				measure: `event → on screen, ${STREAMS} streams open (${EVENTS})`,
				p50: figures.event_to_screen_streaming_p50_ms,
				"p99/max": figures.event_to_screen_streaming_p99_ms,
			},
		]);
		printTable(`dashboard: the hub process over ${SETTLE_S} s, simulator running`, [
			{
				with: "1 page",
				rss_mb: figures.hub_rss_mb_sim_only,
				cpu_pct_of_a_core: figures.hub_cpu_pct_sim_only,
				events_per_client_s: "",
			},
			{
				with: `${STREAMS} SSE clients`,
				rss_mb: figures.hub_rss_mb_streaming,
				cpu_pct_of_a_core: figures.hub_cpu_pct_streaming,
				events_per_client_s: figures.stream_events_per_client_per_s,
			},
		]);
		return figures;
	} finally {
		for (const s of streams) s.close();
		await browser.close();
		await client.endAsync();
		await sim.stop();
		await hub.kill("SIGTERM");
		if (hub.child.exitCode === null) await once(hub.child, "exit");
		dir.remove();
	}
}
