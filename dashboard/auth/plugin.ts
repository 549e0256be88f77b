/**
 * Sign-in for the manager side, from the fastify ecosystem's plugins: @fastify/cookie and
 * @fastify/session (sessions kept by the hub, dashboard/auth/sessions.ts), @fastify/formbody (the
 * sign-in form), @fastify/csrf-protection (a token bound to the session on every state-changing
 * request). The guard (guard.ts) decides per route who may ask. Registered on the app's root
 * before any route, so every route is behind it.
 */
import { randomBytes } from "node:crypto";
import cookie from "@fastify/cookie";
import csrf from "@fastify/csrf-protection";
import formbody from "@fastify/formbody";
import session from "@fastify/session";
import type { FastifyInstance } from "fastify";
import { Counter, Gauge, type Registry } from "prom-client";
import type { UserSource } from "../sources.ts";
import { installGuard, REFUSALS } from "./guard.ts";
import { LOCKOUT, type LockoutPolicy, Lockouts } from "./lockout.ts";
import { SESSION_TIMES, SessionStore, type SessionTimes } from "./sessions.ts";

/** The session cookie's name. */
export const SESSION_COOKIE = "vikno_session";

declare module "fastify" {
	/** What a session holds besides the cookie's options. */
	interface Session {
		/** The signed-in user's name. */
		user?: string;
		/** The user's stamp at sign-in (it changes with the password). */
		stamp?: string;
		/** The CSRF secret (@fastify/csrf-protection). */
		_csrf?: string;
	}
}

export interface AuthOptions {
	users: UserSource;
	registry: Registry;
	now: () => number;
	sessionTimes?: Partial<SessionTimes> | undefined;
	lockout?: Partial<LockoutPolicy> | undefined;
	metricsToken?: string | undefined;
}

/** What the sign-in routes and the live stream use. */
export interface Auth {
	users: UserSource;
	sessions: SessionStore;
	lockouts: Lockouts;
	/** Count a sign-in attempt by its result. */
	signIn(result: SignInResult): void;
	/** Count a lock-out that began. */
	lockedOut(): void;
}

export const SIGN_IN_RESULTS = ["ok", "wrong", "locked", "rate_limited", "bad_csrf_token"] as const;
export type SignInResult = (typeof SIGN_IN_RESULTS)[number];

export async function registerAuth(app: FastifyInstance, opts: AuthOptions): Promise<Auth> {
	const sessions = new SessionStore({ ...SESSION_TIMES, ...opts.sessionTimes }, opts.now);
	const lockouts = new Lockouts({ ...LOCKOUT, ...opts.lockout }, opts.now);
	const sweep = setInterval(() => sessions.sweep(), 15_000);
	sweep.unref();
	app.addHook("onClose", async () => clearInterval(sweep));

	await app.register(cookie);
	await app.register(session, {
		// Sessions live in this process only, so a secret of this process signs their cookies.
		secret: randomBytes(32).toString("base64url"),
		cookieName: SESSION_COOKIE,
		store: sessions,
		// A session is stored once it holds something (a sign-in form's CSRF secret, a user).
		saveUninitialized: false,
		// The guard marks a session used on each request; the cookie need not be sent again.
		rolling: false,
		cookie: {
			path: "/",
			httpOnly: true,
			sameSite: "lax",
			// Secure when the request came over TLS (directly, or through a proxy the hub trusts:
			// --trust-proxy, X-Forwarded-Proto). No maxAge: the cookie ends with the browser, the
			// session earlier on the hub's side.
			secure: "auto",
		},
	});
	await app.register(formbody);
	await app.register(csrf, { sessionPlugin: "@fastify/session" });

	const signIns = new Counter({
		name: "vikno_sign_ins_total",
		help: "Sign-in attempts at POST /login by result (ok, wrong, locked, rate_limited, bad_csrf_token)",
		labelNames: ["result"] as const,
		registers: [opts.registry],
	});
	for (const result of SIGN_IN_RESULTS) signIns.inc({ result }, 0);
	const lockoutsBegun = new Counter({
		name: "vikno_sign_in_lockouts_total",
		help: "User names locked after too many wrong passwords",
		registers: [opts.registry],
	});
	const refused = new Counter({
		name: "vikno_access_refused_total",
		help: "Requests the sign-in guard refused, by reason",
		labelNames: ["reason"] as const,
		registers: [opts.registry],
	});
	for (const reason of REFUSALS) refused.inc({ reason }, 0);
	new Gauge({
		name: "vikno_sessions",
		help: "Sessions alive: signed_in, or anonymous (a sign-in form's CSRF secret)",
		labelNames: ["state"] as const,
		registers: [opts.registry],
		collect() {
			sessions.sweep();
			const n = sessions.count((s) => typeof s.user === "string");
			this.set({ state: "signed_in" }, n.signedIn);
			this.set({ state: "anonymous" }, n.anonymous);
		},
	});

	installGuard(app, {
		users: opts.users,
		sessions,
		metricsToken: opts.metricsToken,
		refused: (reason) => refused.inc({ reason }),
	});

	return {
		users: opts.users,
		sessions,
		lockouts,
		signIn: (result) => signIns.inc({ result }),
		lockedOut: () => lockoutsBegun.inc(),
	};
}
