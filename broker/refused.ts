/**
 * A publish the ACL refuses or ingest rejects is acknowledged (MQTT 3.1.1 has no way to say
 * "refused" but closing the connection, and a node with a durable outbox would resend it
 * forever) and then goes nowhere: not retained, not queued for any session — online or offline,
 * in LevelDB or Redis — and not forwarded to any subscriber, on this broker or another.
 *
 * aedes acknowledges a QoS 1 publish and then hands the very packet it authorised to
 * `broker.publish`, which retains it, queues it for persistent sessions and emits it. Marking the
 * packet object in authorizePublish and ending `publish` there for a marked one stops all three
 * at the root; a check at forwarding time cannot, because a queued copy comes back later from the
 * session store as a new object.
 */
import type { Aedes, Client, PublishPacket } from "aedes";

type Publish = (
	packet: PublishPacket,
	client: Client | null | ((err?: Error) => void),
	done?: (err?: Error) => void,
) => void;

/** Install the drop on a broker; returns the function that marks a packet as refused. */
export function dropRefused(aedes: Aedes): (packet: PublishPacket) => void {
	const refused = new WeakSet<PublishPacket>();
	const b = aedes as unknown as { publish: Publish };
	const publish = b.publish;
	b.publish = function (this: Aedes, packet, client, done) {
		if (!refused.has(packet)) return publish.call(this, packet, client, done);
		refused.delete(packet);
		const callback = typeof client === "function" ? client : done;
		callback?.();
	};
	return (packet) => {
		refused.add(packet);
	};
}
