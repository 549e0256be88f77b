/**
 * The one error envelope of vikno's HTTP APIs — the hub's (dashboard/) and the edge node's queue
 * bridge (edge/bridge.ts): `{"error":{"code","message"}}`, `code` from the API's registry
 * (dashboard/errors.ts, edge/errors.ts; both documented in docs/errors.md), `message` for people.
 */
import Type, { type Static } from "typebox";

/** The envelope's schema with the codes an answer may carry. */
export function ErrorBody<const C extends string>(codes: readonly C[]) {
	return Type.Object(
		{
			error: Type.Object({
				code: Type.Enum(codes, { description: "What went wrong, from the registry in docs/errors.md" }),
				message: Type.String({ description: "What went wrong, for people" }),
			}),
		},
		{ description: "An error: {error: {code, message}}" },
	);
}

export type ErrorBody<C extends string = string> = Static<ReturnType<typeof ErrorBody<C>>>;
