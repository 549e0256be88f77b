/**
 * Who may see and do what on the manager side (DESIGN.md, HTTP): the roles as a table and the
 * access policy as pure functions, deny by default — as broker/acl.ts does for devices. The
 * dashboard's request guard only calls these; `vikno user` stores one role per user.
 */
import Type, { type Static } from "typebox";

/** The roles, what each is for, and what each may do beyond reading its centres. */
export const ROLES = {
	admin: {
		allCentres: true,
		changes: true,
		administers: true,
		operatesAll: true,
		description: "every centre, devices and users",
	},
	manager: {
		allCentres: false,
		changes: true,
		administers: false,
		operatesAll: true,
		description: "the centres named for the user",
	},
	operator: {
		allCentres: false,
		changes: false,
		administers: false,
		operatesAll: false,
		description: "an administrator at a PC: reads the centres of their windows, acts only at their windows' consoles",
	},
	viewer: {
		allCentres: false,
		changes: false,
		administers: false,
		operatesAll: false,
		description: "read-only view of the centres named (e.g. a wall screen)",
	},
} as const satisfies Record<
	string,
	{ allCentres: boolean; changes: boolean; administers: boolean; operatesAll: boolean; description: string }
>;

export type Role = keyof typeof ROLES;
export const ROLE_NAMES = Object.keys(ROLES) as Role[];
export const RoleSchema = Type.Enum(ROLE_NAMES, { description: "admin | manager | operator | viewer" });

export function isRole(value: unknown): value is Role {
	return typeof value === "string" && Object.hasOwn(ROLES, value);
}

/** A user name: lower case, digits and `.` `_` `@` `-` (an e-mail address fits), 1–64 characters. */
export const USER_NAME_PATTERN = "^[a-z0-9][a-z0-9._@-]{0,63}$";
const USER_NAME = new RegExp(USER_NAME_PATTERN);

export function isUserName(value: string): boolean {
	return USER_NAME.test(value);
}

/** The signed-in user as the policy sees it. An admin's `centres` are ignored (all of them). */
export interface Principal {
	name: string;
	role: Role;
	centres: readonly string[];
	/** An operator's windows, as "centre/window" (the consoles they may act at). */
	windows?: readonly string[] | undefined;
}

export const PrincipalSchema = Type.Object(
	{
		name: Type.String({ description: "User name" }),
		role: RoleSchema,
		centres: Type.Array(Type.String(), { description: "Centres the user may see (empty for an admin: every one)" }),
		windows: Type.Optional(
			Type.Array(Type.String(), { description: 'An operator\'s windows, "centre/window": the consoles they act at' }),
		),
	},
	{ description: "The signed-in user" },
);
export type PrincipalView = Static<typeof PrincipalSchema>;

/** What a route needs (declared on every route; dashboard/auth/guard.ts). */
export type Need =
	/** anyone, no session */
	| "public"
	/** any signed-in user (their own session: who am I, sign out) */
	| "signed-in"
	/** read a centre's data: the user must see the centre named in the request, if one is */
	| "read"
	/** change something of a centre: not a viewer, and the centre as for read */
	| "change"
	/** devices, users, the whole hub */
	| "admin"
	/** act at a window's console (`/desk/{centre}/{window}`): that window's operator, a manager of the centre, an admin */
	| "operate";

export type Refusal = "no_session" | "role" | "centre" | "window";

/** May this user act at this window's console? An operator only at their own windows. */
export function canOperate(user: Principal, centre: string, window: string): boolean {
	if (ROLES[user.role].operatesAll) return canView(user, centre);
	return user.role === "operator" && (user.windows ?? []).includes(`${centre}/${window}`);
}

/** May this user see this centre? */
export function canView(user: Principal, centre: string): boolean {
	return ROLES[user.role].allCentres || user.centres.includes(centre);
}

/** The centres this user sees among those the hub has. */
export function visibleCentres(user: Principal, all: Iterable<string>): string[] {
	return [...all].filter((c) => canView(user, c));
}

/**
 * The decision for one request: undefined when allowed, else why not. `centre` is the centre the
 * request names (path or query), if any. Deny by default: an unknown need refuses.
 */
export function refusal(
	user: Principal | undefined,
	need: Need,
	centre?: string,
	window?: string,
): Refusal | undefined {
	if (need === "public") return undefined;
	if (!user) return "no_session";
	const role = ROLES[user.role];
	if (!role) return "role";
	switch (need) {
		case "signed-in":
			return undefined;
		case "read":
			return centre === undefined || canView(user, centre) ? undefined : "centre";
		case "change":
			if (!role.changes) return "role";
			return centre === undefined || canView(user, centre) ? undefined : "centre";
		case "admin":
			return role.administers ? undefined : "role";
		case "operate":
			if (!role.operatesAll && user.role !== "operator") return "role";
			if (centre === undefined || window === undefined) return "window";
			if (!canView(user, centre) && !(user.windows ?? []).some((w) => w.startsWith(`${centre}/`))) return "centre";
			return canOperate(user, centre, window) ? undefined : "window";
		default:
			return "role";
	}
}
