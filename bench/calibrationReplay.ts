/**
 * The range calibration replayed over the traces of `npm run bench -- estimate`, in seconds instead
 * of the quarter of an hour the matrix takes through the hub:
 *
 *   VIKNO_BENCH_ESTIMATE_TRACE=/tmp/trace npm run bench -- --no-write estimate   # once
 *   node --import tsx bench/calibrationReplay.ts /tmp/trace                      # after each change
 *
 * A trace holds every queue event a played scenario gave the hub, with the raw estimate and the
 * naive baseline of each ticket issued. The raw estimates do not depend on the calibration, and
 * `core/calibration.ts` is pure, so feeding it the events in their order through the same
 * `onQueueEvent` as `hub/insights.ts` gives exactly the ranges the hub would show with the
 * calibration as it is now; the figures are those of the matrix (`figures` of
 * `bench/estimate.ts`). Not a bench of its own: a tool for changing the calibration.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { calibrate, emptyCalibration, onQueueEvent } from "../core/calibration.ts";
import { localDay } from "../core/time.ts";
import { busiestTwoHours, type Compared, coverageIfExact, figures, type TraceIssued } from "./estimate.ts";
import { printTable } from "./table.ts";

interface TraceHead {
	centre: string;
	timeZone: string;
	/** Tickets issued from this local day on are scored. */
	scoredFrom: string;
}
type TraceLine = TraceIssued | { event: string; ticket: string; ts: number };

/** The scored tickets of one trace, with the ranges the calibration shows now. */
export function replay(lines: readonly string[]): { head: TraceHead; compared: Compared[] } {
	const [first, ...rest] = lines;
	const head = JSON.parse(first ?? "{}") as TraceHead;
	const cal = emptyCalibration();
	const waiting = new Map<string, Omit<Compared, "real">>();
	const compared: Compared[] = [];
	for (const line of rest) {
		const e = JSON.parse(line) as TraceLine;
		if ("service" in e) {
			waiting.delete(e.ticket);
			if (!e.raw) continue;
			const { by, ...shown } = calibrate(cal, e.service, e.raw);
			onQueueEvent(cal, e, { service: e.service, issuedAt: e.ts, raw: e.raw, shown, by });
			waiting.set(e.ticket, { ...shown, baseline: e.baseline, raw: e.raw, issuedAt: e.ts });
			continue;
		}
		onQueueEvent(cal, e);
		if (e.event === "no_show") continue;
		const w = waiting.get(e.ticket);
		waiting.delete(e.ticket);
		if (e.event === "called" && w && localDay(w.issuedAt, head.timeZone) >= head.scoredFrom)
			compared.push({ ...w, real: (e.ts - w.issuedAt) / 60_000 });
	}
	return { head, compared };
}

const pct = (x: number | null) => (x === null ? "—" : `${(x * 100).toFixed(1)} %`);
const num = (x: number | null) => (x === null ? "—" : x.toFixed(2));

if (import.meta.url === `file://${process.argv[1]}`) {
	const dir = process.argv[2];
	if (!dir) throw new Error("usage: node --import tsx bench/calibrationReplay.ts TRACE_DIR");
	const rows: Record<string, string | number>[] = [];
	let met = 0;
	let covered = 0;
	const files = readdirSync(dir).filter((f) => f.endsWith(".jsonl"));
	for (const file of files.sort()) {
		const { head, compared } = replay(readFileSync(join(dir, file), "utf8").split("\n").filter(Boolean));
		const all = figures(compared);
		const busy = figures(busiestTwoHours(compared, head.timeZone));
		const long = figures(compared.filter((x) => x.real > 60));
		const ratio = all.mae !== null && all.baselineMae ? all.mae / all.baselineMae : null;
		const coverageMet = all.coverage !== null && Math.abs(all.coverage - 0.8) <= 0.03;
		const goals =
			ratio !== null &&
			ratio <= 0.5 &&
			coverageMet &&
			Math.abs(all.bias ?? 9) <= 1 &&
			(busy.coverage ?? 1) >= 0.7 &&
			(long.coverage ?? 1) >= 0.7;
		if (goals) met++;
		if (coverageMet) covered++;
		rows.push({
			trace: file.replace(/\.jsonl$/, ""),
			tickets: all.n,
			"÷ baseline": num(ratio),
			coverage: pct(all.coverage),
			"below / above": `${pct(all.below)} / ${pct(all.above)}`,
			"raw cov.": pct(all.rawCoverage),
			"width ÷ raw": num(all.widthRatio),
			"bias, min": num(all.bias),
			"busiest 2 h cov.": pct(busy.coverage),
			"> 60 cov.": pct(long.coverage),
			"> 60 if exact": pct(coverageIfExact(compared)),
			"all goals": goals ? "yes" : "",
		});
	}
	printTable(`calibration replayed over ${files.length} traces of ${dir}`, rows);
	console.log(`all goals met in ${met} of ${files.length}; coverage 80 % ± 3 % in ${covered}`);
}
