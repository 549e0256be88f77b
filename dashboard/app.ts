/**
 * The HTTP surface (fastify): health, metrics, the manager API, the live stream and the web page.
 * Built apart from the process entry so tests can `inject()` or listen on port 0.
 */
import Fastify, { type FastifyInstance } from "fastify";
import type { Registry } from "prom-client";
import { Counter } from "prom-client";
import type { EventStore } from "../store/types.ts";
import { apiRoutes } from "./routes/api.ts";
import { historyRoutes } from "./routes/history.ts";
import { opsRoutes } from "./routes/ops.ts";
import { publicRoutes } from "./routes/public.ts";
import { streamRoutes } from "./routes/stream.ts";
import { webRoutes } from "./routes/web.ts";
import type { HallSource } from "./sources.ts";

export interface AppOptions {
	/** The live halls with their estimates, opening hours, best times and alerts. */
	hall: HallSource;
	/** The hub's metrics: /metrics serves it, and the HTTP errors are counted in it. */
	registry: Registry;
	/** The hub's clock (tests and simulations give it another time). */
	now: () => number;
	/** The store, for reports and history. */
	store?: EventStore;
	/** Requests per minute per address on the public API (default 120). */
	publicRateLimit?: number;
	/** Extra facts for /healthz (e.g. MQTT port, store name). */
	health?: () => Record<string, unknown>;
	logger?: boolean;
	/** Interval between SSE heartbeats (comments that keep proxies from closing the stream). */
	heartbeatMs?: number;
}

export interface HttpErrorBody {
	error: { code: string; message: string };
}

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
	const app = Fastify({ logger: opts.logger ?? false, forceCloseConnections: true });
	const httpErrors = new Counter({
		name: "vikno_http_errors_total",
		help: "HTTP requests answered with an error, by status and code",
		labelNames: ["status", "code"] as const,
		registers: [opts.registry],
	});

	// One error handler: client errors say what was wrong; server errors say nothing internal.
	app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown; code?: string }, req, reply) => {
		const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
		let body: HttpErrorBody;
		if (err.validation) body = { error: { code: "bad_request", message: err.message } };
		else if (status < 500) body = { error: { code: err.code ?? "bad_request", message: err.message } };
		else {
			req.log.error({ err }, "request failed");
			body = { error: { code: "internal", message: "internal error" } };
		}
		httpErrors.inc({ status: String(status), code: body.error.code });
		return reply.status(status).send(body);
	});
	app.setNotFoundHandler((req, reply) => {
		httpErrors.inc({ status: "404", code: "not_found" });
		return reply.status(404).send({ error: { code: "not_found", message: `no route ${req.method} ${req.url}` } });
	});

	await app.register(opsRoutes, opts);
	await app.register(apiRoutes, opts);
	await app.register(streamRoutes, opts);
	await app.register(publicRoutes, opts);
	await app.register(historyRoutes, opts);
	await app.register(webRoutes, opts);
	return app;
}
