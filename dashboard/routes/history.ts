/**
 * Manager reports over the store (sign-in arrives with the dashboard; until then these answer
 * without it): service quality and service levels of a local day, and time-bucketed history.
 *   GET /api/v1/centres/{centre}/quality?from=YYYY-MM-DD&to=YYYY-MM-DD
 *   GET /api/v1/centres/{centre}/service-levels?from=…&to=…
 *   GET /api/v1/centres/{centre}/history?measurement=…&field=…&from=…&to=…&step=…&groupBy=…
 * Days are the centre's local days in its time zone, `to` inclusive; default: today (by the hub's clock).
 */
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import type { CentreIndex } from "../../core/centre.ts";
import { administratorsOf, qualityReport, ratingRecord } from "../../core/quality.ts";
import { queueRecord, serviceLevels } from "../../core/serviceLevels.ts";
import { addDays, daysBetween, isDate, localDay, midnight } from "../../core/time.ts";
import type { EventStore } from "../../store/types.ts";
import type { AppOptions } from "../app.ts";
import { errorResponses, HttpError, unknownCentre } from "../errors.ts";
import { CentreParams, DayRange, History, HistoryQuery, Quality, ServiceLevels } from "./schemas.ts";

/** Longest span one request may cover, so a report stays a quick read. */
const MAX_DAYS = 92;

class BadRange extends HttpError {
	constructor(message: string) {
		super("bad_request", message);
	}
}

/** Local days [from, to] → epoch ms [start, end). */
export function span(index: CentreIndex, q: { from?: string; to?: string }, now: number) {
	const zone = index.centre.timeZone;
	const today = localDay(now, zone);
	const from = q.from ?? q.to ?? today;
	const to = q.to ?? q.from ?? today;
	if (!isDate(from) || !isDate(to)) throw new BadRange(`from/to must be real dates, got ${q.from} / ${q.to}`);
	if (to < from) throw new BadRange(`to (${q.to}) is before from (${q.from})`);
	if (daysBetween(from, to) >= MAX_DAYS) throw new BadRange(`at most ${MAX_DAYS} days in one request`);
	return { from, to, fromTs: midnight(from, zone), toTs: midnight(addDays(to, 1), zone) };
}

async function events(store: EventStore, centre: string, fromTs: number, toTs: number, kind: string) {
	return (await store.readRange(centre, fromTs, toTs)).filter((e) => e.kind === kind);
}

export async function historyRoutes(fastify: FastifyInstance, opts: AppOptions) {
	const { hall, store } = opts;
	if (!store) return;
	const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
	const tags = ["manager"];
	const index = (centre: string) => {
		const i = hall.centres.get(centre);
		if (!i) throw unknownCentre(centre);
		return i;
	};

	app.get(
		"/api/v1/centres/:centre/quality",
		{
			schema: {
				operationId: "getQuality",
				summary: "Service quality from the rating buttons over local days",
				tags,
				params: CentreParams,
				querystring: DayRange,
				response: { 200: Quality, ...errorResponses("unknown_centre") },
			},
		},
		async (req) => {
			const i = index(req.params.centre);
			const s = span(i, req.query, opts.now());
			const ratings = await events(store, i.centre.id, s.fromTs, s.toTs, "rating");
			const admins = administratorsOf(i.centre);
			return {
				centre: i.centre.id,
				from: s.from,
				to: s.to,
				...qualityReport(
					ratings.map((e) => ratingRecord(e.ts, e.data)),
					{ scale: i.centre.ratingScale, timeZone: i.centre.timeZone, administratorOf: admins },
				),
			};
		},
	);

	app.get(
		"/api/v1/centres/:centre/service-levels",
		{
			schema: {
				operationId: "getServiceLevels",
				summary: "Service levels per service and local day",
				tags,
				params: CentreParams,
				querystring: DayRange,
				response: { 200: ServiceLevels, ...errorResponses("unknown_centre") },
			},
		},
		async (req) => {
			const i = index(req.params.centre);
			const s = span(i, req.query, opts.now());
			const queue = await events(store, i.centre.id, s.fromTs, s.toTs, "queue");
			return {
				centre: i.centre.id,
				from: s.from,
				to: s.to,
				levels: serviceLevels(
					queue.map((e) => queueRecord(e.ts, e.data, e.derived)),
					i.centre,
				),
			};
		},
	);

	app.get(
		"/api/v1/centres/:centre/history",
		{
			schema: {
				operationId: "getHistory",
				summary: "One field of a measurement in time buckets",
				tags,
				params: CentreParams,
				querystring: HistoryQuery,
				response: { 200: History, ...errorResponses("unknown_centre") },
			},
		},
		async (req) => {
			const i = index(req.params.centre);
			const s = span(i, req.query, opts.now());
			const q = req.query;
			const rows = await store.query({
				centre: i.centre.id,
				measurement: q.measurement,
				field: q.field,
				fromTs: s.fromTs,
				toTs: s.toTs,
				step: q.step ?? "1h",
				timeZone: i.centre.timeZone,
				...(q.groupBy ? { groupBy: q.groupBy } : {}),
				...(q.event ? { where: { event: q.event } } : {}),
			});
			return { centre: i.centre.id, from: s.from, to: s.to, step: q.step ?? "1h", rows };
		},
	);
}
