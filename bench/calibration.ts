/**
 * `npm run bench -- calibration`: the week of `estimate` (the demo centre through the real hub),
 * comparing for every ticket the estimate the hub showed at its issue — its range calibrated by
 * the tickets called before (core/calibration.ts) — with the raw one of the simulation it was
 * made from, against the ticket's real wait: share inside the range, mean absolute error and bias
 * (mean of real − shown), for the week, each day, and long waits. `VIKNO_BENCH_WEEK`,
 * `VIKNO_BENCH_SEED` as for `estimate`; `VIKNO_BENCH_SCENARIO` one of the hall behaviours of
 * `estimate`'s matrix (calm by default), `VIKNO_BENCH_LOAD` its load factor (1 or 1.3 there),
 * `VIKNO_BENCH_CENTRE` an example centre (demo by default).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadCentreFile } from "../config/load.ts";
import type { WaitRange } from "../core/calibration.ts";
import { localDay } from "../core/time.ts";
import { replayTimeline } from "../firmware-sim/replay.ts";
import { simulateWeek, WEEK_LOAD } from "../firmware-sim/week.ts";
import { SCENARIOS } from "./estimate.ts";
import { benchHub } from "./hub.ts";
import { printTable } from "./table.ts";

const START_DAY = process.env.VIKNO_BENCH_WEEK ?? "2026-11-09";
const SEED = Number(process.env.VIKNO_BENCH_SEED ?? 1);
const SCENARIO = process.env.VIKNO_BENCH_SCENARIO ?? "calm";
const LOAD = Number(process.env.VIKNO_BENCH_LOAD ?? 1);
const CENTRE = process.env.VIKNO_BENCH_CENTRE ?? "demo";

interface Sums {
	n: number;
	inside: number;
	rawInside: number;
	error: number;
	rawError: number;
	bias: number;
	rawBias: number;
}

export async function run(): Promise<Record<string, unknown>> {
	const hall = SCENARIOS[SCENARIO];
	if (!hall) throw new Error(`VIKNO_BENCH_SCENARIO "${SCENARIO}" is none of ${Object.keys(SCENARIOS).join(", ")}`);
	const centre = loadCentreFile(join(import.meta.dirname, `../config/centres/${CENTRE}.yaml`));
	const week =
		SCENARIO === "calm" && LOAD === 1
			? simulateWeek(centre, { startDay: START_DAY, seed: SEED })
			: simulateWeek(centre, { startDay: START_DAY, seed: SEED, hall, load: WEEK_LOAD * LOAD });
	const dir = mkdtempSync(join(tmpdir(), "vikno-bench-calibration-"));
	let clock = week.actions[0]?.at ?? 0;
	const hub = await benchHub(centre, dir, { now: () => clock, alertEveryMs: 3_600_000 });
	const shown = new Map<string, { shown: WaitRange; raw: WaitRange }>();
	hub.onAccepted((events) => {
		for (const e of events) {
			if (e.kind !== "queue" || e.data.event !== "issued") continue;
			const r = hub.insights.estimateNow(e.centre, e.data.service, e.data.ts, e.data.ticket);
			if (!r?.estimate.ok || !r.raw.ok) continue;
			shown.set(`${localDay(e.data.ts, centre.timeZone)}/${e.data.ticket}`, { shown: r.estimate, raw: r.raw });
		}
	});
	await replayTimeline({
		centre,
		brokerUrl: hub.mqttUrl,
		actions: week.actions,
		onPublish: (a) => {
			clock = Math.max(clock, a.at);
		},
	});
	await hub.ingest.drain();
	await hub.close();
	rmSync(dir, { recursive: true, force: true });

	const groups = new Map<string, Sums>();
	const add = (key: string, real: number, s: WaitRange, r: WaitRange) => {
		const g = groups.get(key) ?? { n: 0, inside: 0, rawInside: 0, error: 0, rawError: 0, bias: 0, rawBias: 0 };
		g.n++;
		if (real >= s.low && real <= s.high) g.inside++;
		if (real >= r.low && real <= r.high) g.rawInside++;
		g.error += Math.abs(real - s.minutes);
		g.rawError += Math.abs(real - r.minutes);
		g.bias += real - s.minutes;
		g.rawBias += real - r.minutes;
		groups.set(key, g);
	};
	for (const t of week.tickets) {
		const s = t.waitS !== undefined ? shown.get(`${t.day}/${t.ticket}`) : undefined;
		if (!s || t.waitS === undefined) continue;
		const real = t.waitS / 60;
		for (const key of ["week", t.day, real >= 30 ? "real wait ≥ 30 min" : "real wait < 30 min"])
			add(key, real, s.shown, s.raw);
	}
	const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
	const pct = (x: number) => `${round(x * 100, 1)} %`;
	const order = [...groups.keys()].sort((a, b) => (a === "week" ? -1 : b === "week" ? 1 : a < b ? -1 : 1));
	printTable(
		`calibration: a simulated week of ${centre.id} from ${START_DAY} (seed ${SEED}, ${SCENARIO}, load × ${LOAD}), shown (calibrated) vs raw`,
		order.map((key) => {
			const g = groups.get(key) as Sums;
			return {
				tickets: key,
				n: g.n,
				inside: pct(g.inside / g.n),
				"inside raw": pct(g.rawInside / g.n),
				"MAE, min": round(g.error / g.n, 2),
				"MAE raw": round(g.rawError / g.n, 2),
				"bias, min": round(g.bias / g.n, 2),
				"bias raw": round(g.rawBias / g.n, 2),
			};
		}),
	);
	const w = groups.get("week") as Sums;
	const days = order.filter((k) => /^\d{4}-/.test(k)).map((k) => groups.get(k) as Sums);
	return {
		scenario: SCENARIO,
		load: LOAD,
		centre: CENTRE,
		tickets: w.n,
		coverage: round(w.inside / w.n),
		raw_coverage: round(w.rawInside / w.n),
		mae_min: round(w.error / w.n),
		raw_mae_min: round(w.rawError / w.n),
		bias_min: round(w.bias / w.n),
		raw_bias_min: round(w.rawBias / w.n),
		day_coverage: days.map((g) => round(g.inside / g.n)),
		raw_day_coverage: days.map((g) => round(g.rawInside / g.n)),
	};
}
