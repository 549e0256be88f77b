/** Request and answer shapes of sign-in, sign-out and the session (TypeBox, as routes/schemas.ts). */
import Type, { type Static } from "typebox";
import { PrincipalSchema } from "../../core/roles.ts";

const lang = Type.Optional(Type.Enum(["uk", "en"], { description: "Language of the page: uk (default) or en" }));
const next = Type.Optional(
	Type.String({ maxLength: 2000, description: "Where to go after signing in: a path on this hub (default /)" }),
);
const csrf = Type.String({
	maxLength: 200,
	description: "The CSRF token of the sign-in form (or of GET /api/v1/session)",
});

export const SignInQuery = Type.Object(
	{ next, lang, out: Type.Optional(Type.Enum(["1"], { description: "1: say that the user signed out" })) },
	{ additionalProperties: false },
);

export const SignInForm = Type.Object(
	{
		user: Type.String({ minLength: 1, maxLength: 64, description: "User name (case does not matter)" }),
		password: Type.String({ minLength: 1, maxLength: 1024 }),
		_csrf: csrf,
		next,
		lang,
	},
	{ additionalProperties: false },
);
export type SignInForm = Static<typeof SignInForm>;

export const SignOutForm = Type.Object(
	{ _csrf: Type.Optional(csrf), lang },
	{ additionalProperties: false, description: "The token may come as the form's _csrf or as x-csrf-token" },
);

export const SessionView = Type.Object(
	{
		user: PrincipalSchema,
		csrfToken: Type.String({ description: "Send as x-csrf-token (or a form's _csrf) with every POST" }),
		idleExpiresAt: Type.Integer({ description: "When the session ends if not used before, epoch ms" }),
		expiresAt: Type.Integer({ description: "When the session ends at the latest, epoch ms" }),
	},
	{ description: "Who is signed in, and this session's CSRF token and expiry" },
);

export const PasswordChange = Type.Object(
	{
		current: Type.String({ minLength: 1, maxLength: 1024, description: "The password now" }),
		password: Type.String({ minLength: 12, maxLength: 1024, description: "The new password, at least 12 characters" }),
	},
	{ additionalProperties: false },
);

/** An answer without a body that sends the browser on (`location`). */
export function redirectAnswer(description: string) {
	return {
		type: "null",
		description,
		headers: { location: { type: "string", description: "Where to go" } },
	} as const;
}

/** An answer without a body. */
export function emptyAnswer(description: string) {
	return { type: "null", description } as const;
}
