/**
 * Access policy as pure functions, deny by default. The aedes hooks in broker.ts only call
 * these. A node speaks only for itself: it publishes `vikno/v1/{its centre}/{itself}/{kind}`
 * for the kinds its role has, retains only its status, and reads only its own `cmd/#`.
 * A service account reads `vikno/v1/#` and writes the hub's derived state (`…/$hub/…`) and
 * node commands (`…/{node}/cmd/…`). An anonymous client (only when the hub allows it) may do
 * anything a 0.x hub allowed: ingest still validates what it publishes.
 */
import type { NodeRole } from "../core/centre.ts";
import type { Kind } from "../core/contract.ts";
import { ROLE_KINDS } from "../core/decode.ts";
import { HUB_TOPICS } from "../core/hubState.ts";
import { isId } from "../core/ids.ts";
import { HUB_NODE } from "../core/topic.ts";
import type { Identity, Principal } from "./identity.ts";
import type { ConnectRefusal, PublishRefusal, SubscribeRefusal } from "./reasons.ts";

export type Decision<R extends string> = { ok: true } | { ok: false; reason: R; detail: string };

const ROOT = ["vikno", "v1"] as const;
const ALLOW = { ok: true } as const;

function deny<R extends string>(reason: R, detail: string): Decision<R> {
	return { ok: false, reason, detail };
}

export interface PublishFacts {
	retain: boolean;
}

export function canPublish(identity: Identity, topic: string, packet: PublishFacts): Decision<PublishRefusal> {
	if (identity.kind === "anonymous") return ALLOW;
	const levels = topic.split("/");
	if (levels[0] !== ROOT[0] || levels[1] !== ROOT[1]) return deny("foreign_topic", "outside vikno/v1/");
	const [, , centre = "", node = "", kind = ""] = levels;
	if (identity.kind === "node") {
		if (centre !== identity.centre || node !== identity.node || levels.length !== 5)
			return deny("foreign_topic", `a node publishes only vikno/v1/${identity.centre}/${identity.node}/{kind}`);
		if (!(ROLE_KINDS[identity.role] as readonly string[]).includes(kind))
			return deny("kind_not_allowed", `a ${identity.role} node publishes ${ROLE_KINDS[identity.role].join(", ")}`);
		if (packet.retain && (kind as Kind) !== "status")
			return deny("retain_not_allowed", "a node retains only its status");
		return ALLOW;
	}
	// service account
	if (!isId(centre) || (identity.centre !== undefined && centre !== identity.centre))
		return deny("foreign_topic", `a service publishes under vikno/v1/${identity.centre ?? "{centre}"}/`);
	if (node === HUB_NODE && levels.length >= 5) return ALLOW;
	if (isId(node) && kind === "cmd" && levels.length >= 6) {
		return packet.retain ? deny("retain_not_allowed", "commands are events, never retained") : ALLOW;
	}
	return deny("foreign_topic", "a service publishes only …/$hub/… and …/{node}/cmd/…");
}

export function canSubscribe(identity: Identity, filter: string): Decision<SubscribeRefusal> {
	if (identity.kind === "anonymous") return ALLOW;
	const levels = filter.split("/");
	if (identity.kind === "node") {
		const own = [...ROOT, identity.centre, identity.node, "cmd"];
		if (own.every((level, i) => levels[i] === level)) return ALLOW;
		// The hub's state a node may read: exactly `vikno/v1/{its centre}/$hub/{name}` (core/hubState.ts).
		const name = levels[4];
		if (
			levels.length === 5 &&
			levels[2] === identity.centre &&
			levels[3] === HUB_NODE &&
			name !== undefined &&
			Object.hasOwn(HUB_TOPICS, name) &&
			HUB_TOPICS[name as keyof typeof HUB_TOPICS].nodesRead
		)
			return ALLOW;
		return deny(
			"foreign_filter",
			`a node subscribes only under vikno/v1/${identity.centre}/${identity.node}/cmd/ and to its centre's $hub/live`,
		);
	}
	// $SYS statistics are for operators' tools; the first level is literal, so nothing else matches.
	if (levels[0] === "$SYS") return ALLOW;
	const prefix = identity.centre === undefined ? [...ROOT] : [...ROOT, identity.centre];
	return prefix.every((level, i) => levels[i] === level)
		? ALLOW
		: deny("foreign_filter", `a service subscribes only under ${prefix.join("/")}/`);
}

export interface ConnectRequest {
	clientId: string;
	clean: boolean;
	keepalive: number;
	will?: { topic: string; retain: boolean } | undefined;
}

/** What the credential check (registry lookup and password hash, done by the adapter) found. */
export type CredentialCheck =
	| { status: "none" | "unknown" | "revoked" | "bad_password" | "error" }
	| { status: "ok"; username: string; principal: Principal; serviceCentre?: string | undefined };

export interface ConnectPolicy {
	allowAnonymous: boolean;
	/** Largest keep-alive accepted, seconds. */
	maxKeepaliveS: number;
	/** Whether keep-alive 0 (none: a dead connection is never noticed) is accepted. */
	allowKeepaliveZero: boolean;
	/** The role of a configured node, or undefined when the hub does not know it. */
	nodeRole: (centre: string, node: string) => NodeRole | undefined;
}

/** CONNACK return codes of MQTT 3.1.1 §3.2.2.3. */
export type ConnackCode = 1 | 2 | 3 | 4 | 5;

export type ConnectDecision =
	| { ok: true; identity: Identity }
	| { ok: false; reason: ConnectRefusal; returnCode: ConnackCode; detail: string };

const REFUSAL_CODE: Record<ConnectRefusal, ConnackCode> = {
	anonymous: 5,
	unknown_user: 4,
	bad_password: 4,
	revoked: 4,
	unknown_node: 5,
	client_id_mismatch: 2,
	empty_client_id: 2,
	keepalive: 2,
	will_not_authorized: 5,
	registry_error: 3,
	// refused before CONNECT is read; no CONNACK is sent for these
	too_many_connections: 3,
	too_many_from_address: 3,
	rate_limited: 3,
	busy: 3,
	connect_timeout: 3,
	// refused by the frame guard, which answers CONNACK 1 itself (or closes on a wrong name)
	unsupported_protocol: 1,
};

function refuse(reason: ConnectRefusal, detail: string): ConnectDecision {
	return { ok: false, reason, returnCode: REFUSAL_CODE[reason], detail };
}

export function canConnect(req: ConnectRequest, check: CredentialCheck, policy: ConnectPolicy): ConnectDecision {
	// MQTT-3.1.3-8: a server-assigned id cannot carry a session the client could come back to.
	if (req.clientId === "" && !req.clean) return refuse("empty_client_id", "empty client id needs clean session");
	if ((req.keepalive === 0 && !policy.allowKeepaliveZero) || req.keepalive > policy.maxKeepaliveS)
		return refuse(
			"keepalive",
			`keep-alive must be ${policy.allowKeepaliveZero ? 0 : 1}..${policy.maxKeepaliveS} s, got ${req.keepalive}`,
		);

	let identity: Identity;
	switch (check.status) {
		case "none":
			if (!policy.allowAnonymous) return refuse("anonymous", "a user name and password are required");
			identity = { kind: "anonymous" };
			break;
		case "unknown":
			return refuse("unknown_user", "no such user");
		case "revoked":
			return refuse("revoked", "the credential was revoked");
		case "bad_password":
			return refuse("bad_password", "wrong password");
		case "error":
			return refuse("registry_error", "the credentials file cannot be read");
		case "ok": {
			const p = check.principal;
			if (p.kind === "node") {
				const role = policy.nodeRole(p.centre, p.node);
				if (!role) return refuse("unknown_node", `node ${p.centre}/${p.node} is not configured on this hub`);
				if (req.clientId !== check.username)
					return refuse("client_id_mismatch", `client id must be "${check.username}"`);
				identity = { kind: "node", username: check.username, centre: p.centre, node: p.node, role };
			} else {
				if (req.clientId !== check.username && !req.clientId.startsWith(`${check.username}/`))
					return refuse(
						"client_id_mismatch",
						`client id must be "${check.username}" or start with "${check.username}/"`,
					);
				identity = { kind: "service", username: check.username, name: p.name, centre: check.serviceCentre };
			}
		}
	}
	if (req.will) {
		const d = canPublish(identity, req.will.topic, { retain: req.will.retain });
		if (!d.ok) return refuse("will_not_authorized", `will topic "${req.will.topic}": ${d.detail}`);
	}
	return { ok: true, identity };
}
