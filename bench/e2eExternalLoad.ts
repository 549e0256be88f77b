/**
 * The sustained rate through the country's topology: Debian's mosquitto 2 (started here, anonymous,
 * loopback, no limit on queued messages), two `vikno hub --broker` processes on it sharing its
 * stream (`$share/…`, `connections` connections each, their own SQLite files), and the child
 * processes of e2eLoad.ts publishing ratings to mosquitto with `window` in flight per connection,
 * at `ratePerS` together (mosquitto acknowledges a device at once, so without it the devices' rate
 * is what mosquitto takes, whatever the hubs store, and their backlog grows); the hubs
 * acknowledge each message to mosquitto only once it is durable. Once every event is in a store
 * (the hubs' accepted counts, then their graceful stop), the figures come from the stored rows:
 * the rate is the events over the span from the first press to the last arrival at a hub, and
 * press → arrival (`rx_ts − ts`, one machine's clock) per event; a batch is durable a few ms after
 * its last arrival (`vikno_store_write_seconds`). With `warmupS` the same load first runs that long
 * and is stored, its events left out of the figures (their latencies reported apart): fresh hubs
 * compile their code and grow their files then, and at 20 000 a second their first three seconds
 * held nearly every press → arrival over 100 ms (p50 200–340 ms there, 3–20 ms after,
 * 2026-12-06). Left out of a single run instead, the backlog of those seconds was still draining
 * after them.
 */
import { join } from "node:path";
import Database from "better-sqlite3";
import { metric, tempDir } from "../test/fixtures/hub.ts";
import { BIN, type HubProcess, startHubProcess } from "../test/fixtures/hubProcess.ts";
import { startMosquitto } from "../test/fixtures/mosquitto.ts";
import { until } from "../test/fixtures/wait.ts";
import type { BenchCentre } from "./e2eCentre.ts";
import { quantile } from "./e2eLatency.ts";
import { type LoadFigures, runLoad } from "./e2eLoad.ts";
import { cpuMs } from "./proc.ts";

export interface ExternalSustained {
	load: LoadFigures;
	/** Events stored by each hub (the warm-up's too). */
	perHub: number[];
	/** Stored events a second: all of them over first press → last arrival. */
	perS: number;
	/** Press → arrival at a hub, ms, of the events pressed after the warm-up. */
	arrival: { p50: number; p99: number };
	/** Events pressed after the warm-up: the rate's and the latencies' events. */
	measured: number;
	/** Press → arrival of the warm-up's events, ms (undefined without a warm-up). */
	warmupArrival?: { p50: number; p99: number };
	/** Each hub's CPU while loaded, % of one core. */
	hubCpuPct: number[];
	/** mosquitto's, the same way. */
	mosquittoCpuPct: number;
}

export async function externalSustained(
	centre: BenchCentre,
	o: {
		children: number;
		window: number;
		seconds: number;
		connections: number;
		ratePerS?: number;
		/** Seconds of the same load run and stored before the measured one (default 0). */
		warmupS?: number;
	},
): Promise<ExternalSustained> {
	const mosquitto = await startMosquitto({ extra: ["max_queued_messages 0"] });
	const dirs = [tempDir("vikno-bench-e2e-ext-"), tempDir("vikno-bench-e2e-ext-")];
	const hubs: HubProcess[] = [];
	// VIKNO_BENCH_HUB_NODE_ARGS: flags for the hubs' node (e.g. --cpu-prof --cpu-prof-dir=DIR to profile them).
	const nodeArgs = (process.env.VIKNO_BENCH_HUB_NODE_ARGS ?? "").split(" ").filter(Boolean);
	try {
		for (const [i, dir] of dirs.entries())
			hubs.push(
				await startHubProcess(
					process.execPath,
					[
						...nodeArgs,
						// A busy hub's young generation (deploy/hub.env.example).
						"--max-semi-space-size=64",
						BIN,
						"hub",
						"--config",
						centre.path,
						"--data",
						dir.path,
						"--http-port",
						"0",
						"--host",
						"127.0.0.1",
						"--broker",
						mosquitto.url,
						"--broker-client-id",
						`e2e-sustained-${i}`,
						"--share-group",
						"e2e",
						"--broker-connections",
						String(o.connections),
					],
					{ env: { ...process.env, VIKNO_LOG_LEVEL: "warn" } },
				),
			);
		const accepted = async () => {
			let n = 0;
			for (const h of hubs) {
				const text = await (await fetch(`${h.httpUrl}/metrics`)).text();
				n += metric(text, 'vikno_messages_total{result="accepted",reason=""}');
			}
			return n;
		};
		const hubPids = hubs.map((h) => h.child.pid as number);
		const hubCpu0 = hubPids.map(cpuMs);
		const mosquittoCpu0 = cpuMs(mosquitto.pid);
		const loadFor = (seconds: number) =>
			runLoad({
				url: mosquitto.url,
				centre: centre.centre.id,
				nodes: centre.windowNodes,
				children: o.children,
				window: o.window,
				seconds,
				...(o.ratePerS ? { ratePerS: o.ratePerS } : {}),
			});
		let warmed = 0;
		if (o.warmupS) {
			warmed = (await loadFor(o.warmupS)).acked;
			await until(accepted, (n) => n >= warmed, { what: `${warmed} warm-up events accepted`, timeoutMs: 300_000 });
		}
		// Presses from here on are measured (one machine's clock: the children stamp them with Date.now()).
		const from = Date.now();
		const t0 = performance.now();
		const load = await loadFor(o.seconds);
		const total = warmed + load.acked;
		await until(accepted, (n) => n >= total, { what: `${total} events accepted`, timeoutMs: 300_000 });
		const share = (pid: number, before: number) =>
			Math.round(((cpuMs(pid) - before) / (performance.now() - t0)) * 1000) / 10;
		const hubCpuPct = hubPids.map((pid, i) => share(pid, hubCpu0[i] ?? 0));
		const mosquittoCpuPct = share(mosquitto.pid, mosquittoCpu0);
		// A graceful stop: every accepted event durable, the files closed.
		for (const h of hubs) {
			const code = await h.kill("SIGTERM");
			if (code !== 0) throw new Error(`an external hub exited with ${code}:\n${h.output()}`);
		}
		hubs.length = 0;
		const rows = dirs.map((d) => {
			const db = new Database(join(d.path, "vikno.db"), { readonly: true });
			const r = db.prepare("SELECT ts, rx_ts FROM events WHERE kind = 'rating'").all() as {
				ts: number;
				rx_ts: number;
			}[];
			db.close();
			return r;
		});
		const perHub = rows.map((r) => r.length);
		const stored = perHub.reduce((a, b) => a + b, 0);
		if (stored !== total) throw new Error(`${total} acknowledged by mosquitto, ${stored} stored`);
		const all = rows.flat();
		const measured = all.filter((r) => r.ts >= from);
		let first = Number.POSITIVE_INFINITY;
		let last = Number.NEGATIVE_INFINITY;
		for (const r of measured) {
			first = Math.min(first, r.ts);
			last = Math.max(last, r.rx_ts);
		}
		const lags = (rs: typeof all) => rs.map((r) => r.rx_ts - r.ts);
		const lag = lags(measured);
		const warm = o.warmupS ? lags(all.filter((r) => r.ts < from)) : undefined;
		return {
			load,
			perHub,
			measured: measured.length,
			perS: Math.round(measured.length / ((last - first) / 1000)),
			arrival: { p50: quantile(lag, 0.5), p99: quantile(lag, 0.99) },
			...(warm ? { warmupArrival: { p50: quantile(warm, 0.5), p99: quantile(warm, 0.99) } } : {}),
			hubCpuPct,
			mosquittoCpuPct,
		};
	} finally {
		for (const h of hubs) await h.kill("SIGKILL");
		await mosquitto.stop();
		for (const d of dirs) d.remove();
	}
}
