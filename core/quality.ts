/**
 * Service quality from the rating buttons: per window, service, administrator and local day.
 *
 *   ratingRecord(ts, data) → RatingRecord        (from a stored rating's payload)
 *   figures(records, scale, minSample?) → QualityFigures
 *   qualityReport(records, options) → QualityReport
 *   administratorsOf(centre) → (window, ts) → administrator id | undefined
 *
 * Figures (scale N, N = best):
 * - `mean` of the scores;
 * - `csat`: share of ratings in the top two scores (4 and 5 of 5) — the seeds' "satisfaction";
 * - `nps`: an NPS-style index, % promoters − % detractors, −100..100. Scores are placed on NPS's
 *   0..10 line ((score − 1) / (N − 1) × 10): promoters at 9 or more, detractors at 6 or less, as in
 *   NPS. On a 5-point scale: promoters = 5, detractors = 1–3, passives = 4.
 * - `distribution[score − 1]`; `extra`: presses inside the lockout after a rating, counted apart
 *   and never as ratings;
 * - `meaningful`: false while there are fewer than `minSample` ratings (default 10); the figures are
 *   still given, for the reader to weigh.
 * A rating is attributed at ingest to the ticket last served at its window (core/derive.ts): its
 * payload then carries `window`, `service`, `ticket` and `source` (button or qr: `bySource`). A
 * rating without a service (nobody was
 * served there recently) counts for its window and day but for no service, and is counted in
 * `unattributed.service`.
 */
import Type, { type Static } from "typebox";
import type { Centre } from "./centre.ts";
import { npsClass } from "./nps.ts";
import { Count, orNull } from "./schemaParts.ts";
import { localDay } from "./time.ts";

export interface RatingRecord {
	ts: number;
	score: number;
	extra?: boolean;
	window?: string;
	service?: string;
	ticket?: string;
	/** How it was given: the buttons (also every rating stored before sources were kept) or a QR code. */
	source?: "button" | "qr";
	/** How many identical ratings this record stands for (a roll-up's count); default 1. */
	n?: number;
	/** Its local day when known (a roll-up's), else worked out from `ts`. */
	day?: string;
}

export const QualityFigures = Type.Object({
	count: Count,
	mean: orNull(Type.Number({ description: "Mean score (two decimals)" })),
	csat: orNull(Type.Number({ description: "Share of ratings in the top two scores, 0..1" })),
	nps: orNull(Type.Number({ description: "NPS-style index, % promoters − % detractors, −100..100" })),
	distribution: Type.Array(Count, { description: "Ratings per score, index 0 = score 1" }),
	extra: Type.Integer({ minimum: 0, description: "Presses inside the lockout after a rating, not ratings" }),
	meaningful: Type.Boolean({ description: "False while there are fewer than minSample ratings" }),
});

const byKey = (description: string) => Type.Record(Type.String(), QualityFigures, { description });

export const QualityReport = Type.Object({
	scale: Type.Integer(),
	minSample: Type.Integer(),
	all: QualityFigures,
	byWindow: byKey("Window id → figures"),
	byService: byKey("Service id → figures"),
	byAdministrator: byKey("Administrator id → figures"),
	/** Local day (the centre's time zone) → figures. */
	byDay: byKey("Local day (YYYY-MM-DD, the centre's time zone) → figures"),
	/** How the ratings were given: `button` (the window's buttons) or `qr` (the QR rating page). */
	bySource: byKey("How the ratings were given — button (the window's buttons) or qr (the QR rating page) → figures"),
	/** Ratings (not extra presses) that could not be given a window, service or administrator. */
	unattributed: Type.Object(
		{ window: Count, service: Count, administrator: Count },
		{ description: "Ratings (not extra presses) that could not be given a window, service or administrator" },
	),
});

export type QualityFigures = Static<typeof QualityFigures>;
export type QualityReport = Static<typeof QualityReport>;

export interface QualityOptions {
	scale: number;
	timeZone: string;
	/** Ratings below which a figure is not yet meaningful (default 10). */
	minSample?: number;
	/** Who worked at a window at a time; see `administratorsOf`. */
	administratorOf?: (window: string, ts: number) => string | undefined;
}

export const MIN_SAMPLE = 10;

export { npsClass };

/** A record from a stored rating: the payload as received plus what ingest attributed. */
export function ratingRecord(ts: number, data: Record<string, unknown>): RatingRecord {
	const text = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);
	const r: RatingRecord = { ts, score: Number(data.score) };
	if (data.extra === true) r.extra = true;
	const window = text(data.window);
	const service = text(data.service);
	const ticket = text(data.ticket);
	if (window) r.window = window;
	if (service) r.service = service;
	if (ticket) r.ticket = ticket;
	if (data.source === "qr") r.source = "qr";
	return r;
}

export function figures(records: readonly RatingRecord[], scale: number, minSample = MIN_SAMPLE): QualityFigures {
	const distribution = new Array<number>(scale).fill(0);
	let count = 0;
	let sum = 0;
	let top = 0;
	let net = 0;
	let extra = 0;
	for (const r of records) {
		const n = r.n ?? 1;
		if (r.extra) {
			extra += n;
			continue;
		}
		if (!Number.isInteger(r.score) || r.score < 1 || r.score > scale) continue;
		count += n;
		sum += r.score * n;
		distribution[r.score - 1] = (distribution[r.score - 1] ?? 0) + n;
		if (r.score >= scale - 1) top += n;
		net += npsClass(r.score, scale) * n;
	}
	const share = (n: number) => (count ? Math.round((n / count) * 1000) / 1000 : null);
	return {
		count,
		mean: count ? Math.round((sum / count) * 100) / 100 : null,
		csat: share(top),
		nps: count ? Math.round((net / count) * 1000) / 10 : null,
		distribution,
		extra,
		meaningful: count >= minSample,
	};
}

export function qualityReport(records: readonly RatingRecord[], options: QualityOptions): QualityReport {
	const { scale, timeZone, minSample = MIN_SAMPLE, administratorOf } = options;
	const groups = {
		byWindow: new Map<string, RatingRecord[]>(),
		byService: new Map<string, RatingRecord[]>(),
		byAdministrator: new Map<string, RatingRecord[]>(),
		byDay: new Map<string, RatingRecord[]>(),
		bySource: new Map<string, RatingRecord[]>(),
	};
	const add = (group: Map<string, RatingRecord[]>, key: string, r: RatingRecord) => {
		const list = group.get(key);
		if (list) list.push(r);
		else group.set(key, [r]);
	};
	const unattributed = { window: 0, service: 0, administrator: 0 };
	for (const r of records) {
		const counts = r.extra ? 0 : (r.n ?? 1);
		add(groups.byDay, r.day ?? localDay(r.ts, timeZone), r);
		add(groups.bySource, r.source ?? "button", r);
		if (r.window) add(groups.byWindow, r.window, r);
		else unattributed.window += counts;
		if (r.service) add(groups.byService, r.service, r);
		else unattributed.service += counts;
		const admin = r.window && administratorOf ? administratorOf(r.window, r.ts) : undefined;
		if (admin) add(groups.byAdministrator, admin, r);
		else if (administratorOf) unattributed.administrator += counts;
	}
	const summarise = (group: Map<string, RatingRecord[]>) =>
		Object.fromEntries(
			[...group].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, rs]) => [k, figures(rs, scale, minSample)]),
		);
	return {
		scale,
		minSample,
		all: figures(records, scale, minSample),
		byWindow: summarise(groups.byWindow),
		byService: summarise(groups.byService),
		byAdministrator: summarise(groups.byAdministrator),
		byDay: summarise(groups.byDay),
		bySource: summarise(groups.bySource),
		unattributed,
	};
}

/**
 * The administrator of a window from the centre's `administrators` list (the first listed for
 * that window); undefined for a window nobody is assigned to. Time is accepted for a future
 * schedule of shifts and not used yet.
 */
export function administratorsOf(
	centre: Pick<Centre, "administrators">,
): (window: string, ts: number) => string | undefined {
	const byWindow = new Map<string, string>();
	for (const a of centre.administrators ?? [])
		for (const w of a.windows ?? []) if (!byWindow.has(w)) byWindow.set(w, a.id);
	return (window) => byWindow.get(window);
}
