/**
 * Signing in and out (pages for people, not JSON):
 *   GET  /login   the form, with a CSRF token bound to a new session that holds only its secret
 *   POST /login   check the password → a new session (its id changed: no fixation) → `next`;
 *                 wrong → the form again (401), locked name → 423, too many from the address → 429
 *   POST /logout  end the session on the hub (a live stream with it closes) → the form
 * The form's failures are pages too (the route's `errorPage`), counted in vikno_sign_ins_total.
 */
import rateLimit from "@fastify/rate-limit";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance, FastifyReply } from "fastify";
import { ErrorBody } from "../../core/errorBody.ts";
import type { AppOptions } from "../app.ts";
import type { ErrorPage } from "../auth/guard.ts";
import { type Auth, SESSION_COOKIE } from "../auth/plugin.ts";
import { type SignInLang, type SignInNotice, safeNext, signInPage } from "../auth/signInPage.ts";
import { errorResponses, type HttpErrorCode } from "../errors.ts";
import { redirectAnswer, SignInForm, SignInQuery, SignOutForm } from "./authSchemas.ts";
import { textAnswer } from "./schemas.ts";

const html = (description: string) => textAnswer("text/html", description);
const langOf = (value: unknown): SignInLang => (value === "en" ? "en" : "uk");

/** The notice the form shows for an error answered on its route. */
const NOTICE: Partial<Record<HttpErrorCode, SignInNotice["kind"]>> = {
	rate_limited: "rateLimited",
	bad_csrf_token: "expired",
	bad_request: "missing",
};

export async function signInRoutes(fastify: FastifyInstance, opts: AppOptions & { auth: Auth }) {
	const { auth } = opts;
	const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
	const tags = ["sign-in"];
	const timeZone = [...opts.hall.centres.values()][0]?.centre.timeZone ?? "Europe/Kyiv";
	const clock = (at: number, lang: SignInLang) =>
		new Intl.DateTimeFormat(lang === "uk" ? "uk-UA" : "en-GB", { timeStyle: "short", timeZone }).format(at);

	await app.register(rateLimit, {
		global: false,
		errorResponseBuilder: (_req, ctx) => ({
			statusCode: 429,
			code: "rate_limited",
			message: `too many sign-in requests: at most ${ctx.max} a minute from one address; try again in ${ctx.after}`,
		}),
	});

	const page = (reply: FastifyReply, form: { lang: SignInLang; next: string; user?: string; notice?: SignInNotice }) =>
		reply.type("text/html; charset=utf-8").send(
			signInPage({
				...form,
				csrfToken: reply.generateCsrf(),
				styleNonce: reply.cspNonce.style,
			}),
		);

	/** The form again, saying what went wrong, for errors answered on POST /login. */
	const formAgain: ErrorPage = (req, reply, code) => {
		const body = (req.body ?? {}) as Partial<SignInForm>;
		const kind = NOTICE[code] ?? "missing";
		if (code === "rate_limited") auth.signIn("rate_limited");
		if (code === "bad_csrf_token") auth.signIn("bad_csrf_token");
		return page(reply, {
			lang: langOf(body.lang),
			next: safeNext(body.next),
			...(typeof body.user === "string" ? { user: body.user.slice(0, 64) } : {}),
			notice: { kind } as SignInNotice,
		});
	};

	app.get(
		"/login",
		{
			schema: {
				operationId: "getSignIn",
				summary: "The sign-in page",
				tags,
				querystring: SignInQuery,
				response: {
					200: html("The sign-in form (HTML)"),
					303: redirectAnswer("Signed in already: on to `next`"),
					400: html("A malformed address: the form, in Ukrainian"),
					429: html("Too many requests from this address: the form, saying so"),
					500: ErrorBody(["internal"]),
				},
			},
			config: {
				access: "public",
				errorPage: (_req, reply, code) =>
					page(reply, {
						lang: "uk",
						next: "/",
						...(code === "rate_limited" ? { notice: { kind: "rateLimited" } } : {}),
					}),
				// Each visit stores a session for the form's CSRF secret: bounded per address.
				rateLimit: { max: 60, timeWindow: "1 minute" },
			},
		},
		async (req, reply) => {
			const next = safeNext(req.query.next);
			if (req.auth) return reply.redirect(next, 303);
			return page(reply, {
				lang: langOf(req.query.lang),
				next,
				...(req.query.out ? { notice: { kind: "signedOut" } } : {}),
			});
		},
	);

	app.post(
		"/login",
		{
			schema: {
				operationId: "signIn",
				summary: "Sign in with a user name and password (the form)",
				description:
					"A form (application/x-www-form-urlencoded) with the CSRF token of GET /login. On success a new session " +
					"cookie and a redirect to `next`; otherwise the form again. After 5 wrong passwords in a row a user name " +
					"is locked for 15 minutes; an address may try 10 times a minute.",
				tags,
				consumes: ["application/x-www-form-urlencoded"],
				body: SignInForm,
				response: {
					303: redirectAnswer("Signed in: on to `next`, with the session cookie"),
					400: html("A field missing: the form again"),
					401: html("Wrong user name or password: the form again"),
					403: html("No or a wrong CSRF token (the form had expired): the form again"),
					423: html("The user name is locked after too many wrong passwords: the form, saying until when"),
					429: html("Too many attempts from this address: the form, saying so"),
					500: ErrorBody(["internal"]),
				},
			},
			config: {
				access: "public",
				errorPage: formAgain,
				rateLimit: { max: opts.signInRateLimit ?? 10, timeWindow: "1 minute" },
			},
		},
		async (req, reply) => {
			const form = req.body;
			const lang = langOf(form.lang);
			const next = safeNext(form.next);
			const name = form.user.trim().toLowerCase();
			const again = (status: 401 | 423, notice: SignInNotice) =>
				page(reply.code(status), { lang, next, user: form.user, notice });
			const locked = (until: number) => {
				reply.header("retry-after", String(Math.max(1, Math.ceil((until - opts.now()) / 1000))));
				return again(423, { kind: "locked", until: clock(until, lang) });
			};

			const lockedUntil = auth.lockouts.lockedUntil(name);
			if (lockedUntil !== undefined) {
				auth.signIn("locked");
				return locked(lockedUntil);
			}
			const account = await auth.users.check(name, form.password);
			if (!account) {
				auth.signIn("wrong");
				if (!auth.lockouts.failed(name)) return again(401, { kind: "wrong" });
				auth.lockedOut();
				return locked(auth.lockouts.lockedUntil(name) ?? opts.now());
			}
			auth.lockouts.succeeded(name);
			// A new session id at sign-in: one planted before (session fixation) is worth nothing.
			await req.session.regenerate();
			req.session.user = account.name;
			req.session.stamp = account.stamp;
			auth.signIn("ok");
			return reply.redirect(next, 303);
		},
	);

	app.post(
		"/logout",
		{
			schema: {
				operationId: "signOut",
				summary: "Sign out: the session ends on the hub",
				description: "With the CSRF token as the form's _csrf or as x-csrf-token. A live stream of the session closes.",
				tags,
				consumes: ["application/x-www-form-urlencoded", "application/json"],
				body: SignOutForm,
				response: { 303: redirectAnswer("Signed out: to the sign-in page"), ...errorResponses() },
			},
			config: { access: "signed-in" },
		},
		async (req, reply) => {
			await req.session.destroy();
			reply.clearCookie(SESSION_COOKIE, { path: "/" });
			const lang = langOf(req.body.lang);
			return reply.redirect(`/login?out=1${lang === "en" ? "&lang=en" : ""}`, 303);
		},
	);
}
