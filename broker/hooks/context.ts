/** What every broker hook shares: the client table, the policy, the log and the observer. */
import type { PublishPacket } from "aedes";
import type { NodeRole } from "../../core/centre.ts";
import type { Log } from "../../core/log.ts";
import type { OnceLog } from "../../core/onceLog.ts";
import type { ClientTable } from "../clients.ts";
import type { ConnectTurns } from "../connectTurns.ts";
import type { ConnectRefusal, DisconnectReason, PublishRefusal, SubscribeRefusal } from "../reasons.ts";
import type { DeviceRegistry } from "../registry.ts";

/** What the broker reports, for metrics. */
export interface BrokerObserver {
	clients?(connected: number): void;
	/** Clients connecting now and waiting for their turn (connectTurns.ts), on every change. */
	connectTurns?(connecting: number, waiting: number): void;
	connectRefused?(reason: ConnectRefusal): void;
	publishRefused?(reason: PublishRefusal): void;
	subscribeRefused?(reason: SubscribeRefusal): void;
	disconnected?(reason: DisconnectReason): void;
	messageIn?(qos: number): void;
	messageOut?(qos: number): void;
}

export interface HookContext {
	readonly clients: ClientTable;
	readonly registry: DeviceRegistry | undefined;
	readonly policy: {
		allowAnonymous: boolean;
		maxKeepaliveS: number;
		allowKeepaliveZero: boolean;
		nodeRole: (centre: string, node: string) => NodeRole | undefined;
	};
	readonly log: Log;
	/** Refusals are logged once per key and interval, with how many were suppressed. */
	readonly refusals: OnceLog;
	readonly obs: BrokerObserver;
	/** Count and log a refused connection. */
	refuseConnect(reason: ConnectRefusal, detail: string, fields: object): void;
	/** Connecting clients take turns: the session restores running at once are bounded. */
	readonly turns: ConnectTurns;
	/** Drop a publish for good after its acknowledgement (refused.ts). */
	refuse(packet: PublishPacket): void;
}

export function refuseConnect(ctx: Pick<HookContext, "obs" | "refusals">) {
	return (reason: ConnectRefusal, detail: string, fields: object): void => {
		ctx.obs.connectRefused?.(reason);
		ctx.refusals.warn(
			`connect|${reason}|${JSON.stringify(fields)}`,
			{ reason, ...fields },
			`connection refused (${reason}): ${detail}`,
		);
	};
}
