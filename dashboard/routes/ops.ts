/** Operations: /healthz and /metrics (Prometheus text). */
import type { FastifyInstance } from "fastify";
import type { AppOptions } from "../app.ts";

export async function opsRoutes(app: FastifyInstance, opts: AppOptions) {
	const started = opts.now();
	app.get("/healthz", { schema: { querystring: { type: "object", additionalProperties: false } } }, async () => ({
		status: "ok",
		uptimeS: Math.round((opts.now() - started) / 1000),
		...opts.health?.(),
	}));
	app.get("/metrics", async (_req, reply) => {
		reply.type(opts.registry.contentType);
		return opts.registry.metrics();
	});
}
