/**
 * The faults a fleet (fleet.ts) can inject, and the events and malformed messages its nodes send.
 * Pure: the fleet draws the chances from its seeded generator and does the I/O.
 *
 * Each fault is one the field produces: an outbox resending what it sent before its PUBACK was
 * lost (duplicates), a node replaying its outbox after newer events went live (out of order), a
 * broken firmware or a cloned device (malformed), a Raspberry Pi without a battery clock or NTP
 * (clock skew), a Wi-Fi access point restarting under a hall of nodes (a disconnect storm:
 * `Fleet.sever`). The
 * hub must keep the counts exact under each: `test/integration/sim-faults.test.ts`.
 */
import { DEFAULT_CLOCK_POLICY } from "../core/clock.ts";
import { eventTopic } from "../core/topic.ts";

export type FleetRole = "window" | "terminal" | "door";

export interface FleetFaults {
	/** That share of events is sent once more, the same bytes, after the node's next event. */
	duplicates?: number;
	/** That share of events is held back and sent after the node's next 1–3 events (an older `ts` after newer ones). */
	outOfOrder?: number;
	/** After that share of events the node also sends a malformed message (the kinds of `MALFORMED` in turn). */
	malformed?: number;
	/** Nodes whose clock is off: each a share of the nodes (drawn per node) and its offset, ms (+ ahead, − behind). */
	skews?: readonly { share: number; ms: number }[];
}

/**
 * The malformed messages, each named by the reason the hub gives (`vikno_messages_total{result=
 * "rejected",reason}`): not JSON (cut short), a payload against its kind's schema, a reference the
 * centre does not have, an id already used for another event (a cloned device), and a topic of
 * another node (a stolen credential used for someone else: refused by the broker's ACL).
 */
export const MALFORMED = ["not_json", "schema", "unknown_ref", "id_reused", "not_authorized"] as const;
export type Malformed = (typeof MALFORMED)[number];

/** What the hub will do with a node's clock offset (core/clock.ts): keep, set to arrival and count, or refuse. */
export function skewEffect(skewMs: number): "kept" | "ahead" | "too_old" {
	if (skewMs > DEFAULT_CLOCK_POLICY.toleranceMs) return "ahead";
	if (-skewMs > DEFAULT_CLOCK_POLICY.maxAgeMs) return "too_old";
	return "kept";
}

export interface SimEvent {
	kind: "rating" | "queue" | "occupancy";
	data: Record<string, unknown>;
}

/**
 * A node's `k`-th event of its role, as the generated deployment (bench/city.ts) configures it:
 * a window's rating, the terminal's ticket for the service `general`, the door's counts for the
 * zone `hall` (two in, one out: a zone's count only grows, so no order of them reaches zero).
 */
export function roleEvent(role: FleetRole, k: number, random: () => number): SimEvent {
	if (role === "window") return { kind: "rating", data: { score: 1 + Math.floor(random() * 5) } };
	if (role === "terminal")
		return {
			kind: "queue",
			data: { event: "issued", ticket: `A${String((k % 999) + 1).padStart(3, "0")}`, service: "general" },
		};
	return { kind: "occupancy", data: { zone: "hall", in: 2, out: 1 } };
}

/** The role of a node of a generated deployment, from its id (`win-…`, `terminal-…`, `door-…`). */
export function roleOf(node: string): FleetRole {
	if (node.startsWith("terminal")) return "terminal";
	if (node.startsWith("door")) return "door";
	return "window";
}

/**
 * A malformed message of `kind` from a node: its topic and bytes. `lastId` is the id of the
 * node's last event already sent (for `id_reused`).
 */
export function malformedMessage(
	kind: Malformed,
	n: { centre: string; node: string; role: FleetRole },
	id: string,
	ts: number,
	lastId: string,
): { topic: string; payload: Buffer } {
	const own = (k: SimEvent["kind"], data: Record<string, unknown>) => ({
		topic: eventTopic(n.centre, n.node, k),
		payload: Buffer.from(JSON.stringify({ id, ts, ...data })),
	});
	const ownKind = roleEvent(n.role, 0, () => 0).kind;
	switch (kind) {
		case "not_json":
			return { topic: eventTopic(n.centre, n.node, ownKind), payload: Buffer.from(`{"id":"${id}","ts":${ts},"sc`) };
		case "schema":
			if (n.role === "window") return own("rating", { score: 11 });
			if (n.role === "terminal") return own("queue", { event: "issued", service: "general" });
			return own("occupancy", { zone: "hall", in: -1 });
		case "unknown_ref":
			if (n.role === "door") return own("occupancy", { zone: "no-such-zone", in: 1 });
			return own("queue", {
				event: n.role === "terminal" ? "issued" : "called",
				ticket: "Z001",
				service: "no-such-service",
			});
		case "id_reused":
			// Another event under an id the node already used: a second device with the same firmware image.
			return {
				topic: eventTopic(n.centre, n.node, ownKind),
				payload: Buffer.from(
					JSON.stringify({ id: lastId, ts, ...roleEvent(n.role, 1, () => 0.99).data, cloned: true }),
				),
			};
		case "not_authorized":
			return { topic: eventTopic(n.centre, `${n.node}-x`, ownKind), payload: Buffer.from(JSON.stringify({ id, ts })) };
	}
}
