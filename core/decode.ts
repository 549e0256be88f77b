/**
 * decode(topic, bytes) → a typed event, or a typed rejection with a reason and a detail
 * a person can act on. Pure: the centres it knows are passed in.
 *
 * The event holds only the fields of its kind's schema (`KNOWN_FIELDS`): unknown extra fields are
 * dropped, never fatal, so nothing a node adds on its own — a visitor's name, a phone number — is
 * stored or forwarded by accident.
 */
import type { CentreIndex, NodeRole } from "./centre.ts";
import {
	isWireEvent,
	type Kind,
	KNOWN_FIELDS,
	MAX_PAYLOAD_BYTES,
	payloadProblems,
	type QueueEventType,
	type WireEvent,
} from "./contract.ts";
import { occupancyProblem } from "./plausibility.ts";
import type { RejectReason } from "./reasons.ts";
import { parseEventTopic } from "./topic.ts";

/**
 * `text`: the payload as text, which parses to exactly `event.data` — the bytes as received when
 * nothing was dropped, else the known fields serialised again. `dropped`: how many unknown fields
 * were left out.
 */
export type Decoded =
	| { ok: true; event: WireEvent; text: string; dropped: number }
	| { ok: false; reason: RejectReason; detail: string };

/** Which kinds each node role may publish (DESIGN.md's "published by" column). */
export const ROLE_KINDS: Record<NodeRole, readonly Kind[]> = {
	window: ["rating", "queue", "status", "request"],
	terminal: ["queue", "status"],
	door: ["occupancy", "status"],
};

/** Which queue events each role may publish: the terminal issues tickets, windows do the rest. */
export const ROLE_QUEUE_EVENTS: Record<NodeRole, readonly QueueEventType[]> = {
	window: ["called", "started", "finished", "no_show", "cancelled", "transferred"],
	terminal: ["issued"],
	door: [],
};

const utf8 = new TextDecoder("utf-8", { fatal: true });

export interface DecodeOptions {
	/** Look up a configured centre; undefined → `unknown_centre`. */
	centre: (id: string) => CentreIndex | undefined;
	maxBytes?: number;
}

function reject(reason: RejectReason, detail: string): Decoded {
	return { ok: false, reason, detail };
}

/**
 * Topics that parsed, by text: a hub sees a few per node, over and over. Bounded; cleared when
 * full (a flood of made-up topics only costs the parse again).
 */
const topics = new Map<string, ReturnType<typeof parseEventTopic>>();
const MAX_TOPICS = 10_000;

function parseTopic(topic: string): ReturnType<typeof parseEventTopic> {
	let t = topics.get(topic);
	if (t) return t;
	t = parseEventTopic(topic);
	if (t.ok) {
		if (topics.size >= MAX_TOPICS) topics.clear();
		topics.set(topic, t);
	}
	return t;
}

export function decode(topic: string, bytes: Uint8Array, opts: DecodeOptions): Decoded {
	const t = parseTopic(topic);
	if (!t.ok) return reject("bad_topic", t.detail);
	const max = opts.maxBytes ?? MAX_PAYLOAD_BYTES;
	if (bytes.byteLength > max) return reject("too_large", `payload is ${bytes.byteLength} bytes, the limit is ${max}`);

	let value: unknown;
	let text: string;
	try {
		text = utf8.decode(bytes);
		value = JSON.parse(text);
	} catch (e) {
		return reject("not_json", `payload is not UTF-8 JSON: ${(e as Error).message}`);
	}
	if (typeof value !== "object" || value === null || Array.isArray(value)) {
		return reject("not_json", `payload must be a JSON object, got ${Array.isArray(value) ? "an array" : typeof value}`);
	}

	// Only the contract's fields go on; the schema leaves the others free, so this drops nothing it checks.
	const known = knownFields(value as Record<string, unknown>, KNOWN_FIELDS[t.kind]);
	const event = { kind: t.kind, centre: t.centre, node: t.node, data: known.data };
	if (!isWireEvent(event)) return reject("schema", `${t.kind} payload: ${payloadProblems(t.kind, known.data)}`);

	const index = opts.centre(t.centre);
	if (!index) return reject("unknown_centre", `centre "${t.centre}" is not configured on this hub`);
	const node = index.nodes.get(t.node);
	if (!node) return reject("unknown_node", `node "${t.node}" is not in centre "${t.centre}"`);
	if (!ROLE_KINDS[node.role].includes(t.kind)) {
		return reject("wrong_role", `node "${t.node}" is a ${node.role} node and may not publish ${t.kind}`);
	}

	if (event.kind === "queue" && !ROLE_QUEUE_EVENTS[node.role].includes(event.data.event)) {
		return reject(
			"wrong_role",
			`node "${t.node}" is a ${node.role} node and may not publish queue "${event.data.event}"`,
		);
	}
	const problem = checkRefs(event, index) ?? checkAttribution(event, index) ?? checkPlausible(event, index);
	if (problem) return problem;
	return { ok: true, event, text: known.dropped === 0 ? text : JSON.stringify(known.data), dropped: known.dropped };
}

/** The payload with only the fields its kind knows, in the sender's order (the same object when none is dropped). */
function knownFields(
	value: Record<string, unknown>,
	known: ReadonlySet<string>,
): { data: Record<string, unknown>; dropped: number } {
	let dropped = 0;
	for (const key in value) if (!known.has(key)) dropped++;
	if (dropped === 0) return { data: value, dropped };
	const data: Record<string, unknown> = {};
	for (const key in value) if (known.has(key)) data[key] = value[key];
	return { data, dropped };
}

/** References inside the payload must exist in the centre; values must fit its settings. */
function checkRefs(e: WireEvent, index: CentreIndex): Decoded | undefined {
	const where = `centre "${e.centre}"`;
	switch (e.kind) {
		case "rating": {
			const scale = index.centre.ratingScale;
			if (e.data.score > scale)
				return reject("schema", `rating payload: /score ${e.data.score} is above the centre's scale 1..${scale}`);
			return undefined;
		}
		case "queue": {
			if (!index.services.has(e.data.service))
				return reject("unknown_ref", `service "${e.data.service}" is not in ${where}`);
			if (e.data.event !== "issued" && e.data.window === undefined) {
				return reject("schema", `queue payload: /window is required for "${e.data.event}"`);
			}
			if (e.data.window !== undefined && !index.windows.has(e.data.window)) {
				return reject("unknown_ref", `window "${e.data.window}" is not in ${where}`);
			}
			if (e.data.event === "transferred") {
				const to = e.data.to;
				if (to === undefined) return reject("schema", 'queue payload: /to is required for "transferred"');
				if (!index.services.has(to)) return reject("unknown_ref", `service "${to}" (/to) is not in ${where}`);
				if (to === e.data.service)
					return reject("schema", `queue payload: /to "${to}" is the service the ticket is transferred from`);
			}
			if (e.data.priority !== undefined && !index.centre.priorityCategories.includes(e.data.priority)) {
				return reject("unknown_ref", `priority "${e.data.priority}" is not a priority category of ${where}`);
			}
			return undefined;
		}
		case "occupancy": {
			if (!index.zones.has(e.data.zone)) return reject("unknown_ref", `zone "${e.data.zone}" is not in ${where}`);
			const hasCount = e.data.count !== undefined;
			const hasDelta = e.data.in !== undefined || e.data.out !== undefined;
			if (hasCount === hasDelta) return reject("schema", "occupancy payload: give either /count or /in and /out");
			return undefined;
		}
		default:
			return undefined;
	}
}

/**
 * The hub attributes an event from the topic and the centre's layout, never from what a node
 * claims: a window node's queue events name its own window, and a ticket issue names none.
 */
function checkAttribution(e: WireEvent, index: CentreIndex): Decoded | undefined {
	if (e.kind !== "queue" || e.data.window === undefined) return undefined;
	const own = index.nodes.get(e.node)?.window;
	if (e.data.event === "issued")
		return reject("wrong_window", `queue "issued" names window "${e.data.window}": a ticket issue has no window`);
	if (own !== undefined && e.data.window !== own)
		return reject(
			"wrong_window",
			`node "${e.node}" is at window "${own}" and may not publish queue events of window "${e.data.window}"`,
		);
	return undefined;
}

/** Values beyond what the centre can hold (core/plausibility.ts). */
function checkPlausible(e: WireEvent, index: CentreIndex): Decoded | undefined {
	if (e.kind !== "occupancy") return undefined;
	const zone = index.zones.get(e.data.zone);
	const problem = zone ? occupancyProblem(e.data, zone.capacity) : undefined;
	return problem ? reject("implausible", `occupancy payload: ${problem}`) : undefined;
}
