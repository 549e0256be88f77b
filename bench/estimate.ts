/**
 * `npm run bench -- estimate`: plays a simulated week of the demo centre through the real
 * pipeline (broker, ingest, store, live model; simulated time) and compares, for every ticket,
 * the estimate shown at the moment it was issued with the wait that ticket really had — and the
 * same for the naive baseline a simple display would use (people waiting × mean service time so
 * far ÷ windows open).
 *
 * Then the matrix: hall behaviours (calm; silent breaks with late starts and early closings;
 * heavy-tailed service times; a lunch peak with a crowd at the opening and visitors leaving after
 * their ticket; all of them together) × load (the default 0.8 of the staffed capacity, and 1.3 ×
 * that) × both example centres, each `VIKNO_BENCH_MATRIX_DAYS` days from the Monday (6 by
 * default: Monday to Saturday, a working week — one day's figures swing by ±3 min of bias from
 * day to day in the same row, docs/benchmarks.md; 1 for a quick look at the busiest day), through
 * the same pipeline, after
 * `VIKNO_BENCH_MATRIX_WARMUP` days played but not scored (3 by default: Friday to Sunday), so the
 * hub has learnt the hall as a hub in service has. Per scenario: mean error against the
 * baseline's, coverage, the shares of real waits below and above the range, the coverage of the
 * raw range (before the calibration corrected it), bias (real − shown), and the same for the
 * tickets issued in the busiest two hours and for real waits over 60 minutes — with the share of
 * those the ranges would hold if each were exactly the truth (`coverageIfExact`). `VIKNO_BENCH_MATRIX=0` skips it;
 * `VIKNO_BENCH_SCENARIO=NAME` runs one behaviour, `VIKNO_BENCH_LOAD=normal|1.3×` one load and
 * `VIKNO_BENCH_CENTRE=demo|lutsk` one centre of it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadCentreFile } from "../config/load.ts";
import type { Centre } from "../core/centre.ts";
import { addDays, localClock, localDay } from "../core/time.ts";
import { type HallSettings, MINUTE } from "../firmware-sim/behaviour.ts";
import { replayTimeline } from "../firmware-sim/replay.ts";
import { simulateWeek, WEEK_LOAD, type WeekOptions } from "../firmware-sim/week.ts";
import type { EstimateNow } from "../hub/insights.ts";
import { benchHub } from "./hub.ts";
import { printTable } from "./table.ts";

export const START_DAY = process.env.VIKNO_BENCH_WEEK ?? "2026-11-09"; // a Monday
export const SEED = Number(process.env.VIKNO_BENCH_SEED ?? 1);
export const MATRIX_DAYS = Number(process.env.VIKNO_BENCH_MATRIX_DAYS ?? 6);
/** Days played before the scored ones, not scored: what the hub has learnt before (a real hub has weeks). */
export const MATRIX_WARMUP = Number(process.env.VIKNO_BENCH_MATRIX_WARMUP ?? 3);
/**
 * A folder to write each played scenario's queue events into, with the raw estimate of every ticket
 * issued (`SCENARIO-LOAD-CENTRE.jsonl`, `week-demo.jsonl`): `bench/calibrationReplay.ts` replays
 * the range calibration over them in seconds. The raw estimates do not depend on the calibration.
 */
const TRACE = process.env.VIKNO_BENCH_ESTIMATE_TRACE;
if (TRACE) mkdirSync(TRACE, { recursive: true });

/** One issued ticket of a trace: its raw estimate (null: none) and the naive baseline. */
export interface TraceIssued {
	event: "issued";
	ticket: string;
	service: string;
	ts: number;
	raw: { minutes: number; low: number; high: number } | null;
	baseline: number | null;
}

export function traceLine(
	q: { ticket: string; service: string; ts: number },
	r: Pick<EstimateNow, "raw" | "baselineMin"> | undefined,
): string {
	const raw = r?.raw.ok ? { minutes: r.raw.minutes, low: r.raw.low, high: r.raw.high } : null;
	const line: TraceIssued = {
		event: "issued",
		ticket: q.ticket,
		service: q.service,
		ts: q.ts,
		raw,
		baseline: r?.baselineMin ?? null,
	};
	return JSON.stringify(line);
}

interface Shown {
	minutes: number;
	low: number;
	high: number;
	baseline: number | null;
	/** The range before the calibration corrected it (`estimateNow(…).raw`), null if it had none. */
	raw: { low: number; high: number } | null;
}

/** The rough-hall behaviours of the matrix (firmware-sim/behaviour.ts). */
const BREAKS: Partial<HallSettings> = {
	silentBreak: { chance: 0.04, ms: [10 * MINUTE, 20 * MINUTE] },
	lateStartMs: [0, 10 * MINUTE],
	earlyClose: { share: 0.1, ms: [15 * MINUTE, 45 * MINUTE] },
};
const HEAVY_TAILS: Partial<HallSettings> = { longVisits: { share: 0.05, timesMean: 6 } };
const LUNCH_PEAK: Partial<HallSettings> = {
	lunchPeak: { fromMin: 12 * 60, toMin: 14 * 60, factor: 1.5 },
	openingCrowdMin: 30,
	leaveAfterTicket: { share: 0.1, ms: [20 * MINUTE, 60 * MINUTE] },
};
export const SCENARIOS: Record<string, Partial<HallSettings>> = {
	calm: {},
	breaks: BREAKS,
	"heavy tails": HEAVY_TAILS,
	"lunch peak": LUNCH_PEAK,
	all: { ...BREAKS, ...HEAVY_TAILS, ...LUNCH_PEAK },
};
export const LOADS = { normal: WEEK_LOAD, "1.3×": WEEK_LOAD * 1.3 } as const;

/** One ticket compared: what was shown at its issue, and its real wait (minutes). */
export interface Compared extends Shown {
	real: number;
	issuedAt: number;
}

/** The days of `week` played through a real hub: every called ticket with what the hub showed. */
async function compare(centre: Centre, week: ReturnType<typeof simulateWeek>, label = "week") {
	const trace: string[] = [JSON.stringify({ centre: centre.id, timeZone: centre.timeZone, scoredFrom: START_DAY })];
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
			if (e.kind !== "queue") continue;
			if (e.data.event !== "issued") {
				if (TRACE) trace.push(JSON.stringify({ event: e.data.event, ticket: e.data.ticket, ts: e.data.ts }));
				continue;
			}
			const r = hub.insights.estimateNow(e.centre, e.data.service, e.data.ts, e.data.ticket);
			if (TRACE) trace.push(traceLine(e.data, r));
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
				raw: r.raw.ok ? { low: r.raw.low, high: r.raw.high } : null,
			});
		}
	});
	const t0 = performance.now();
	try {
		const replay = await replayTimeline({
			centre,
			brokerUrl: hub.mqttUrl,
			actions: week.actions,
			onPublish: (a) => {
				clock = Math.max(clock, a.at);
			},
		});
		await hub.ingest.drain();
		if (TRACE) writeFileSync(join(TRACE, `${label}-${centre.id}.jsonl`), `${trace.join("\n")}\n`);
		const wallS = (performance.now() - t0) / 1000;
		const compared: Compared[] = [];
		for (const t of week.tickets) {
			if (t.waitS === undefined) continue;
			const s = shown.get(`${t.day}/${t.ticket}`);
			if (s) compared.push({ ...s, real: t.waitS / 60, issuedAt: t.issuedAt });
		}
		return { compared, noEstimate, events: replay.published, wallS };
	} finally {
		await hub.close();
		rmSync(dir, { recursive: true, force: true });
	}
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

/**
 * Mean error, coverage and bias of a group of compared tickets (null figures for an empty group);
 * the shares of real waits below the range shown and above it, the share inside the raw range, and
 * the mean width of the ranges shown against the raw ones' (a range may cover more by being wider).
 */
export function figures(xs: readonly Compared[]) {
	if (xs.length === 0)
		return {
			n: 0,
			mae: null,
			baselineMae: null,
			coverage: null,
			bias: null,
			below: null,
			above: null,
			rawCoverage: null,
			widthRatio: null,
		};
	let err = 0;
	let bias = 0;
	let inside = 0;
	let below = 0;
	let above = 0;
	let rawInside = 0;
	let width = 0;
	let rawWidth = 0;
	let baseErr = 0;
	let baseN = 0;
	for (const x of xs) {
		err += Math.abs(x.minutes - x.real);
		bias += x.real - x.minutes;
		if (x.real >= x.low && x.real <= x.high) inside++;
		else if (x.real < x.low) below++;
		else above++;
		const raw = x.raw ?? x;
		if (x.real >= raw.low && x.real <= raw.high) rawInside++;
		width += x.high - x.low;
		rawWidth += raw.high - raw.low;
		if (x.baseline !== null) {
			baseErr += Math.abs(x.baseline - x.real);
			baseN++;
		}
	}
	return {
		n: xs.length,
		mae: err / xs.length,
		baselineMae: baseN ? baseErr / baseN : null,
		coverage: inside / xs.length,
		bias: bias / xs.length,
		below: below / xs.length,
		above: above / xs.length,
		rawCoverage: rawInside / xs.length,
		widthRatio: rawWidth > 0 ? width / rawWidth : null,
	};
}

/** The standard normal distribution function (Abramowitz & Stegun 26.2.17, error < 7.5e-8). */
function normalCdf(z: number): number {
	const t = 1 / (1 + 0.2316419 * Math.abs(z));
	const tail =
		0.3989422804 *
		Math.exp((-z * z) / 2) *
		t *
		(0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
	return z > 0 ? 1 - tail : tail;
}

/**
 * The share of waits over `overMin` minutes the ranges shown would hold if each ticket's wait were
 * drawn from exactly what its range says: a two-piece log-normal with its 10th, 50th and 90th
 * percentiles at low, the median and high. Σ P(over < wait ≤ high) ÷ Σ P(wait > over). A group
 * chosen by its outcome holds less than 80 % even then: a ticket told 10 min [5–20] still waits
 * over an hour now and then, and no range that holds 80 % of its tickets can hold that one. Where
 * the real share is near this figure, the ranges are as right for the long waits as such a range
 * can be; null without any ticket.
 */
export function coverageIfExact(xs: readonly Compared[], overMin = 60): number | null {
	const Z90 = 1.2815516;
	let inside = 0;
	let over = 0;
	for (const x of xs) {
		const median = Math.max(x.minutes, 0.05);
		const low = Math.min(Math.max(x.low, 0.01), median * 0.999);
		const high = Math.max(x.high, median * 1.001);
		const cdf = (w: number) => {
			const z = Math.log(w / median);
			return normalCdf((z * Z90) / Math.log(z < 0 ? median / low : high / median));
		};
		over += 1 - cdf(overMin);
		if (high > overMin) inside += 0.9 - cdf(Math.max(overMin, low));
	}
	return over > 0 ? inside / over : null;
}

/** The tickets issued in the two consecutive local hours with the most issued. */
export function busiestTwoHours(xs: readonly Compared[], timeZone: string): Compared[] {
	const clock = localClock(timeZone);
	const hourOf = (x: Compared) => Math.floor(clock.at(x.issuedAt).minuteOfDay / 60);
	const perHour = new Array<number>(24).fill(0);
	for (const x of xs) perHour[hourOf(x)] = (perHour[hourOf(x)] ?? 0) + 1;
	let best = 0;
	for (let h = 1; h < 23; h++)
		if ((perHour[h] ?? 0) + (perHour[h + 1] ?? 0) > (perHour[best] ?? 0) + (perHour[best + 1] ?? 0)) best = h;
	return xs.filter((x) => hourOf(x) === best || hourOf(x) === best + 1);
}

const pct = (x: number | null) => (x === null ? "—" : `${round(x * 100, 1)} %`);
const min = (x: number | null) => (x === null ? "—" : round(x, 2));

export async function run(): Promise<Record<string, unknown>> {
	const centre = loadCentreFile(join(import.meta.dirname, "../config/centres/demo.yaml"));
	const week = simulateWeek(centre, { startDay: START_DAY, seed: SEED });
	const { compared, noEstimate, events, wallS } = await compare(centre, week);
	const f = figures(compared);
	const mae = f.mae ?? 0;
	const baselineMae = f.baselineMae ?? 0;
	const coverage = f.coverage ?? 0;
	printTable(`estimate: a simulated week of ${centre.id} from ${START_DAY} (seed ${SEED}) through the hub`, [
		{ figure: "tickets compared", value: f.n },
		{ figure: "estimate MAE, min", value: round(mae) },
		{ figure: "baseline MAE, min", value: round(baselineMae) },
		{ figure: "MAE vs baseline", value: `${round((mae / baselineMae - 1) * 100, 1)} %` },
		{ figure: "real wait inside shown range", value: `${round(coverage * 100, 1)} %` },
		{ figure: "bias (real − shown), min", value: round(f.bias ?? 0) },
		{ figure: "no estimate shown", value: noEstimate },
		{ figure: "events replayed", value: events },
		{ figure: "replay wall time, s", value: round(wallS, 1) },
	]);
	const out: Record<string, unknown> = {
		tickets: f.n,
		mae_min: round(mae, 3),
		baseline_mae_min: round(baselineMae, 3),
		improvement: round(1 - mae / baselineMae, 3),
		coverage: round(coverage, 3),
		bias_min: round(f.bias ?? 0, 3),
		no_estimate: noEstimate,
		events,
		wall_s: round(wallS, 1),
	};
	if (process.env.VIKNO_BENCH_MATRIX !== "0") out.matrix = await matrix();
	return out;
}

/** Whether `value` is among those the environment variable `name` picks (all when it is unset). */
export function pick(name: string, value: string, all: readonly string[]): boolean {
	const only = process.env[name];
	if (only && !all.includes(only)) throw new Error(`${name} "${only}" is none of ${all.join(", ")}`);
	return !only || only === value;
}

/** The matrix of hall behaviours × load × centre (see the header). */
export async function matrix(): Promise<Record<string, unknown>[]> {
	const names = Object.keys(SCENARIOS).filter((n) => pick("VIKNO_BENCH_SCENARIO", n, Object.keys(SCENARIOS)));
	const loads = Object.entries(LOADS).filter(([n]) => pick("VIKNO_BENCH_LOAD", n, Object.keys(LOADS)));
	const centres = ["demo", "lutsk"]
		.filter((id) => pick("VIKNO_BENCH_CENTRE", id, ["demo", "lutsk"]))
		.map((id) => loadCentreFile(join(import.meta.dirname, `../config/centres/${id}.yaml`)));
	const rows: Record<string, string | number>[] = [];
	const out: Record<string, unknown>[] = [];
	for (const name of names)
		for (const [loadName, load] of loads)
			for (const centre of centres) {
				const options: WeekOptions = {
					startDay: addDays(START_DAY, -MATRIX_WARMUP),
					days: MATRIX_WARMUP + MATRIX_DAYS,
					seed: SEED,
					load,
					hall: SCENARIOS[name],
				};
				const played = await compare(centre, simulateWeek(centre, options), `${name}-${loadName}`);
				const wallS = played.wallS;
				const compared = played.compared.filter((x) => localDay(x.issuedAt, centre.timeZone) >= START_DAY);
				const all = figures(compared);
				const busy = figures(busiestTwoHours(compared, centre.timeZone));
				const long = figures(compared.filter((x) => x.real > 60));
				const ratio = all.mae !== null && all.baselineMae ? all.mae / all.baselineMae : null;
				rows.push({
					scenario: name,
					load: loadName,
					centre: centre.id,
					tickets: all.n,
					"MAE, min": min(all.mae),
					"÷ baseline": ratio === null ? "—" : round(ratio, 2),
					coverage: pct(all.coverage),
					"below / above": `${pct(all.below)} / ${pct(all.above)}`,
					"raw cov.": pct(all.rawCoverage),
					"width ÷ raw": all.widthRatio === null ? "—" : round(all.widthRatio, 2),
					"bias, min": min(all.bias),
					"busiest 2 h cov.": pct(busy.coverage),
					"busiest bias": min(busy.bias),
					"> 60 min": long.n,
					"> 60 cov.": pct(long.coverage),
					"> 60 if exact": pct(coverageIfExact(compared)),
					"> 60 bias": min(long.bias),
					"wall, s": round(wallS, 1),
				});
				const r3 = (x: number | null) => (x === null ? null : round(x, 3));
				out.push({
					scenario: name,
					load: loadName,
					centre: centre.id,
					tickets: all.n,
					mae_min: r3(all.mae),
					baseline_mae_min: r3(all.baselineMae),
					mae_ratio: r3(ratio),
					coverage: r3(all.coverage),
					below: r3(all.below),
					above: r3(all.above),
					raw_coverage: r3(all.rawCoverage),
					width_ratio: r3(all.widthRatio),
					bias_min: r3(all.bias),
					busiest_coverage: r3(busy.coverage),
					busiest_bias_min: r3(busy.bias),
					long_waits: long.n,
					long_coverage: r3(long.coverage),
					long_coverage_if_exact: r3(coverageIfExact(compared)),
					long_bias_min: r3(long.bias),
				});
				process.stderr.write(`  estimate matrix: ${name} · ${loadName} · ${centre.id} done in ${round(wallS, 1)} s\n`);
			}
	printTable(
		`estimate matrix: ${MATRIX_DAYS} days from ${START_DAY} after ${MATRIX_WARMUP} not scored (seed ${SEED}) per scenario, through the hub — goals: ÷ baseline ≤ 0.5, coverage 80 % ± 3 %, bias ± 1 min, no group under 70 %`,
		rows,
	);
	return out;
}
