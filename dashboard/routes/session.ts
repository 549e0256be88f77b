/**
 * The signed-in user's own session:
 *   GET  /api/v1/session           who is signed in, the CSRF token to send with a POST, the expiry
 *   POST /api/v1/session/password  change one's own password (not a viewer); the user's other
 *                                  sessions end, this one goes on
 */
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { AppOptions } from "../app.ts";
import type { SignedIn } from "../auth/guard.ts";
import type { Auth } from "../auth/plugin.ts";
import { errorResponses, HttpError } from "../errors.ts";
import { emptyAnswer, PasswordChange, SessionView } from "./authSchemas.ts";
import { NoQuery } from "./schemas.ts";

/** The guard let the request through only with a session. */
function signedIn(req: FastifyRequest): SignedIn {
	if (!req.auth) throw new HttpError("unauthorized", "sign in first");
	return req.auth;
}

export async function sessionRoutes(fastify: FastifyInstance, opts: AppOptions & { auth: Auth }) {
	const { auth } = opts;
	const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
	const tags = ["manager"];

	app.get(
		"/api/v1/session",
		{
			schema: {
				operationId: "getSession",
				summary: "Who is signed in, and the session's CSRF token",
				tags,
				querystring: NoQuery,
				response: { 200: SessionView, ...errorResponses() },
			},
			config: { access: "signed-in" },
		},
		async (req, reply) => {
			const { user, sessionId } = signedIn(req);
			const expiry = auth.sessions.expiry(sessionId);
			if (!expiry) throw new HttpError("unauthorized", "the session has ended");
			return {
				user: { name: user.name, role: user.role, centres: [...user.centres] },
				csrfToken: reply.generateCsrf(),
				idleExpiresAt: expiry.idleAt,
				expiresAt: expiry.at,
			};
		},
	);

	app.post(
		"/api/v1/session/password",
		{
			schema: {
				operationId: "changePassword",
				summary: "Change one's own password",
				description:
					"JSON {current, password} with x-csrf-token. The user's other sessions end; wrong current passwords " +
					"count towards the lock-out as at sign-in.",
				tags,
				body: PasswordChange,
				response: {
					204: emptyAnswer("Changed"),
					...errorResponses("wrong_password", "locked"),
				},
			},
			config: { access: "change" },
		},
		async (req, reply) => {
			const { user } = signedIn(req);
			const until = auth.lockouts.lockedUntil(user.name);
			if (until !== undefined)
				throw new HttpError("locked", "too many wrong passwords: try again later", {
					"retry-after": String(Math.max(1, Math.ceil((until - opts.now()) / 1000))),
				});
			if (!(await auth.users.check(user.name, req.body.current))) {
				if (auth.lockouts.failed(user.name)) auth.lockedOut();
				throw new HttpError("wrong_password", "the current password is not right");
			}
			auth.lockouts.succeeded(user.name);
			await auth.users.setPassword(user.name, req.body.password);
			// This session goes on with the new password's stamp; the others no longer match.
			req.session.stamp = auth.users.get(user.name)?.stamp;
			return reply.code(204).send(null);
		},
	);
}
