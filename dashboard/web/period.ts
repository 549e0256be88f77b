/**
 * The period a report view shows, from the address: a span ending today (`span=day|week|month`:
 * today, the last 7 days, the last 30) or chosen days (`from`, `to`). "Today" is the centre's live
 * day as the hub says it, never the browser's clock. Pure; tested in test/unit/format.test.ts.
 */
import { addDays, daysBetween, isDate } from "../../core/time.ts";
import type { Period } from "./api.ts";

export const SPANS = ["day", "week", "month"] as const;
export type SpanName = (typeof SPANS)[number];

const LENGTH: Record<SpanName, number> = { day: 1, week: 7, month: 30 };

/** The longest period a request may cover (the hub's limit). */
export const MAX_DAYS = 92;

export interface ChosenPeriod extends Period {
	/** The span it was chosen as, or "custom" for chosen days. */
	span: SpanName | "custom";
	/** Buckets for charts: hours for one day, days for more. */
	step: "1h" | "1d";
}

export function periodOf(params: Readonly<Record<string, string>>, today: string, fallback: SpanName): ChosenPeriod {
	const { from, to } = params;
	if (from && to && isDate(from) && isDate(to) && from <= to && daysBetween(from, to) < MAX_DAYS)
		return { from, to, span: "custom", step: from === to ? "1h" : "1d" };
	const span = SPANS.find((s) => s === params.span) ?? fallback;
	const start = addDays(today, 1 - LENGTH[span]);
	return { from: start, to: today, span, step: span === "day" ? "1h" : "1d" };
}

/** The local days of a period, in order. */
export function daysOf(p: Period): string[] {
	const out: string[] = [];
	for (let d = p.from; d <= p.to; d = addDays(d, 1)) out.push(d);
	return out;
}
