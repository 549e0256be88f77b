/**
 * The dashboard's users (dashboard/sources.ts `UserSource`) over the user store
 * (store/users.ts), with passwords hashed and checked in the devices' scrypt format
 * (broker/passwords.ts): one way to keep a secret, wherever it is kept.
 */
import { createHash, randomBytes } from "node:crypto";
import { hashPassword, verifyPassword } from "../broker/passwords.ts";
import type { UserAccount, UserSource } from "../dashboard/sources.ts";
import type { UserRecord, UserStore } from "../store/users.ts";

/** A short digest of the hash: it changes with the password, and tells nothing of it. */
const stampOf = (hash: string) => createHash("sha256").update(hash).digest("base64url").slice(0, 22);

const accountOf = (r: UserRecord): UserAccount => ({
	name: r.name,
	role: r.role,
	centres: r.centres,
	...(r.windows.length ? { windows: r.windows } : {}),
	stamp: stampOf(r.hash),
});

export function userSource(store: UserStore): UserSource {
	// Checked against for a name that does not exist, so it takes as long as a real one.
	let decoy: Promise<string> | undefined;
	return {
		get: (name) => {
			const r = store.get(name);
			return r && accountOf(r);
		},
		async check(name, password) {
			const r = store.get(name);
			if (!r) {
				decoy ??= hashPassword(randomBytes(16).toString("base64url"));
				await verifyPassword(password, await decoy);
				return undefined;
			}
			return (await verifyPassword(password, r.hash)) ? accountOf(r) : undefined;
		},
		async setPassword(name, password) {
			return store.setHash(name, await hashPassword(password));
		},
	};
}
