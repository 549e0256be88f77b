/**
 * Topics of wire contract v1 — `vikno/v1/{centre}/{node}/{kind}` (node → hub),
 * `…/{node}/cmd/{name}` (hub → node) and `…/$hub/{name}` (the hub's state) — and which payload
 * each carries (`TopicPayload`), as zigbee2mqtt's `lib/types/api.ts` maps its topics.
 */
import type { CommandName, CommandOf } from "./commands.ts";
import { isKind, type Kind, type PayloadOf } from "./contract.ts";
import type { HubStateOf, HubTopicName } from "./hubState.ts";
import { isId } from "./ids.ts";

export const TOPIC_ROOT = "vikno/v1";
/** The pseudo-node under which the hub publishes derived state (`$` keeps it apart from node ids). */
export const HUB_NODE = "$hub";

export function eventTopic(centre: string, node: string, kind: Kind): string {
	return `${TOPIC_ROOT}/${centre}/${node}/${kind}`;
}

export function hubTopic(centre: string, name: HubTopicName): string {
	return `${TOPIC_ROOT}/${centre}/${HUB_NODE}/${name}`;
}

/** `vikno/v1/{centre}/{node}/cmd`: the level under which a node's commands arrive. */
export function commandPrefix(centre: string, node: string): string {
	return `${TOPIC_ROOT}/${centre}/${node}/cmd`;
}

export function commandTopic(centre: string, node: string, command: CommandName): string {
	return `${commandPrefix(centre, node)}/${command}`;
}

/**
 * Every topic of the contract below `vikno/v1/{centre}/`, with the type of its payload — made
 * from the three tables (core/contract.ts KINDS, core/commands.ts COMMANDS, core/hubState.ts
 * HUB_TOPICS), never written out by hand.
 */
export type TopicPayload = { [K in Kind as `{node}/${K}`]: PayloadOf[K] } & {
	[C in CommandName as `{node}/cmd/${C}`]: CommandOf[C];
} & { [H in HubTopicName as `$hub/${H}`]: HubStateOf[H] };

export type ParsedTopic = { ok: true; centre: string; node: string; kind: Kind } | { ok: false; detail: string };

export function parseEventTopic(topic: string): ParsedTopic {
	const parts = topic.split("/");
	if (parts.length !== 5 || `${parts[0]}/${parts[1]}` !== TOPIC_ROOT) {
		return { ok: false, detail: `topic "${topic}" is not of the form ${TOPIC_ROOT}/{centre}/{node}/{kind}` };
	}
	const [, , centre = "", node = "", kind = ""] = parts;
	if (!isId(centre)) return { ok: false, detail: `centre id "${centre}" must match [a-z0-9][a-z0-9-]{0,31}` };
	if (!isId(node)) return { ok: false, detail: `node id "${node}" must match [a-z0-9][a-z0-9-]{0,31}` };
	if (!isKind(kind)) {
		return { ok: false, detail: `kind "${kind}" is not one of rating, queue, occupancy, status, request` };
	}
	return { ok: true, centre, node, kind };
}
