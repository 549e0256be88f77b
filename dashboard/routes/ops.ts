/** Operations: /healthz and /metrics (Prometheus text). */
import type { FastifyInstance } from "fastify";
import type { AppOptions } from "../app.ts";

export async function opsRoutes(app: FastifyInstance, opts: AppOptions) {
	const started = Date.now();
	app.get("/healthz", { schema: { querystring: { type: "object", additionalProperties: false } } }, async () => ({
		status: "ok",
		uptimeS: Math.round((Date.now() - started) / 1000),
		...opts.health?.(),
	}));
	app.get("/metrics", async (_req, reply) => {
		reply.type(opts.metrics.registry.contentType);
		return opts.metrics.registry.metrics();
	});
}
