/**
 * The network of centres and a centre's best times, on the manager side:
 *   GET /api/v1/network                        every centre the user sees, side by side
 *   GET /api/v1/centres/{centre}/best-times     the weekday × hour table of the last 8 weeks
 * The network view is an admin's (a department head's); best times are any reader's.
 */
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { visibleCentres } from "../../core/roles.ts";
import type { AppOptions } from "../app.ts";
import { errorResponses, unknownCentre } from "../errors.ts";
import { networkRow } from "../network.ts";
import type { HallSource } from "../sources.ts";
import { ManagerBestTimes, Network, type NetworkRow } from "./managerSchemas.ts";
import { CentreParams, NoQuery } from "./schemas.ts";

/** The rows of these centres, in the hub's order. */
export function networkRows(hall: HallSource, centres: readonly string[]): NetworkRow[] {
	const rows: NetworkRow[] = [];
	for (const id of centres) {
		const v = hall.view(id);
		const index = hall.centres.get(id);
		if (!v || !index) continue;
		rows.push(networkRow(v, index.centre.timeZone, hall.alerts(id), hall.opening(id)?.open ?? null));
	}
	return rows;
}

export async function networkRoutes(fastify: FastifyInstance, opts: AppOptions) {
	const { hall } = opts;
	const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
	const tags = ["manager"];

	app.get(
		"/api/v1/network",
		{
			schema: {
				operationId: "getNetwork",
				summary: "All centres side by side (admin)",
				description:
					"Per centre: open, waiting now (priority), the longest wait, services over target, windows open and " +
					"busy, hall occupancy, served and rating today, active and critical alerts.",
				tags,
				querystring: NoQuery,
				response: { 200: Network, ...errorResponses() },
			},
			config: { access: "admin" },
		},
		async (req) => {
			const user = req.auth?.user;
			const centres = user ? visibleCentres(user, hall.centres.keys()) : [];
			return { at: opts.now(), centres: networkRows(hall, centres) };
		},
	);

	app.get(
		"/api/v1/centres/:centre/best-times",
		{
			schema: {
				operationId: "getBestTimes",
				summary: "Load and waits per weekday and hour (the last 8 weeks)",
				tags,
				params: CentreParams,
				querystring: NoQuery,
				response: { 200: ManagerBestTimes, ...errorResponses("unknown_centre") },
			},
			config: { access: "read" },
		},
		async (req) => {
			const best = hall.bestTimes(req.params.centre);
			if (!best) throw unknownCentre(req.params.centre);
			return { centre: req.params.centre, ...(await best) };
		},
	);
}
