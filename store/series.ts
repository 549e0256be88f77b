/**
 * What every backend shares about `query()`: which fields and tags a query may name (DESIGN.md's
 * layout), and the statistics of one bucket. Pure.
 */
import { LAYOUT } from "./points.ts";
import type { SeriesQuery, SeriesRow } from "./types.ts";

/** Checks a query against the layout; the error names the part that is wrong. */
export function checkQuery(q: SeriesQuery): void {
	const layout = LAYOUT[q.measurement];
	if (!layout || q.measurement === ("request" as string))
		throw new Error(`query: unknown measurement "${q.measurement}"`);
	const type = layout.fields[q.field];
	if (type !== "int" && type !== "float") {
		const numeric = Object.entries(layout.fields)
			.filter(([, t]) => t === "int" || t === "float")
			.map(([f]) => f);
		throw new Error(`query: field "${q.field}" is not a numeric field of ${q.measurement} (${numeric.join(", ")})`);
	}
	const filters = Object.entries(q.where ?? {})
		.filter(([, v]) => v !== undefined)
		.map(([k]) => k);
	const tags = [...(q.groupBy ? [q.groupBy] : []), ...filters];
	for (const tag of tags) {
		if (!layout.tags.includes(tag)) {
			throw new Error(`query: "${tag}" is not a tag of ${q.measurement} (${layout.tags.join(", ")})`);
		}
	}
	if (!(q.fromTs < q.toTs)) throw new Error(`query: fromTs ${q.fromTs} must be before toTs ${q.toTs}`);
}

/**
 * Nearest-rank percentile of ascending values, as InfluxQL's PERCENTILE() computes it
 * (index floor(n·p/100 + 0.5) − 1), so every backend gives the same answer.
 */
export function percentile(sorted: readonly number[], p: number): number | null {
	const i = Math.floor((sorted.length * p) / 100 + 0.5) - 1;
	return i >= 0 && i < sorted.length ? (sorted[i] as number) : null;
}

/** Count, mean, min, max and percentiles of one bucket's values. */
export function summarize(t: number, values: number[], group?: string): SeriesRow {
	values.sort((a, b) => a - b);
	let sum = 0;
	for (const v of values) sum += v;
	const n = values.length;
	const row: SeriesRow = {
		t,
		count: n,
		mean: n ? sum / n : null,
		min: n ? (values[0] as number) : null,
		max: n ? (values[n - 1] as number) : null,
		p50: percentile(values, 50),
		p90: percentile(values, 90),
	};
	if (group !== undefined) row.group = group;
	return row;
}

/** Rows in bucket order, then group order. */
export function byBucket(a: SeriesRow, b: SeriesRow): number {
	return a.t - b.t || ((a.group ?? "") < (b.group ?? "") ? -1 : (a.group ?? "") > (b.group ?? "") ? 1 : 0);
}
