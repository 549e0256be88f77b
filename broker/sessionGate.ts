/**
 * Holds the live deliveries of a connecting client until its session is ready: the CONNACK is
 * written and the messages stored for it while it was away have been sent.
 *
 * Why: aedes restores a resumed session's subscriptions before it writes the CONNACK, so a
 * message arriving in between (on another broker through Redis, or from this one) was written to
 * the client before its CONNACK — against MQTT-3.2.0-1, "the first packet sent from the Server to
 * the Client MUST be a CONNACK". Every QoS ≥ 1 message for a clean=false session is also stored
 * in its queue before it is emitted, so a message delivered live while the queue is replayed was
 * sent twice. Here a held delivery is sent after the replay unless the replay already sent it, and
 * a late live copy of a replayed message is dropped.
 */
import type { Client } from "aedes";

type Deliver = (packet: Delivery, cb: () => void) => void;

/** What aedes hands a client's delivery functions (aedes-packet): the message and its origin. */
export interface Delivery {
	messageId?: number;
	brokerId?: string;
	brokerCounter?: number | string;
}

interface ClientGate {
	/** Deliveries waiting for the session to be ready; null once it is. */
	held: { deliver: Deliver; packet: Delivery }[] | null;
	/** Counters of the stored messages the replay sent, per broker that published them. */
	replayed: Map<string, Set<number>>;
}

const noop = () => {};

export class SessionGate {
	private readonly gates = new WeakMap<Client, ClientGate>();

	/** Start holding a connecting client's deliveries (aedes' preConnect, before anything is sent). */
	attach(client: Client): void {
		const gate: ClientGate = { held: [], replayed: new Map() };
		this.gates.set(client, gate);
		const c = client as unknown as Record<"deliver0" | "deliverQoS", Deliver>;
		for (const name of ["deliver0", "deliverQoS"] as const) {
			const deliver = c[name];
			c[name] = (packet, cb) => {
				if (gate.held) {
					gate.held.push({ deliver, packet });
					setImmediate(cb);
				} else if (this.alreadySent(gate, packet)) setImmediate(cb);
				else deliver(packet, cb);
			};
		}
	}

	/** A stored message is being sent to the client by the session replay. */
	replaying(client: Client, packet: Delivery): void {
		const gate = this.gates.get(client);
		const counter = Number(packet.brokerCounter);
		if (!gate || !packet.brokerId || !Number.isFinite(counter)) return;
		const seen = gate.replayed.get(packet.brokerId) ?? new Set<number>();
		gate.replayed.set(packet.brokerId, seen);
		seen.add(counter);
	}

	/** The CONNACK is out and the replay done (aedes' clientReady): send what was held. */
	ready(client: Client): void {
		const gate = this.gates.get(client);
		if (!gate?.held) return;
		const held = gate.held;
		gate.held = null;
		for (const { deliver, packet } of held) if (!this.alreadySent(gate, packet)) deliver(packet, noop);
	}

	/** Deliveries held for a client now (tests force the interleaving with it). */
	heldFor(client: Client): number {
		return this.gates.get(client)?.held?.length ?? 0;
	}

	/**
	 * Whether the replay sent this message. A broker emits its messages in the order it numbers
	 * them, so once one of its messages arrives live, its older replayed ones never will: forget them.
	 */
	private alreadySent(gate: ClientGate, packet: Delivery): boolean {
		if (gate.replayed.size === 0 || !packet.brokerId) return false;
		const seen = gate.replayed.get(packet.brokerId);
		if (!seen) return false;
		const counter = Number(packet.brokerCounter);
		// Kept while newer messages of that broker have not arrived: a message matching two of the
		// client's filters comes once per filter.
		const sent = seen.has(counter);
		for (const c of seen) if (c < counter) seen.delete(c);
		if (seen.size === 0) gate.replayed.delete(packet.brokerId);
		return sent;
	}
}
