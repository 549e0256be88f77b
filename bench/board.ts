/**
 * `npm run bench -- board`: the hall's own queue.
 *  1. Call → on the board: a window's `called` event published over MQTT (QoS 1, as the node does
 *     after its press) until the call is the latest on a real board page in headless Chromium
 *     (a MutationObserver stamps it; browser and bench share the machine's clock), and, beside it,
 *     until it arrives on the same SSE stream the board reads (/board/{centre}/stream) in this
 *     process. One call at a time, VIKNO_BENCH_CALLS (default 1 000) of them. The hub's speech
 *     (espeak-ng) is off: each call would start a synthesiser process on the same two cores.
 *  2. Press → ticket bytes written: a terminal node with the simulated printer (a file), pressed
 *     VIKNO_BENCH_PRESSES (default 1 000) times, until the bytes are appended to the file.
 * Goal (issue 16): call → board p99 under 250 ms on loopback.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { v7 as uuidv7 } from "uuid";
import { loadCentreFile } from "../config/load.ts";
import { silentLog } from "../core/log.ts";
import { SimDriver } from "../edge/drivers/sim.ts";
import { parseEdgeConfig } from "../edge/load-config.ts";
import { startEdge } from "../edge/node.ts";
import { startHub } from "../server/hub.ts";
import { launchBrowser } from "../test/fixtures/browser.ts";
import { printTable } from "./table.ts";

const CALLS = Number(process.env.VIKNO_BENCH_CALLS ?? 1_000);
const PRESSES = Number(process.env.VIKNO_BENCH_PRESSES ?? 1_000);
const DEMO = new URL("../config/centres/demo.yaml", import.meta.url).pathname;

const pct = (xs: number[], p: number) => {
	const s = [...xs].sort((a, b) => a - b);
	return s.length ? (s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number) : Number.NaN;
};
const r1 = (x: number) => Math.round(x * 10) / 10;
const now = () => performance.timeOrigin + performance.now();

/** Read the board's SSE stream; `onCall(id, at)` for each call that becomes the latest. */
async function readStream(url: string, onCall: (id: string, at: number) => void): Promise<AbortController> {
	const abort = new AbortController();
	const res = await fetch(url, { signal: abort.signal });
	const reader = res.body?.getReader();
	if (!reader) throw new Error("no stream body");
	const decoder = new TextDecoder();
	let buf = "";
	let last = "";
	(async () => {
		for (;;) {
			const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
			if (done) return;
			const at = now();
			buf += decoder.decode(value, { stream: true });
			let i = buf.indexOf("\n\n");
			while (i >= 0) {
				const block = buf.slice(0, i);
				buf = buf.slice(i + 2);
				const data = block.split("\n").find((l) => l.startsWith("data: "));
				if (data) {
					const id = (JSON.parse(data.slice(6)) as { calls: { id: string }[] }).calls[0]?.id;
					if (id && id !== last) {
						last = id;
						onCall(id, at);
					}
				}
				i = buf.indexOf("\n\n");
			}
		}
	})();
	return abort;
}

async function callsToBoard(dir: string) {
	process.env.VIKNO_ESPEAK = join(dir, "no-espeak");
	const centre = loadCentreFile(DEMO);
	const hub = await startHub({
		centres: [centre],
		dataDir: join(dir, "hub-a"),
		mqttPort: 0,
		httpPort: 0,
		host: "127.0.0.1",
		log: silentLog,
		allowAnonymous: true,
		nodeRate: false,
	});
	const browser = await launchBrowser(["--autoplay-policy=no-user-gesture-required"]);
	try {
		const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
		await page.goto(`${hub.httpUrl}/board/demo`);
		await page.waitForSelector("vikno-board");
		await page.waitForFunction(
			() => document.querySelector("vikno-board")?.shadowRoot?.querySelector('[data-state="live"]') !== null,
		);
		// Stamp each call when it becomes the latest on the page.
		await page.evaluate(() => {
			const w = window as unknown as { seen: Record<string, number> };
			w.seen = {};
			const root = document.querySelector("vikno-board")?.shadowRoot;
			if (!root) throw new Error("no board");
			new MutationObserver(() => {
				const id = root.querySelector("li.latest")?.getAttribute("data-call");
				if (id && w.seen[id] === undefined) w.seen[id] = performance.timeOrigin + performance.now();
			}).observe(root, { subtree: true, childList: true, attributes: true });
		});
		const sse = new Map<string, number>();
		const waiters = new Map<string, () => void>();
		const stream = await readStream(`${hub.httpUrl}/board/demo/stream`, (id, at) => {
			sse.set(id, at);
			waiters.get(id)?.();
		});
		const client = await mqtt.connectAsync(hub.mqttUrl, { protocolVersion: 4, reconnectPeriod: 0 });
		const sent = new Map<string, number>();
		const windows = centre.windows.map((w) => w.id);
		for (let i = 0; i < CALLS; i++) {
			const id = uuidv7();
			const w = windows[i % windows.length] as string;
			const node = centre.nodes.find((n) => n.window === w)?.id as string;
			const ticket = `A${String((i % 999) + 1).padStart(3, "0")}`;
			const arrived = new Promise<void>((resolve) => waiters.set(id, resolve));
			const t0 = now();
			sent.set(id, t0);
			await client.publishAsync(
				`vikno/v1/demo/${node}/queue`,
				JSON.stringify({ id, ts: Date.now(), event: "called", ticket, service: "passports", window: w }),
				{ qos: 1 },
			);
			await arrived;
			waiters.delete(id);
			await page.waitForFunction(
				(x) => (window as unknown as { seen: Record<string, number> }).seen[x] !== undefined,
				id,
				{
					polling: "raf",
				},
			);
		}
		const seen = (await page.evaluate(() => (window as unknown as { seen: Record<string, number> }).seen)) as Record<
			string,
			number
		>;
		const onPage: number[] = [];
		const onStream: number[] = [];
		for (const [id, t0] of sent) {
			const p = seen[id];
			const s = sse.get(id);
			if (p !== undefined) onPage.push(p - t0);
			if (s !== undefined) onStream.push(s - t0);
		}
		stream.abort();
		await client.endAsync();
		return { onPage, onStream };
	} finally {
		await browser.close();
		await hub.close();
	}
}

async function pressToPaper(dir: string) {
	const centre = loadCentreFile(DEMO);
	const hub = await startHub({
		centres: [centre],
		dataDir: join(dir, "hub-b"),
		mqttPort: 0,
		httpPort: 0,
		host: "127.0.0.1",
		log: silentLog,
		allowAnonymous: true,
		nodeRate: false,
	});
	const sim = new SimDriver();
	let printed: (() => void) | undefined;
	const node = await startEdge(
		parseEdgeConfig(
			{
				centre: "demo",
				node: "terminal-1",
				role: "terminal",
				dataDir: join(dir, "terminal"),
				broker: { url: hub.mqttUrl, reconnectMinMs: 50, reconnectMaxMs: 500 },
				driver: { type: "sim", debounceMs: 0 },
				inputs: [{ name: "passport", pin: 2 }],
				terminal: {
					buttons: [{ input: "passport", service: "passports", prefix: "A", label: "Паспорти та ID-картки" }],
					numberStart: 1,
					printer: {
						connection: "sim",
						path: join(dir, "printer.escpos"),
						publicUrl: "https://cnap.example.org",
						ticketKey: "bench-ticket-key-0123456789abcdef",
					},
				},
				log: { level: "warn" },
			},
			"bench",
		),
		{ driver: sim, onPrinted: () => printed?.() },
	);
	try {
		const times: number[] = [];
		for (let i = 0; i < PRESSES; i++) {
			const done = new Promise<void>((resolve) => {
				printed = resolve;
			});
			const t0 = now();
			sim.tap("passport");
			await done;
			times.push(now() - t0);
		}
		return times;
	} finally {
		await node.close();
		await hub.close();
	}
}

export async function run(): Promise<Record<string, unknown>> {
	const dir = mkdtempSync(join(tmpdir(), "vikno-bench-board-"));
	try {
		const { onPage, onStream } = await callsToBoard(dir);
		const paper = await pressToPaper(dir);
		const row = (what: string, xs: number[]) => ({
			what,
			n: xs.length,
			"p50 ms": r1(pct(xs, 50)),
			"p99 ms": r1(pct(xs, 99)),
			"max ms": r1(Math.max(...xs)),
		});
		printTable("board — call on the board, ticket on paper (loopback)", [
			row("call → latest on the board page (Chromium)", onPage),
			row("call → on the board's SSE stream", onStream),
			row("press → ticket bytes written", paper),
		]);
		return {
			calls: onPage.length,
			board_p50_ms: r1(pct(onPage, 50)),
			board_p99_ms: r1(pct(onPage, 99)),
			stream_p50_ms: r1(pct(onStream, 50)),
			stream_p99_ms: r1(pct(onStream, 99)),
			presses: paper.length,
			print_p50_ms: r1(pct(paper, 50)),
			print_p99_ms: r1(pct(paper, 99)),
		};
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}
