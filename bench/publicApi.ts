/**
 * `npm run bench -- public-api`: the public API as the whole city opens it at 8:55 on a Monday.
 * A real hub (broker, ingest, SQLite, live model, HTTP) on loopback with a centre that has windows
 * open and people waiting, the per-address limit lifted (every request comes from one address
 * here), and autocannon on the same machine in a worker thread of this process (so it shares the
 * two cores with the hub, as in the figures):
 * - saturation: 1 000 concurrent connections asking for a centre's waits, full answers;
 * - the same with the widget's revalidation (If-None-Match → 304, no body);
 * - latency at a steady 5 000 requests a second;
 * and the bytes of widget.js, raw and gzip. Also how many times the answer was computed during the
 * run (at most one a second per centre, whatever the readers).
 */
import { gzipSync } from "node:zlib";
import autocannon from "autocannon";
import mqtt from "mqtt";
import { v7 as uuidv7 } from "uuid";
import { loadCentreFile } from "../config/load.ts";
import { silentLog } from "../core/log.ts";
import { startHub } from "../server/hub.ts";
import { tempDir } from "../test/fixtures/hub.ts";
import { printTable } from "./table.ts";

const DEMO = new URL("../config/centres/demo.yaml", import.meta.url).pathname;
const SECONDS = Number(process.env.VIKNO_BENCH_SECONDS ?? 10);
const PATH = "/api/public/v1/centres/demo/wait";

type Row = {
	run: string;
	connections: number;
	"req/s": number;
	"p50 ms": number;
	"p99 ms": number;
	errors: number;
	"non-2xx/304": number;
};

function load(opts: autocannon.Options): Promise<autocannon.Result> {
	return new Promise((resolve, reject) => {
		autocannon({ ...opts, workers: 1 }, (err, result) => (err ? reject(err) : resolve(result)));
	});
}

export async function run(): Promise<Record<string, unknown>> {
	const dir = tempDir("vikno-bench-public-");
	const hub = await startHub({
		centres: [loadCentreFile(DEMO)],
		dataDir: dir.path,
		mqttPort: 0,
		httpPort: 0,
		host: "127.0.0.1",
		log: silentLog,
		allowAnonymous: true,
		publicRateLimit: false,
	});
	try {
		// A hall with windows open and a queue: the answer has estimates to give.
		const client = await mqtt.connectAsync(hub.mqttUrl, { protocolVersion: 4 });
		const send = (node: string, kind: string, data: object) =>
			client.publishAsync(`vikno/v1/demo/${node}/${kind}`, JSON.stringify({ id: uuidv7(), ts: Date.now(), ...data }), {
				qos: 1,
			});
		for (let w = 1; w <= 12; w++) await send(`win-${String(w).padStart(2, "0")}`, "status", { online: true });
		const services = ["passports", "residence", "social", "land", "business", "property", "utilities", "consult"];
		for (let i = 0; i < 40; i++)
			await send("terminal-1", "queue", {
				event: "issued",
				ticket: `${"ABCDEFGK"[i % 8]}${String(100 + i)}`,
				service: services[i % 8],
			});
		await client.endAsync();

		const url = `${hub.httpUrl}${PATH}`;
		const first = await fetch(url);
		const etag = first.headers.get("etag") ?? "";
		const bodyBytes = (await first.arrayBuffer()).byteLength;
		const computations = async () => {
			const text = await (await fetch(`${hub.httpUrl}/metrics`)).text();
			return Number(/vikno_public_computations_total\{answer="wait"\} (\d+)/.exec(text)?.[1] ?? 0);
		};

		const row = (name: string, connections: number, r: autocannon.Result): Row => ({
			run: name,
			connections,
			"req/s": Math.round(r.requests.average),
			"p50 ms": r.latency.p50,
			"p99 ms": r.latency.p99,
			errors: r.errors + r.timeouts,
			"non-2xx/304": r.non2xx - (name.includes("304") ? (r.statusCodeStats?.["304"]?.count ?? 0) : 0),
		});

		const before = await computations();
		const t0 = Date.now();
		const saturated = await load({ url, connections: 1000, duration: SECONDS });
		const computed = (await computations()) - before;
		const computedSeconds = (Date.now() - t0) / 1000;
		const revalidated = await load({
			url,
			connections: 1000,
			duration: SECONDS,
			headers: { "if-none-match": etag },
		});
		const steady = await load({ url, connections: 100, duration: SECONDS, overallRate: 5000 });

		const widget = Buffer.from(await (await fetch(`${hub.httpUrl}/widget.js`)).arrayBuffer());
		const rows = [
			row("1 000 connections, full answers", 1000, saturated),
			row("1 000 connections, If-None-Match (304)", 1000, revalidated),
			row("steady 5 000 req/s", 100, steady),
		];
		printTable(`public API, ${PATH} (${bodyBytes} bytes), ${SECONDS} s each`, rows);
		console.log(
			`\nanswer computed ${computed} times in ${computedSeconds.toFixed(1)} s of saturation; widget.js ${widget.length} bytes, ${gzipSync(widget).length} gzip`,
		);
		return {
			body_bytes: bodyBytes,
			saturated_rps: Math.round(saturated.requests.average),
			saturated_p50_ms: saturated.latency.p50,
			saturated_p99_ms: saturated.latency.p99,
			saturated_errors: saturated.errors + saturated.timeouts + saturated.non2xx,
			revalidated_rps: Math.round(revalidated.requests.average),
			revalidated_p99_ms: revalidated.latency.p99,
			steady_rps: Math.round(steady.requests.average),
			steady_p50_ms: steady.latency.p50,
			steady_p99_ms: steady.latency.p99,
			computations: computed,
			computation_window_s: Math.round(computedSeconds * 10) / 10,
			widget_bytes: widget.length,
			widget_gzip_bytes: gzipSync(widget).length,
		};
	} finally {
		await hub.close();
		dir.remove();
	}
}
