/**
 * The HTTP surface (fastify): health, metrics, the manager API, the live stream, the public API,
 * the web page, signing in and out, and the OpenAPI document generated from the routes' schemas.
 * Every route declares who may ask it; one guard decides (dashboard/auth/). Built apart from the
 * process entry so tests can `inject()` or listen on port 0.
 */
import { randomBytes } from "node:crypto";
import Fastify, { type FastifyInstance } from "fastify";
import type { Registry } from "prom-client";
import { Counter } from "prom-client";
import type { ErrorBody } from "../core/errorBody.ts";
import type { QrRatingSettings } from "../core/qrRating.ts";
import type { EventStore } from "../store/types.ts";
import type { LockoutPolicy } from "./auth/lockout.ts";
import { registerAuth } from "./auth/plugin.ts";
import { registerSecurityHeaders } from "./auth/security.ts";
import type { SessionTimes } from "./auth/sessions.ts";
import { HTTP_ERRORS, HttpError, type HttpErrorCode, isHttpErrorCode, PLUGIN_ERRORS } from "./errors.ts";
import { FormTokens } from "./formToken.ts";
import { openApi, openApiRoutes } from "./openapi.ts";
import { checkResponses, type ResponseLog } from "./responseCheck.ts";
import { alertRoutes } from "./routes/alertRoutes.ts";
import { apiRoutes } from "./routes/api.ts";
import { boardRoutes } from "./routes/board.ts";
import { deskRoutes } from "./routes/desk.ts";
import { deviceRoutes } from "./routes/devices.ts";
import { exportRoutes } from "./routes/export.ts";
import { feedbackRoutes } from "./routes/feedback.ts";
import { historyRoutes } from "./routes/history.ts";
import { networkRoutes } from "./routes/network.ts";
import { opsRoutes } from "./routes/ops.ts";
import { publicRoutes } from "./routes/public.ts";
import { publicPages } from "./routes/publicPages.ts";
import { publicRateRoutes } from "./routes/publicRate.ts";
import type { HealthFacts } from "./routes/schemas.ts";
import { sessionRoutes } from "./routes/session.ts";
import { signInRoutes } from "./routes/signIn.ts";
import { streamRoutes } from "./routes/stream.ts";
import { webRoutes } from "./routes/web.ts";
import type {
	AlertJournalSource,
	CommandSink,
	DeskSource,
	HallSource,
	ResidentSource,
	SpeechSource,
	UserSource,
} from "./sources.ts";

export interface AppOptions {
	/** The live halls with their estimates, opening hours, best times and alerts. */
	hall: HallSource;
	/** The hub's metrics: /metrics serves it, and the HTTP errors are counted in it. */
	registry: Registry;
	/** The hub's clock (tests and simulations give it another time). */
	now: () => number;
	/** The operator consoles' actions; without it /desk answers 404. */
	desk?: DeskSource;
	/** The hall board's voice (espeak-ng); without it the board speaks with the browser's voice or chimes. */
	speech?: SpeechSource;
	/** The store, for reports and history. */
	store?: EventStore;
	/** The alert journal: alerts raised and resolved, acknowledgements (DATA/alerts.db). */
	journal: AlertJournalSource;
	/** Publish a command to a node through the hub's broker (identify). */
	command: CommandSink;
	/** Who may sign in to the manager side (DATA/users.db through server/users.ts). */
	users: UserSource;
	/** When sessions end: idle (default 30 min) and at the latest (default 12 h after sign-in). */
	sessionTimes?: Partial<SessionTimes>;
	/** Wrong passwords in a row that lock a user name, and for how long (default 5, 15 min). */
	lockout?: Partial<LockoutPolicy>;
	/** Sign-in attempts per minute per address (default 10). */
	signInRateLimit?: number;
	/** The bearer token /metrics requires; without one it answers loopback clients only. */
	metricsToken?: string;
	/**
	 * Is this peer a trusted reverse proxy? Then a request's address (`req.ip`: the public API's
	 * limit, the logs) is taken from its X-Forwarded-For (server/trustProxy.ts). Default: none is.
	 */
	trustProxy?: (address: string) => boolean;
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

/** The code, status and message of an error: ours by their code; a plugin's by its code; the framework's by their status. */
function classify(err: AnyError): { status: number; code: HttpErrorCode; message: string } {
	const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
	if (status >= 500) return { status, code: "internal", message: "internal error" };
	if (err.validation) return { status: 400, code: "bad_request", message: err.message };
	if (isHttpErrorCode(err.code)) return { status, code: err.code, message: err.message };
	const plugin = err.code ? PLUGIN_ERRORS[err.code] : undefined;
	if (plugin) return { status: HTTP_ERRORS[plugin.code].status, ...plugin };
	return { status, code: status === 404 ? "not_found" : "bad_request", message: err.message };
}

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
	const trusted = opts.trustProxy;
	const app = Fastify({
		logger: opts.logger ?? false,
		forceCloseConnections: true,
		trustProxy: trusted ? (address: string) => trusted(address) : false,
	});
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
		const { status, code, message } = classify(err);
		if (status >= 500) req.log.error({ err }, "request failed");
		httpErrors.inc({ status: String(status), code });
		if (err instanceof HttpError) reply.headers(err.headers);
		// A page for people (the sign-in form) shows its own client errors.
		const page = req.routeOptions.config?.errorPage;
		if (page && status < 500) return page(req, reply.status(status), code, message);
		const body: HttpErrorBody = { error: { code, message } };
		return reply.status(status).send(body);
	});
	app.setNotFoundHandler((req, reply) => {
		httpErrors.inc({ status: "404", code: "not_found" });
		const body: HttpErrorBody = { error: { code: "not_found", message: `no route ${req.method} ${req.url}` } };
		return reply.status(404).send(body);
	});

	await registerSecurityHeaders(app);
	const auth = await registerAuth(app, {
		users: opts.users,
		registry: opts.registry,
		now: opts.now,
		sessionTimes: opts.sessionTimes,
		lockout: opts.lockout,
		metricsToken: opts.metricsToken,
	});
	await openApi(app);
	await app.register(openApiRoutes);
	await app.register(signInRoutes, { ...opts, auth });
	await app.register(sessionRoutes, { ...opts, auth });
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
	await app.register(alertRoutes, opts);
	await app.register(deviceRoutes, opts);
	await app.register(networkRoutes, opts);
	await app.register(exportRoutes, opts);
	await app.register(webRoutes, opts);
	await app.register(boardRoutes, opts);
	await app.register(deskRoutes, opts);
	return app;
}
