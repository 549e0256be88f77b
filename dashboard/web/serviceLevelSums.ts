/**
 * Service levels of a period per service, from the rows per service and day the API gives: the
 * counts added up, the shares worked out from the sums (`withinTargetCount` ÷ `waitKnown`,
 * no-shows ÷ called), the mean wait weighted by the waits it is the mean of. A 90th percentile
 * cannot be added up: a period of several days shows its worst day's. Pure.
 */
import type { ServiceLevel } from "../../core/serviceLevels.ts";

export interface PeriodLevel {
	service: string;
	targetWaitMin: number | null;
	issued: number;
	called: number;
	served: number;
	noShows: number;
	/** Sent on to another service. */
	transferred: number;
	withinTarget: number | null;
	noShowShare: number | null;
	waitMeanS: number | null;
	/** One day: its P90; several: the highest of the days' P90s. */
	waitP90S: number | null;
	days: number;
}

/** One row per service in `order` (the centre's), then "*" (all services), leaving out services nobody came for. */
export function periodLevels(levels: readonly ServiceLevel[], order: readonly string[]): PeriodLevel[] {
	const by = new Map<string, ServiceLevel[]>();
	for (const l of levels) by.set(l.service, [...(by.get(l.service) ?? []), l]);
	const ids = [...order.filter((s) => by.has(s)), ...[...by.keys()].filter((s) => s !== "*" && !order.includes(s))];
	if (by.has("*")) ids.push("*");
	return ids.map((service) => {
		const rows = by.get(service) ?? [];
		const sum = (f: (l: ServiceLevel) => number) => rows.reduce((n, l) => n + f(l), 0);
		const waitKnown = sum((l) => l.waitKnown);
		const called = sum((l) => l.called);
		const noShows = sum((l) => l.noShows);
		const waited = sum((l) => (l.wait.meanS ?? 0) * l.waitKnown);
		const p90s = rows.map((l) => l.wait.p90S).filter((x): x is number => x !== null);
		return {
			service,
			targetWaitMin: rows[0]?.targetWaitMin ?? null,
			issued: sum((l) => l.issued),
			called,
			served: sum((l) => l.served),
			noShows,
			transferred: sum((l) => l.transferred),
			withinTarget: waitKnown ? Math.round((sum((l) => l.withinTargetCount) / waitKnown) * 1000) / 1000 : null,
			noShowShare: called ? Math.round((noShows / called) * 1000) / 1000 : null,
			waitMeanS: waitKnown ? Math.round((waited / waitKnown) * 10) / 10 : null,
			waitP90S: p90s.length ? Math.max(...p90s) : null,
			days: rows.length,
		};
	});
}
