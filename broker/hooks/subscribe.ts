/** aedes' authorizeSubscribe and authorizeForward hooks: the ACL for filters, and counting deliveries. */
import type { AedesOptions } from "aedes";
import { canSubscribe } from "../acl.ts";
import { describe } from "../identity.ts";
import type { HookContext } from "./context.ts";

export function authorizeSubscribe(ctx: HookContext): NonNullable<AedesOptions["authorizeSubscribe"]> {
	return (client, sub, callback) => {
		const identity = ctx.clients.identity(client);
		if (!identity) return callback(new Error("not authenticated"));
		const d = canSubscribe(identity, sub.topic);
		if (d.ok) return callback(null, sub);
		ctx.obs.subscribeRefused?.(d.reason);
		ctx.refusals.warn(
			`subscribe|${client.id}|${sub.topic}`,
			{ reason: d.reason, client: client.id, user: describe(identity), filter: sub.topic },
			`subscription refused (${d.reason}): ${d.detail}`,
		);
		callback(null, null); // SUBACK 0x80 (MQTT 3.1.1 §3.9.3)
	};
}

export function authorizeForward(ctx: HookContext): NonNullable<AedesOptions["authorizeForward"]> {
	return (_client, packet) => {
		ctx.obs.messageOut?.(packet.qos);
		return packet;
	};
}
