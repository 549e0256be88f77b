/**
 * The traces of the estimate's matrix made in-process: the same simulated days as
 * `npm run bench -- estimate` (the same scenarios, loads, centres, seed and days), folded through
 * the same core functions as the hub (`core/live.ts` `apply`, `core/holdTimes.ts` `observe`, then
 * `estimateWait` and `baselineWait` at each ticket's issue), without the broker, the store and the
 * hub around them. The files are those `VIKNO_BENCH_ESTIMATE_TRACE` writes, so
 * `bench/calibrationReplay.ts` prints the matrix from them:
 *
 *   node --import tsx bench/estimateTraces.ts /tmp/trace            # 20 rows, one after the other
 *   VIKNO_BENCH_CENTRE=lutsk node --import tsx bench/estimateTraces.ts /tmp/trace &   # or in parts,
 *   VIKNO_BENCH_CENTRE=demo node --import tsx bench/estimateTraces.ts /tmp/trace      # one a core
 *   node --import tsx bench/calibrationReplay.ts /tmp/trace
 *
 * `VIKNO_BENCH_SEED`, `VIKNO_BENCH_SCENARIO`, `VIKNO_BENCH_LOAD`, `VIKNO_BENCH_CENTRE` as for the
 * bench. `VIKNO_BENCH_ORACLE=1` makes the traces of an estimate that knows the true service times:
 * instead of each service's last holds, every hold served in 60 other simulated days of the same
 * hall (`oracleHolds`), every window at the hall's pace (the simulator has no slower administrator)
 * — how low the error can go when only the visits still to come are unknown. A row takes
 * 30–150 s (3–8 min with `VIKNO_BENCH_ORACLE`), about as long as through the hub; a trace here
 * and the hub's give the same figures but for a few tickets (the hub applies the events a batch
 * at a time).
 * Not a bench: a tool for changing the estimate. The bench through the hub has the last word.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadCentreFile } from "../config/load.ts";
import { type Centre, indexCentre } from "../core/centre.ts";
import type { WireEvent } from "../core/contract.ts";
import { emptyHoldStats, observe } from "../core/holdTimes.ts";
import { apply, emptyLive, startDay } from "../core/live.ts";
import { addDays, localDay } from "../core/time.ts";
import { baselineWait, estimateWait } from "../core/waitEstimate.ts";
import { simulateWeek } from "../firmware-sim/week.ts";
import { LOADS, MATRIX_DAYS, MATRIX_WARMUP, pick, SCENARIOS, SEED, START_DAY, traceLine } from "./estimate.ts";

/** Every hold served (call → finished) per service in 60 other simulated days of the same hall. */
export function oracleHolds(centre: Centre, scenario: string, load: number): Map<string, number[]> {
	const other = simulateWeek(centre, {
		startDay: addDays(START_DAY, 30),
		days: 60,
		seed: SEED + 1_000,
		load,
		hall: SCENARIOS[scenario],
	});
	const called = new Map<string, number>();
	const holds = new Map<string, number[]>();
	for (const a of other.actions) {
		if (a.kind !== "queue" || !a.data.window) continue;
		const key = `${a.data.ticket}@${a.data.window}`;
		if (a.data.event === "called") called.set(key, a.at);
		const from = called.get(key);
		if (a.data.event !== "finished" || from === undefined) continue;
		const list = holds.get(a.data.service) ?? [];
		list.push(a.at - from);
		holds.set(a.data.service, list);
	}
	return holds;
}

/** One row's trace: every queue event of the played days, with each issued ticket's estimate. */
export function traceRow(centreId: string, scenario: string, load: number): string[] {
	const centre = loadCentreFile(join(import.meta.dirname, `../config/centres/${centreId}.yaml`));
	const index = indexCentre(centre);
	const zone = centre.timeZone;
	const week = simulateWeek(centre, {
		startDay: addDays(START_DAY, -MATRIX_WARMUP),
		days: MATRIX_WARMUP + MATRIX_DAYS,
		seed: SEED,
		load,
		hall: SCENARIOS[scenario],
	});
	const lines = [JSON.stringify({ centre: centre.id, timeZone: zone, scoredFrom: START_DAY })];
	const first = week.actions[0]?.at ?? 0;
	let live = emptyLive(index, localDay(first, zone));
	const stats = emptyHoldStats();
	const oracle = process.env.VIKNO_BENCH_ORACLE === "1" ? oracleHolds(centre, scenario, load) : undefined;
	let n = 0;
	const feed = (e: WireEvent) => {
		live = apply(live, e, index);
		observe(stats, e, index);
	};
	// The simulated nodes are online from the start (through the hub, their first status says so).
	for (const node of centre.nodes)
		if (node.role === "window")
			feed({ kind: "status", centre: centre.id, node: node.id, data: { id: `s-${node.id}`, ts: first, online: true } });
	for (const a of week.actions) {
		const day = localDay(a.at, zone);
		if (live.day < day) live = startDay(live, index, day);
		feed({ kind: a.kind, centre: centre.id, node: a.node, data: { ...a.data, id: `e${++n}`, ts: a.at } } as WireEvent);
		if (a.kind !== "queue") continue;
		const q = a.data;
		if (q.event !== "issued") {
			lines.push(JSON.stringify({ event: q.event, ticket: q.ticket, ts: a.at }));
			continue;
		}
		const known = oracle ? { ...stats, holds: oracle, windowHolds: new Map() } : stats;
		const raw = estimateWait(known, live, index, q.service, a.at, { ticket: q.ticket });
		lines.push(
			traceLine(
				{ ticket: q.ticket, service: q.service, ts: a.at },
				{ raw, baselineMin: baselineWait(stats, live, index, q.service) },
			),
		);
	}
	return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
	const dir = process.argv[2];
	if (!dir) throw new Error("usage: node --import tsx bench/estimateTraces.ts DIR");
	mkdirSync(dir, { recursive: true });
	for (const scenario of Object.keys(SCENARIOS).filter((s) => pick("VIKNO_BENCH_SCENARIO", s, Object.keys(SCENARIOS))))
		for (const [loadName, load] of Object.entries(LOADS).filter(([l]) =>
			pick("VIKNO_BENCH_LOAD", l, Object.keys(LOADS)),
		))
			for (const centre of ["demo", "lutsk"].filter((c) => pick("VIKNO_BENCH_CENTRE", c, ["demo", "lutsk"]))) {
				const started = performance.now();
				const lines = traceRow(centre, scenario, load);
				writeFileSync(join(dir, `${scenario}-${loadName}-${centre}.jsonl`), `${lines.join("\n")}\n`);
				process.stderr.write(
					`${scenario} · ${loadName} · ${centre}: ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
				);
			}
}
