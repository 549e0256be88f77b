/**
 * The HTTP surface (fastify): health, metrics, the manager API, the live stream, the public API,
 * the web page and the OpenAPI document generated from the routes' schemas. Built apart from the
 * process entry so tests can `inject()` or listen on port 0.
 */
import { randomBytes } from "node:crypto";
import Fastify, { type FastifyInstance } from "fastify";
import type { Registry } from "prom-client";
import { Counter } from "prom-client";
import type { ErrorBody } from "../core/errorBody.ts";
import type { QrRatingSettings } from "../core/qrRating.ts";
import type { EventStore } from "../store/types.ts";
import { type HttpErrorCode, isHttpErrorCode, RetryLater } from "./errors.ts";
import { FormTokens } from "./formToken.ts";
import { openApi, openApiRoutes } from "./openapi.ts";
import { checkResponses, type ResponseLog } from "./responseCheck.ts";
import { apiRoutes } from "./routes/api.ts";
import { feedbackRoutes } from "./routes/feedback.ts";
import { historyRoutes } from "./routes/history.ts";
import { opsRoutes } from "./routes/ops.ts";
import { publicRoutes } from "./routes/public.ts";
import { publicPages } from "./routes/publicPages.ts";
import { publicRateRoutes } from "./routes/publicRate.ts";
import type { HealthFacts } from "./routes/schemas.ts";
import { streamRoutes } from "./routes/stream.ts";
import { webRoutes } from "./routes/web.ts";
import type { HallSource, ResidentSource } from "./sources.ts";

export interface AppOptions {
	/** The live halls with their estimates, opening hours, best times and alerts. */
	hall: HallSource;
	/** The hub's metrics: /metrics serves it, and the HTTP errors are counted in it. */
	registry: Registry;
	/** The hub's clock (tests and simulations give it another time). */
	now: () => number;
	/** The store, for reports and history. */
	store?: EventStore;
	/** Requests per minute per address on the public API (default 120); false lifts the limit (benchmarks). */
	publicRateLimit?: number | false;
	/** The residents' side: tickets, QR ratings, comments (without it those routes answer 404). */
	residents?: ResidentSource;
	/** Limits of rating by QR code (default core/qrRating.ts QR_RATING); the address's is applied here. */
	qrRating?: Partial<QrRatingSettings>;
	/** Secret for the public forms' tokens (dashboard/formToken.ts), at least 16 bytes; default: a random one per process. */
	formSecret?: Buffer;
	/** Extra facts for /healthz (e.g. MQTT port, store name). */
	health?: () => HealthFacts;
	logger?: boolean;
	/** Interval between SSE heartbeats (comments that keep proxies from closing the stream). */
	heartbeatMs?: number;
	/**
	 * Check every answer against its route's response schema, extra and missing fields included,
	 * and write each check here (dashboard/responseCheck.ts). For tests and debugging: it costs a
	 * validation per answer.
	 */
	checkResponses?: ResponseLog;
}

/** What the residents' routes get: the app's options and the one signer of the public forms' tokens. */
export interface ResidentOptions extends AppOptions {
	forms: FormTokens;
}

export type HttpErrorBody = ErrorBody<HttpErrorCode>;

type AnyError = Error & { statusCode?: number; validation?: unknown; code?: string };

/** The code and status of an error: ours by their code; the framework's by their status. */
function classify(err: AnyError): { status: number; code: HttpErrorCode } {
	const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
	if (status >= 500) return { status, code: "internal" };
	if (err.validation) return { status: 400, code: "bad_request" };
	if (isHttpErrorCode(err.code)) return { status, code: err.code };
	return { status, code: status === 404 ? "not_found" : "bad_request" };
}

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
	const app = Fastify({ logger: opts.logger ?? false, forceCloseConnections: true });
	const httpErrors = new Counter({
		name: "vikno_http_errors_total",
		help: "HTTP requests answered with an error, by status and code",
		labelNames: ["status", "code"] as const,
		registers: [opts.registry],
	});
	if (opts.checkResponses) checkResponses(app, opts.checkResponses);

	// One error handler, one envelope (docs/errors.md, "HTTP errors"): client errors say what was
	// wrong; server errors say nothing internal.
	app.setErrorHandler((err: AnyError, req, reply) => {
		const { status, code } = classify(err);
		if (status >= 500) req.log.error({ err }, "request failed");
		const body: HttpErrorBody = { error: { code, message: status >= 500 ? "internal error" : err.message } };
		httpErrors.inc({ status: String(status), code });
		if (err instanceof RetryLater) reply.header("retry-after", String(err.retryAfterS));
		return reply.status(status).send(body);
	});
	app.setNotFoundHandler((req, reply) => {
		httpErrors.inc({ status: "404", code: "not_found" });
		const body: HttpErrorBody = { error: { code: "not_found", message: `no route ${req.method} ${req.url}` } };
		return reply.status(404).send(body);
	});

	await openApi(app);
	await app.register(openApiRoutes);
	await app.register(opsRoutes, opts);
	await app.register(apiRoutes, opts);
	await app.register(streamRoutes, opts);
	// One signer of the public forms' tokens for the pages that issue them and the routes that take them.
	const residentOpts: ResidentOptions = {
		...opts,
		forms: new FormTokens(opts.formSecret ?? randomBytes(32), opts.now),
	};
	await app.register(publicRoutes, residentOpts);
	await app.register(publicRateRoutes, residentOpts);
	await app.register(publicPages, residentOpts);
	await app.register(feedbackRoutes, opts);
	await app.register(historyRoutes, opts);
	await app.register(webRoutes, opts);
	return app;
}
