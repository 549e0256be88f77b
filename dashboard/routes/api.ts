/** Manager API, version 1: behind sign-in; a manager or viewer sees only their centres (dashboard/auth/guard.ts). */
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { LiveView } from "../../core/liveView.ts";
import { canView } from "../../core/roles.ts";
import type { AppOptions } from "../app.ts";
import { errorResponses, unknownCentre } from "../errors.ts";
import { activeAlerts } from "./alertRoutes.ts";
import { ActiveAlerts } from "./managerSchemas.ts";
import { CentreParams, Centres } from "./schemas.ts";

export async function apiRoutes(fastify: FastifyInstance, { hall, journal }: AppOptions) {
	const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
	const tags = ["manager"];

	app.get(
		"/api/v1/centres",
		{
			schema: {
				operationId: "listCentres",
				summary: "Configured centres and their services",
				tags,
				response: { 200: Centres, ...errorResponses() },
			},
			config: { access: "read" },
		},
		async (req) => ({
			centres: [...hall.centres.values()]
				.filter(({ centre }) => req.auth && canView(req.auth.user, centre.id))
				.map(({ centre }) => ({
					id: centre.id,
					name: centre.name,
					timeZone: centre.timeZone,
					services: centre.services.map((s) => ({ id: s.id, name: s.name, targetWaitMin: s.targetWaitMin })),
					windows: centre.windows.length,
					ratingScale: centre.ratingScale,
					zones: centre.zones.map((z) => ({ id: z.id, name: z.name ?? null, capacity: z.capacity })),
					administrators: (centre.administrators ?? []).map((a) => ({
						id: a.id,
						name: a.name ?? null,
						windows: a.windows ?? [],
					})),
				})),
		}),
	);

	app.get(
		"/api/v1/centres/:centre/live",
		{
			schema: {
				operationId: "getLive",
				summary: "A centre's live hall",
				description: "People waiting per service with the estimated wait, window states, occupancy, ratings today",
				tags,
				params: CentreParams,
				response: { 200: LiveView, ...errorResponses("unknown_centre") },
			},
			config: { access: "read" },
		},
		async (req) => {
			const view = hall.view(req.params.centre);
			if (!view) throw unknownCentre(req.params.centre);
			return view;
		},
	);

	app.get(
		"/api/v1/centres/:centre/alerts",
		{
			schema: {
				operationId: "getAlerts",
				summary: "A centre's active alerts",
				description: "The active set, and the alert journal's records of it with their acknowledgements",
				tags,
				params: CentreParams,
				response: { 200: ActiveAlerts, ...errorResponses("unknown_centre") },
			},
			config: { access: "read" },
		},
		async (req) => {
			if (!hall.centres.has(req.params.centre)) throw unknownCentre(req.params.centre);
			return activeAlerts(hall, journal, req.params.centre);
		},
	);
}
