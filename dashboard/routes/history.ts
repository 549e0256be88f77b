/**
 * Manager reports over the store, behind sign-in (a manager or viewer: their centres only):
 * service quality and service levels of a local day, and time-bucketed history.
 *   GET /api/v1/centres/{centre}/quality?from=YYYY-MM-DD&to=YYYY-MM-DD
 *   GET /api/v1/centres/{centre}/service-levels?from=…&to=…
 *   GET /api/v1/centres/{centre}/history?measurement=…&field=…&from=…&to=…&step=…&groupBy=…
 *   GET /api/v1/centres/{centre}/trends?from=…&to=…&step=…   (visits, waits, occupancy, ratings per bucket)
 * The computations are shared with the CSV export (dashboard/reports.ts).
 * Days are the centre's local days in its time zone, `to` inclusive; default: today (by the hub's clock).
 */
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import type { AppOptions } from "../app.ts";
import { errorResponses, unknownCentre } from "../errors.ts";
import { maxDays, qualityOf, serviceLevelsOf, span, trendsOf } from "../reports.ts";
import { Trends, TrendsQuery } from "./managerSchemas.ts";
import { CentreParams, DayRange, History, HistoryQuery, Quality, ServiceLevels } from "./schemas.ts";

export async function historyRoutes(fastify: FastifyInstance, opts: AppOptions) {
	const { hall, store } = opts;
	if (!store) return;
	const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
	const tags = ["manager"];
	const max = maxDays(store);
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
			config: { access: "read" },
		},
		async (req) => {
			const i = index(req.params.centre);
			return qualityOf(store, i, span(i, req.query, opts.now(), max));
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
			config: { access: "read" },
		},
		async (req) => {
			const i = index(req.params.centre);
			return serviceLevelsOf(store, i, span(i, req.query, opts.now(), max));
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
			config: { access: "read" },
		},
		async (req) => {
			const i = index(req.params.centre);
			const s = span(i, req.query, opts.now(), max);
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

	app.get(
		"/api/v1/centres/:centre/trends",
		{
			schema: {
				operationId: "getTrends",
				summary: "Visits, waits, service times, occupancy and ratings in time buckets",
				description:
					"One row per bucket of `step` (default 1h; 1d buckets are local days), empty buckets included: " +
					"tickets called (visits) with their mean and P90 wait, tickets finished with mean and P90 service " +
					"time, mean and highest hall occupancy, ratings and their mean.",
				tags,
				params: CentreParams,
				querystring: TrendsQuery,
				response: { 200: Trends, ...errorResponses("unknown_centre") },
			},
			config: { access: "read" },
		},
		async (req) => {
			const i = index(req.params.centre);
			return trendsOf(store, i, span(i, req.query, opts.now(), max), req.query.step ?? "1h");
		},
	);
}
