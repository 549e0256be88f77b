/**
 * The one guard in front of every route. Each route declares what it needs in its config
 * (`config: { access: "read" }`); a route that declares nothing cannot be registered, so none is
 * left open by being forgotten. Per request: who is signed in (the session's user, read afresh
 * from the users so that a removal or a new password ends the session), then core/roles.ts
 * decides; refusals are 401 (no session; a page redirects to /login instead) or 403, counted by
 * reason. Every state-changing request (not GET, HEAD or OPTIONS) must carry the session's CSRF
 * token — but the residents' public forms, which have no session: they carry a signed single-use
 * form token instead, checked by their route (`formToken: true`, dashboard/formToken.ts). /metrics takes the bearer token given to the hub, or, without one, loopback clients only.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ErrorBody } from "../../core/errorBody.ts";
import { type Need, type Principal, type Refusal, refusal } from "../../core/roles.ts";
import { HTTP_ERRORS, HttpError, type HttpErrorCode } from "../errors.ts";
import type { UserSource } from "../sources.ts";
import type { SessionStore } from "./sessions.ts";

/** What a route needs: a role's need (core/roles.ts), or the metrics scraper's token. */
export type Access = Need | "metrics";
const ACCESS: readonly Access[] = ["public", "signed-in", "read", "change", "admin", "operate", "metrics"];

/** Reasons of `vikno_access_refused_total`. */
export const REFUSALS = ["no_session", "role", "centre", "window", "metrics_token", "not_loopback"] as const;
export type RefusalReason = (typeof REFUSALS)[number];

/** A page answers a request without a session with the sign-in page instead of a 401. */
export type ErrorPage = (req: FastifyRequest, reply: FastifyReply, code: HttpErrorCode, message: string) => unknown;

declare module "fastify" {
	interface FastifyContextConfig {
		/** Who may ask (required on every route). */
		access?: Access;
		/** A page for people: without a session it redirects to the sign-in page. */
		page?: boolean;
		/** Renders this route's client errors for people (the sign-in form) instead of the JSON envelope. */
		errorPage?: ErrorPage;
		/**
		 * A public form anyone may post without a session: instead of the session's CSRF token the
		 * route checks the signed, single-use token its page embedded (dashboard/formToken.ts).
		 */
		formToken?: boolean;
	}
	interface FastifyRequest {
		/** The signed-in user and their session, or null. */
		auth: SignedIn | null;
	}
}

export interface SignedIn {
	user: Principal;
	sessionId: string;
	/**
	 * Whether the session is still good (alive, its user unchanged); if so it counts as used now.
	 * A live stream calls it on every heartbeat.
	 */
	keepAlive(): boolean;
	/** Hear when the session ends (sign-out, expiry); returns the function that stops listening. */
	onEnd(listener: () => void): () => void;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export interface GuardOptions {
	users: UserSource;
	sessions: SessionStore;
	metricsToken?: string | undefined;
	refused: (reason: RefusalReason) => void;
}

export function installGuard(app: FastifyInstance, opts: GuardOptions): void {
	const { users, sessions } = opts;
	app.decorateRequest("auth", null);

	app.addHook("onRoute", (route) => {
		const access = route.config?.access;
		if (!access || !ACCESS.includes(access))
			throw new Error(
				`route ${route.method} ${route.url} must declare config.access (${ACCESS.join(" | ")}): who may ask it`,
			);
		// The route's documented answers include the guard's refusals (/api/openapi.json, the response check).
		const methods = [route.method].flat();
		const schema = (route.schema ?? {}) as { response?: Record<string, unknown> };
		schema.response = withErrors(
			schema.response ?? {},
			guardCodes(
				access,
				!methods.every((m) => SAFE_METHODS.has(m)) && route.config?.formToken !== true,
				route.config?.page === true,
			),
		);
		if (route.config?.page && !schema.response[303])
			schema.response[303] = {
				type: "null",
				description: "Not signed in: to the sign-in page",
				headers: { location: { type: "string" } },
			};
		route.schema = schema;
	});

	const signedIn = async (req: FastifyRequest): Promise<SignedIn | null> => {
		const session = req.session;
		const name = session?.user;
		if (!session || !name) return null;
		const id = session.sessionId;
		const same = () => {
			const account = users.get(name);
			return account !== undefined && account.stamp === session.stamp ? account : undefined;
		};
		const account = same();
		if (!account) {
			// Removed, or a new password since this session began: the session ends here.
			sessions.end(id);
			await session.regenerate();
			return null;
		}
		if (!sessions.touch(id)) return null;
		return {
			user: {
				name: account.name,
				role: account.role,
				centres: account.centres,
				...(account.windows?.length ? { windows: account.windows } : {}),
			},
			sessionId: id,
			keepAlive: () => {
				if (!same()) {
					sessions.end(id);
					return false;
				}
				return sessions.touch(id);
			},
			onEnd: (listener) => sessions.onEnd(id, listener),
		};
	};

	const refuse = (reason: RefusalReason, code: HttpErrorCode, message: string, headers?: Record<string, string>) => {
		opts.refused(reason);
		return new HttpError(code, message, headers);
	};

	const metricsGate = (req: FastifyRequest) => {
		if (opts.metricsToken !== undefined) {
			const given = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "")?.[1];
			if (given === undefined || !sameSecret(given, opts.metricsToken))
				throw refuse("metrics_token", "unauthorized", "GET /metrics needs the hub's metrics token as a bearer token", {
					"www-authenticate": 'Bearer realm="vikno metrics"',
				});
			return;
		}
		if (!isLoopback(req.ip))
			throw refuse(
				"not_loopback",
				"forbidden",
				"/metrics answers only this machine; start the hub with --metrics-token to scrape it from another one",
			);
	};

	app.addHook("onRequest", async (req, reply) => {
		const config = req.routeOptions.config;
		// No such route: the not-found handler answers, whoever asks.
		if (req.routeOptions.url === undefined || !config.access) return;
		req.auth = await signedIn(req);
		if (config.access === "metrics") return metricsGate(req);
		if (config.access !== "public") reply.header("cache-control", "no-store");
		// A page's `centre` is read by its script, which asks the API (guarded) for it.
		// A console (`operate`) is decided by its centre and window, page or not.
		const centre = config.page && config.access !== "operate" ? undefined : centreOf(req);
		const window = (req.params as { window?: unknown } | undefined)?.window;
		const why: Refusal | undefined = refusal(
			req.auth?.user,
			config.access,
			centre,
			typeof window === "string" ? window : undefined,
		);
		if (!why) return;
		if (why === "no_session") {
			if (config.page) {
				opts.refused("no_session");
				return reply.redirect(`/login?next=${encodeURIComponent(req.url)}`, 303);
			}
			throw refuse("no_session", "unauthorized", "sign in first: no session, or it has ended");
		}
		const user = req.auth?.user;
		throw refuse(
			why,
			"forbidden",
			why === "centre"
				? `${user?.name} may not see centre "${centre}"`
				: why === "window"
					? `${user?.name} may not act at window "${String(window)}" of centre "${centre}"`
					: `a ${user?.role} may not ${config.access === "admin" ? "do an administrator's task" : "change anything"}`,
		);
	});

	// After the body is parsed (a form's _csrf), before it is validated: a forged request learns nothing.
	app.addHook("preValidation", (req, reply, done) => {
		if (SAFE_METHODS.has(req.method) || req.routeOptions.url === undefined) return done();
		if (req.routeOptions.config.formToken === true && req.routeOptions.config.access === "public") return done();
		app.csrfProtection(req, reply, done);
	});
}

/** The error codes the guard may answer on a route. */
export function guardCodes(access: Access, unsafe: boolean, page: boolean): HttpErrorCode[] {
	const codes: HttpErrorCode[] = [];
	if (access !== "public" && !page) codes.push("unauthorized");
	if (access === "metrics" || access === "read" || access === "change" || access === "admin" || access === "operate")
		codes.push("forbidden");
	if (unsafe) codes.push("bad_csrf_token");
	return codes;
}

/**
 * `response` with the error envelope's codes added: to an envelope already declared for the
 * status, or as a new one; a status answered otherwise (an HTML page) is left as it is.
 */
export function withErrors(response: Record<string, unknown>, codes: HttpErrorCode[]): Record<string, unknown> {
	const out = { ...response };
	for (const code of codes) {
		const status = String(HTTP_ERRORS[code].status);
		const declared = out[status];
		if (declared === undefined) out[status] = ErrorBody([code]);
		else {
			const known = envelopeCodes(declared);
			if (known && !known.includes(code)) out[status] = ErrorBody([...known, code]);
		}
	}
	return out;
}

/** The codes of an error envelope's schema, or undefined if the schema is something else. */
function envelopeCodes(schema: unknown): string[] | undefined {
	const code = (schema as { properties?: { error?: { properties?: { code?: { enum?: unknown } } } } })?.properties
		?.error?.properties?.code?.enum;
	return Array.isArray(code) ? (code as string[]) : undefined;
}

/** The centre a request names: in its path, or its query (`?centre=`). */
function centreOf(req: FastifyRequest): string | undefined {
	const fromPath = (req.params as { centre?: unknown } | undefined)?.centre;
	if (typeof fromPath === "string") return fromPath;
	const fromQuery = (req.query as { centre?: unknown } | undefined)?.centre;
	return typeof fromQuery === "string" ? fromQuery : undefined;
}

/** Compare two secrets in constant time (of their digests, so lengths do not show). */
function sameSecret(a: string, b: string): boolean {
	const digest = (s: string) => createHash("sha256").update(s).digest();
	return timingSafeEqual(digest(a), digest(b));
}

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6 addresses. */
export function isLoopback(address: string | undefined): boolean {
	if (!address) return false;
	const v4 = address.startsWith("::ffff:") ? address.slice(7) : address;
	return v4.startsWith("127.") || address === "::1";
}
