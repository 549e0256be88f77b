/**
 * The public API for residents and the city website's widget: no login, no personal data (no
 * ticket numbers), CORS open, cacheable, rate-limited per address.
 * `GET /api/public/v1/centres/{centre}/wait` → per service people waiting and the estimated
 * wait with its range, open/closed with the next change, and the best times to visit.
 */
import rateLimit from "@fastify/rate-limit";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Counter } from "prom-client";
import type { AppOptions } from "../app.ts";
import { errorResponses, unknownCentre } from "../errors.ts";
import { CentreParams, PublicWait } from "./schemas.ts";

/** Answers are computed at most this often per centre and may be cached this long by browsers and proxies. */
const MAX_AGE_S = 15;

export async function publicRoutes(fastify: FastifyInstance, opts: AppOptions) {
	const { hall } = opts;
	const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
	await app.register(rateLimit, {
		global: false,
		// Thrown to the app's one error handler, which answers {"error":{"code":"rate_limited",…}}.
		errorResponseBuilder: (_req, ctx) => ({
			statusCode: 429,
			code: "rate_limited",
			message: `too many requests: at most ${ctx.max} a minute from one address; try again in ${ctx.after}`,
		}),
	});
	const cache = new Map<string, { at: number; body: PublicWait }>();
	// Every answer of the public API by status (its 5xx share is a Prometheus alert; 429s show the limit biting).
	const answered = new Counter({
		name: "vikno_public_responses_total",
		help: "Answers of the public API (/api/public/…) by HTTP status",
		labelNames: ["status"] as const,
		registers: [opts.registry],
	});
	answered.inc({ status: "200" }, 0);
	answered.inc({ status: "500" }, 0);
	app.addHook("onResponse", async (_req, reply) => {
		answered.inc({ status: String(reply.statusCode) });
	});

	app.get(
		"/api/public/v1/centres/:centre/wait",
		{
			schema: {
				operationId: "getPublicWait",
				summary: "Waiting times of a centre for residents",
				description:
					"Per service the people waiting and the estimated wait with its range, open or closed with the next " +
					`change, the hall's load and the best times to come. Cached for ${MAX_AGE_S} s, CORS open, ` +
					"rate-limited per address.",
				tags: ["public"],
				params: CentreParams,
				response: { 200: PublicWait, ...errorResponses("unknown_centre", "rate_limited") },
			},
			config: { access: "public", rateLimit: { max: opts.publicRateLimit ?? 120, timeWindow: "1 minute" } },
			// A city's website may load it from another origin.
			helmet: { crossOriginResourcePolicy: { policy: "cross-origin" } },
		},
		async (req, reply) => {
			const { centre } = req.params;
			reply.header("access-control-allow-origin", "*");
			reply.header("cache-control", `public, max-age=${MAX_AGE_S}`);
			const hit = cache.get(centre);
			const now = opts.now();
			if (hit && now - hit.at < MAX_AGE_S * 1000) return hit.body;

			const view = hall.view(centre);
			const opening = hall.opening(centre);
			if (!view || !opening) throw unknownCentre(centre);
			const best = await hall.bestTimes(centre)?.catch(() => null);
			const body: PublicWait = {
				centre,
				name: view.name,
				at: view.at,
				open: {
					now: opening.open,
					nextChange: opening.nextChange,
					today: opening.today,
					holiday: opening.holiday,
				},
				services: view.services.map((s) => ({
					id: s.id,
					name: s.name,
					waiting: s.waiting,
					targetWaitMin: s.targetWaitMin,
					estimate: s.estimate ?? null,
					...(s.noEstimate ? { noEstimate: s.noEstimate } : {}),
				})),
				hall: view.zones.map((z) => ({ id: z.id, load: Math.round(z.load * 100) / 100 })),
				bestTimes: best
					? {
							from: best.from,
							to: best.to,
							hours: best.cells.map((c) => ({ weekday: c.weekday, hour: c.hour, label: c.label, waitMin: c.waitMin })),
						}
					: null,
			};
			cache.set(centre, { at: now, body });
			return body;
		},
	);
}
