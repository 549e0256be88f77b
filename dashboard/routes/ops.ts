/** Operations: /healthz and /metrics (Prometheus text). */
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import type { AppOptions } from "../app.ts";
import { errorResponses } from "../errors.ts";
import { Health, NoQuery, textAnswer } from "./schemas.ts";

export async function opsRoutes(fastify: FastifyInstance, opts: AppOptions) {
	const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
	const started = opts.now();
	const tags = ["ops"];
	app.get(
		"/healthz",
		{
			schema: {
				operationId: "getHealth",
				summary: "Liveness",
				tags,
				querystring: NoQuery,
				response: { 200: Health, ...errorResponses() },
			},
			config: { access: "public" },
		},
		async () => ({
			status: "ok" as const,
			uptimeS: Math.round((opts.now() - started) / 1000),
			...opts.health?.(),
		}),
	);
	app.get(
		"/metrics",
		{
			schema: {
				operationId: "getMetrics",
				summary: "Prometheus metrics",
				description:
					"With the hub's metrics token as a bearer token (--metrics-token); without a token set, to loopback clients only.",
				tags,
				response: { 200: textAnswer("text/plain", "Prometheus text exposition format 0.0.4"), ...errorResponses() },
			},
			config: { access: "metrics" },
		},
		async (_req, reply) => {
			reply.type(opts.registry.contentType);
			return opts.registry.metrics();
		},
	);
}
