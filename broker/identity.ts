/**
 * Who a connected MQTT client is. A device (edge node) logs in as `{centre}/{node}`, a service
 * account (a dashboard or ingest process elsewhere) as `service:{name}`; when a hub allows it
 * (the demo, tests on loopback) a client without a user name is `anonymous`.
 */
import type { NodeRole } from "../core/centre.ts";
import { isId } from "../core/ids.ts";

export const SERVICE_PREFIX = "service:";

export type Identity =
	| { kind: "node"; username: string; centre: string; node: string; role: NodeRole }
	/** `centre` limits a service account to one centre; absent = every centre. */
	| { kind: "service"; username: string; name: string; centre?: string | undefined }
	| { kind: "anonymous" };

export type Principal = { kind: "node"; centre: string; node: string } | { kind: "service"; name: string };

export function deviceUsername(centre: string, node: string): string {
	return `${centre}/${node}`;
}

export function serviceUsername(name: string): string {
	return `${SERVICE_PREFIX}${name}`;
}

/** The principal a user name stands for, or undefined when it is of neither form. */
export function parseUsername(username: string): Principal | undefined {
	if (username.startsWith(SERVICE_PREFIX)) {
		const name = username.slice(SERVICE_PREFIX.length);
		return isId(name) ? { kind: "service", name } : undefined;
	}
	const parts = username.split("/");
	if (parts.length !== 2) return undefined;
	const [centre = "", node = ""] = parts;
	return isId(centre) && isId(node) ? { kind: "node", centre, node } : undefined;
}

/** For logs: who it is, without secrets. */
export function describe(identity: Identity | undefined): string {
	if (!identity) return "(not connected)";
	return identity.kind === "anonymous" ? "anonymous" : identity.username;
}
