/**
 * Quality by week from quality by day: the days' score distributions added up per week (Monday
 * first), and the figures worked out from the sums the way core/quality.ts works them out for a
 * day — so a week's figures are exact, not averages of averages. Pure.
 */
import { npsClass } from "../../core/nps.ts";
import type { QualityFigures } from "../../core/quality.ts";
import { weekStart } from "./format.ts";

export interface WeekFigures {
	/** The Monday the week starts on. */
	week: string;
	count: number;
	mean: number | null;
	csat: number | null;
	nps: number | null;
}

export function weeklyFigures(byDay: Readonly<Record<string, QualityFigures>>, scale: number): WeekFigures[] {
	const sums = new Map<string, number[]>();
	for (const [day, f] of Object.entries(byDay)) {
		const week = weekStart(day);
		const d = sums.get(week) ?? new Array<number>(scale).fill(0);
		f.distribution.forEach((n, i) => {
			d[i] = (d[i] ?? 0) + n;
		});
		sums.set(week, d);
	}
	return [...sums]
		.sort(([a], [b]) => (a < b ? -1 : 1))
		.map(([week, d]) => {
			const count = d.reduce((a, b) => a + b, 0);
			const sum = d.reduce((a, n, i) => a + n * (i + 1), 0);
			const top = d.slice(-2).reduce((a, b) => a + b, 0);
			const net = d.reduce((a, n, i) => a + n * npsClass(i + 1, scale), 0);
			return {
				week,
				count,
				mean: count ? Math.round((sum / count) * 100) / 100 : null,
				csat: count ? Math.round((top / count) * 1000) / 1000 : null,
				nps: count ? Math.round((net / count) * 1000) / 10 : null,
			};
		});
}
