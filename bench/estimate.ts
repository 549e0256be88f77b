/**
 * `npm run bench -- estimate`: plays a simulated week of the demo centre through the real
 * pipeline (broker, ingest, store, live model; simulated time) and compares, for every ticket,
 * the estimate shown at the moment it was issued with the wait that ticket really had — and the
 * same for the naive baseline a simple display would use (people waiting × mean service time so
 * far ÷ windows open).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadCentreFile } from "../config/load.ts";
import { localDay } from "../core/time.ts";
import { replayTimeline } from "../firmware-sim/replay.ts";
import { simulateWeek } from "../firmware-sim/week.ts";
import { benchHub } from "./hub.ts";
import { printTable } from "./table.ts";

const START_DAY = process.env.VIKNO_BENCH_WEEK ?? "2026-11-09"; // a Monday
const SEED = Number(process.env.VIKNO_BENCH_SEED ?? 1);

interface Shown {
	minutes: number;
	low: number;
	high: number;
	baseline: number | null;
}

export async function run(): Promise<Record<string, unknown>> {
	const centre = loadCentreFile(join(import.meta.dirname, "../config/centres/demo.yaml"));
	const week = simulateWeek(centre, { startDay: START_DAY, seed: SEED });
	const dir = mkdtempSync(join(tmpdir(), "vikno-bench-estimate-"));
	// The hub's clock follows the replay: it reads the simulated instant of the latest action
	// published, so no event arrives before it happened (the hub would move it to its arrival).
	let clock = week.actions[0]?.at ?? 0;
	const hub = await benchHub(centre, dir, { now: () => clock, alertEveryMs: 3_600_000 });
	// What the hub would have shown each visitor as their ticket was issued: key = day/ticket.
	const shown = new Map<string, Shown>();
	let noEstimate = 0;
	hub.onAccepted((events) => {
		for (const e of events) {
			if (e.kind !== "queue" || e.data.event !== "issued") continue;
			const r = hub.insights.estimateNow(e.centre, e.data.service, e.data.ts, e.data.ticket);
			if (!r) continue;
			const day = localDay(e.data.ts, centre.timeZone);
			if (!r.estimate.ok) {
				noEstimate++;
				continue;
			}
			shown.set(`${day}/${e.data.ticket}`, {
				minutes: r.estimate.minutes,
				low: r.estimate.low,
				high: r.estimate.high,
				baseline: r.baselineMin,
			});
		}
	});
	const t0 = performance.now();
	const replay = await replayTimeline({
		centre,
		brokerUrl: hub.mqttUrl,
		actions: week.actions,
		onPublish: (a) => {
			clock = Math.max(clock, a.at);
		},
	});
	await hub.ingest.drain();
	const wallS = (performance.now() - t0) / 1000;
	await hub.close();
	rmSync(dir, { recursive: true, force: true });

	let n = 0;
	let err = 0;
	let baseErr = 0;
	let baseN = 0;
	let inside = 0;
	for (const t of week.tickets) {
		if (t.waitS === undefined) continue;
		const s = shown.get(`${t.day}/${t.ticket}`);
		if (!s) continue;
		const real = t.waitS / 60;
		n++;
		err += Math.abs(s.minutes - real);
		if (real >= s.low && real <= s.high) inside++;
		if (s.baseline !== null) {
			baseN++;
			baseErr += Math.abs(s.baseline - real);
		}
	}
	const mae = err / n;
	const baselineMae = baseErr / baseN;
	const coverage = inside / n;
	const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
	printTable(`estimate: a simulated week of ${centre.id} from ${START_DAY} (seed ${SEED}) through the hub`, [
		{ figure: "tickets compared", value: n },
		{ figure: "estimate MAE, min", value: round(mae) },
		{ figure: "baseline MAE, min", value: round(baselineMae) },
		{ figure: "MAE vs baseline", value: `${round((mae / baselineMae - 1) * 100, 1)} %` },
		{ figure: "real wait inside shown range", value: `${round(coverage * 100, 1)} %` },
		{ figure: "no estimate shown", value: noEstimate },
		{ figure: "events replayed", value: replay.published },
		{ figure: "replay wall time, s", value: round(wallS, 1) },
	]);
	return {
		tickets: n,
		mae_min: round(mae, 3),
		baseline_mae_min: round(baselineMae, 3),
		improvement: round(1 - mae / baselineMae, 3),
		coverage: round(coverage, 3),
		no_estimate: noEstimate,
		events: replay.published,
		wall_s: round(wallS, 1),
	};
}
