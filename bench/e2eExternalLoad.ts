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
 * its last arrival (`vikno_store_write_seconds`).
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
	/** Events stored by each hub. */
	perHub: number[];
	/** Stored events a second: all of them over first press → last arrival. */
	perS: number;
	/** Press → arrival at a hub, ms. */
	arrival: { p50: number; p99: number };
	/** Each hub's CPU while loaded, % of one core. */
	hubCpuPct: number[];
	/** mosquitto's, the same way. */
	mosquittoCpuPct: number;
}

export async function externalSustained(
	centre: BenchCentre,
	o: { children: number; window: number; seconds: number; connections: number; ratePerS?: number },
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
		const t0 = performance.now();
		const load = await runLoad({
			url: mosquitto.url,
			centre: centre.centre.id,
			nodes: centre.windowNodes,
			children: o.children,
			window: o.window,
			seconds: o.seconds,
			...(o.ratePerS ? { ratePerS: o.ratePerS } : {}),
		});
		await until(accepted, (n) => n >= load.acked, { what: `${load.acked} events accepted`, timeoutMs: 300_000 });
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
		if (stored !== load.acked) throw new Error(`${load.acked} acknowledged by mosquitto, ${stored} stored`);
		const all = rows.flat();
		let first = Number.POSITIVE_INFINITY;
		let last = Number.NEGATIVE_INFINITY;
		for (const r of all) {
			first = Math.min(first, r.ts);
			last = Math.max(last, r.rx_ts);
		}
		const lag = all.map((r) => r.rx_ts - r.ts);
		return {
			load,
			perHub,
			perS: Math.round(stored / ((last - first) / 1000)),
			arrival: { p50: quantile(lag, 0.5), p99: quantile(lag, 0.99) },
			hubCpuPct,
			mosquittoCpuPct,
		};
	} finally {
		for (const h of hubs) await h.kill("SIGKILL");
		await mosquitto.stop();
		for (const d of dirs) d.remove();
	}
}
