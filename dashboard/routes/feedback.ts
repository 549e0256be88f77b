/**
 * Visitors' comments for the centre's managers (a signed-in user who sees the centre): what
 * residents wrote after a QR rating. Never in the public API or over MQTT.
 *   GET /api/v1/centres/{centre}/comments?from=YYYY-MM-DD&to=YYYY-MM-DD
 */
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import type { AppOptions } from "../app.ts";
import { errorResponses, unknownCentre } from "../errors.ts";
import { span } from "../reports.ts";
import { CentreParams, Comments, DayRange } from "./schemas.ts";

export async function feedbackRoutes(fastify: FastifyInstance, opts: AppOptions) {
	const { hall, residents } = opts;
	if (!residents) return;
	const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
	app.get(
		"/api/v1/centres/:centre/comments",
		{
			schema: {
				operationId: "getComments",
				summary: "Visitors' comments left after a QR rating, over local days",
				description: "Newest first, at most 1000; each with the window, service, ticket and score of its rating.",
				tags: ["manager"],
				params: CentreParams,
				querystring: DayRange,
				response: { 200: Comments, ...errorResponses("unknown_centre") },
			},
			config: { access: "read" },
		},
		async (req) => {
			const index = hall.centres.get(req.params.centre);
			if (!index) throw unknownCentre(req.params.centre);
			const s = span(index, req.query, opts.now());
			return {
				centre: index.centre.id,
				from: s.from,
				to: s.to,
				comments: residents.comments.list(index.centre.id, s.fromTs, s.toTs).map((c) => ({
					at: c.at,
					window: c.window,
					service: c.service,
					ticket: c.ticket,
					score: c.score,
					text: c.text,
				})),
			};
		},
	);
}
