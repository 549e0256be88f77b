/**
 * aedes' authorizePublish hook: the ACL (acl.ts canPublish) first, then the hub's `admit` (ingest:
 * the event is durable before the QoS 1 PUBACK, which aedes sends after this callback). A refused
 * or rejected publish is acknowledged and dropped at the root (refused.ts): never retained,
 * queued or forwarded.
 */
import type { AedesOptions, Client, PublishPacket } from "aedes";
import { canPublish } from "../acl.ts";
import { GuardedStream } from "../guard.ts";
import { describe } from "../identity.ts";
import type { HookContext } from "./context.ts";

export interface Admission {
	/** Forward the message to subscribers (and keep it if retained). Rejected input is not forwarded. */
	forward: boolean;
	/**
	 * What to forward instead of the payload as received (ingest's cleaned copy: only the fields
	 * the contract knows). Absent: the payload goes on as it came.
	 */
	payload?: Buffer;
}

export type Admit = (packet: PublishPacket, client: Client | null, isWill: boolean) => Promise<Admission>;

export function authorizePublish(ctx: HookContext, admit: Admit): NonNullable<AedesOptions["authorizePublish"]> {
	return (client, packet, callback) => {
		// aedes passes the client's own Will object when it publishes it (lib/client.js).
		const isWill = client !== null && packet === (client as Client & { will?: unknown }).will;
		const identity = client ? ctx.clients.identity(client) : undefined;
		if (client) {
			if (!identity) return callback(new Error("not authenticated"));
			const d = canPublish(identity, packet.topic, packet);
			if (!d.ok) {
				// Acknowledged and dropped, as mosquitto does for MQTT 3.1.1: a device with a
				// durable outbox would otherwise resend the refused message forever.
				ctx.obs.publishRefused?.(d.reason);
				ctx.refusals.warn(
					`publish|${d.reason}|${client.id}|${packet.topic}`,
					{ reason: "not_authorized", acl: d.reason, client: client.id, user: describe(identity), topic: packet.topic },
					`publish refused (${d.reason}): ${d.detail}`,
				);
				ctx.refuse(packet);
				return callback(null);
			}
			ctx.obs.messageIn?.(packet.qos);
			// Services write the hub's derived state and commands: not events for ingest.
			if (identity.kind === "service") return callback(null);
		}
		const guard = client?.conn instanceof GuardedStream ? client.conn : undefined;
		guard?.admitStarted();
		admit(packet, client, isWill).then(
			(admission) => {
				if (!admission.forward) ctx.refuse(packet);
				// aedes retains, queues and forwards this very packet object after the callback
				// (see refused.ts), so a replaced payload is what every subscriber gets.
				else if (admission.payload) packet.payload = admission.payload;
				guard?.admitEnded();
				callback(null);
			},
			(err: Error) => {
				guard?.admitEnded();
				callback(err);
			},
		);
	};
}
