/** Topics of wire contract v1: `vikno/v1/{centre}/{node}/{kind}`. */
import { isKind, type Kind } from "./contract.ts";
import { isId } from "./ids.ts";

export const TOPIC_ROOT = "vikno/v1";
/** The pseudo-node under which the hub publishes derived state (`$` keeps it apart from node ids). */
export const HUB_NODE = "$hub";

export function eventTopic(centre: string, node: string, kind: Kind): string {
	return `${TOPIC_ROOT}/${centre}/${node}/${kind}`;
}

export function hubTopic(centre: string, name: string): string {
	return `${TOPIC_ROOT}/${centre}/${HUB_NODE}/${name}`;
}

export function commandTopic(centre: string, node: string, command: string): string {
	return `${TOPIC_ROOT}/${centre}/${node}/cmd/${command}`;
}

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
