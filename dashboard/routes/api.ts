/** Manager API, version 1. (Sign-in arrives with the dashboard; until then these answer without it.) */
import type { FastifyInstance } from "fastify";
import { ID_PATTERN } from "../../core/ids.ts";
import type { AppOptions } from "../app.ts";

export const centreParams = {
	type: "object",
	properties: { centre: { type: "string", pattern: ID_PATTERN } },
	required: ["centre"],
	additionalProperties: false,
} as const;

export class UnknownCentre extends Error {
	readonly statusCode = 404;
	readonly code = "unknown_centre";
	constructor(centre: string) {
		super(`centre "${centre}" is not configured on this hub`);
	}
}

export async function apiRoutes(app: FastifyInstance, { hall }: AppOptions) {
	app.get("/api/v1/centres", async () => ({
		centres: [...hall.centres.values()].map(({ centre }) => ({
			id: centre.id,
			name: centre.name,
			timeZone: centre.timeZone,
			services: centre.services.map((s) => ({ id: s.id, name: s.name, targetWaitMin: s.targetWaitMin })),
			windows: centre.windows.length,
		})),
	}));

	app.get<{ Params: { centre: string } }>(
		"/api/v1/centres/:centre/live",
		{ schema: { params: centreParams } },
		async (req) => {
			const view = hall.view(req.params.centre);
			if (!view) throw new UnknownCentre(req.params.centre);
			return view;
		},
	);

	app.get<{ Params: { centre: string } }>(
		"/api/v1/centres/:centre/alerts",
		{ schema: { params: centreParams } },
		async (req) => {
			if (!hall.centres.has(req.params.centre)) throw new UnknownCentre(req.params.centre);
			return { centre: req.params.centre, alerts: hall.alerts(req.params.centre) };
		},
	);
}
