/**
 * vikno's identities and access policy in mosquitto's own files, for a country on an external
 * mosquitto (`vikno device export --mosquitto`): the ACL file (`acl_file`, mosquitto.conf(5)) and
 * the password file (`password_file`, mosquitto_passwd(1)). Text only; the command writes them.
 *
 * The ACL says what acl.ts says, as far as mosquitto's language can: a node publishes only its own
 * topics (the kinds of its role when the centre files are given) and reads its own `cmd/#` and its
 * centre's `$hub/live`; a service account reads `vikno/v1/#` (or its centre's) and writes commands
 * and `$hub` state. mosquitto cannot say "retain only the status" or check the client id; ingest
 * still refuses what a node's role may not send (`wrong_role`).
 */
import { pbkdf2Sync, randomBytes } from "node:crypto";
import type { NodeRole } from "../core/centre.ts";
import { ROLE_KINDS } from "../core/decode.ts";
import { HUB_TOPICS } from "../core/hubState.ts";
import { HUB_NODE, TOPIC_ROOT } from "../core/topic.ts";
import { SERVICE_PREFIX } from "./identity.ts";
import type { DeviceRecord } from "./registry.ts";

/**
 * mosquitto's password file splits a line at the first ':' and mosquitto_passwd refuses one in a
 * user name, so a service account `service:NAME` is `service.NAME` there ('.' is in no vikno id,
 * and a node's name always has a '/': neither can be mistaken for the other).
 */
export function mosquittoUsername(username: string): string {
	return username.startsWith(SERVICE_PREFIX) ? `service.${username.slice(SERVICE_PREFIX.length)}` : username;
}

export interface AclOptions {
	/** A configured node's role; without it a node may publish any kind on its own topics. */
	role?: (centre: string, node: string) => NodeRole | undefined;
	/** Written into the file's header. */
	source: string;
	now: Date;
}

/** The ACL file for the active credentials; nodes the centre files do not know are left out (listed in the header). */
export function mosquittoAcl(records: readonly DeviceRecord[], opts: AclOptions): { text: string; skipped: string[] } {
	const live = (Object.keys(HUB_TOPICS) as (keyof typeof HUB_TOPICS)[]).filter((t) => HUB_TOPICS[t].nodesRead);
	const blocks: string[] = [];
	const skipped: string[] = [];
	for (const r of [...records].sort((a, b) => a.username.localeCompare(b.username))) {
		if (r.revoked) continue;
		if (r.kind === "node" && r.centre && r.node) {
			const own = `${TOPIC_ROOT}/${r.centre}/${r.node}`;
			let writes = [`${own}/+`];
			if (opts.role) {
				const role = opts.role(r.centre, r.node);
				if (!role) {
					skipped.push(r.username);
					continue;
				}
				writes = ROLE_KINDS[role].map((kind) => `${own}/${kind}`);
			}
			blocks.push(
				[
					`user ${r.username}`,
					...writes.map((t) => `topic write ${t}`),
					`topic read ${own}/cmd/#`,
					...live.map((name) => `topic read ${TOPIC_ROOT}/${r.centre}/${HUB_NODE}/${name}`),
				].join("\n"),
			);
		} else if (r.kind === "service") {
			const scope = r.centre ? `${TOPIC_ROOT}/${r.centre}` : `${TOPIC_ROOT}/+`;
			blocks.push(
				[
					`user ${mosquittoUsername(r.username)}`,
					`topic read ${r.centre ? scope : TOPIC_ROOT}/#`,
					"topic read $SYS/#",
					`topic write ${scope}/${HUB_NODE}/#`,
					`topic write ${scope}/+/cmd/#`,
				].join("\n"),
			);
		}
	}
	const header = [
		`# mosquitto ACL written by \`vikno device export --mosquitto\` from ${opts.source}`,
		`# at ${opts.now.toISOString()}. Write it again after vikno device add/revoke; edits here are lost.`,
		"# Everything not allowed below is denied (mosquitto's acl_file).",
		...(skipped.length ? [`# left out, not in the centre files: ${skipped.join(", ")}`] : []),
	];
	return { text: `${[header.join("\n"), ...blocks].join("\n\n")}\n`, skipped };
}

/**
 * mosquitto 2's PBKDF2-SHA512 entry, `$7$ITERATIONS$SALT$HASH` (base64; 12-byte salt, 64-byte hash),
 * as mosquitto_passwd writes it. Its default of 101 iterations is kept: the passwords are 192
 * random bits (passwords.ts), which no iteration count would make easier or harder to guess,
 * while every connect of 30 000 devices pays for the iterations on the broker.
 */
export function mosquittoHash(password: string, iterations = 101, salt = randomBytes(12)): string {
	const hash = pbkdf2Sync(password, salt, iterations, 64, "sha512");
	return `$7$${iterations}$${salt.toString("base64")}$${hash.toString("base64")}`;
}

/** The password file's lines, `user:hash`, for credentials that were just issued. */
export function mosquittoPasswd(entries: readonly { username: string; password: string }[]): string {
	return entries.map((e) => `${mosquittoUsername(e.username)}:${mosquittoHash(e.password)}\n`).join("");
}
