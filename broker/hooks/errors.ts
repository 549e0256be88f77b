/**
 * aedes' clientError and connectionError events: a client's fault is counted under its reason
 * (reasons.ts) and logged once per client and interval; a system error (a socket reset) is not.
 */
import type { Client } from "aedes";
import { GuardError } from "../guard.ts";
import type { DisconnectReason } from "../reasons.ts";
import type { HookContext } from "./context.ts";

/** An aedes error that is the client's fault, by the reason it is counted under (system errors are not). */
export function disconnectReason(
	err: Error,
): DisconnectReason | "connect_timeout" | "unsupported_protocol" | undefined {
	if (err instanceof GuardError) return err.reason;
	if (/connect did not arrive in time/.test(err.message)) return "connect_timeout";
	if (/keep alive timeout/.test(err.message)) return "keepalive_timeout";
	if ((err as NodeJS.ErrnoException).code) return undefined;
	if (/connection closed|drain timeout/.test(err.message)) return undefined;
	return "protocol";
}

export function onClientError(ctx: HookContext, also?: (client: Client, err: Error) => void) {
	return (client: Client, err: Error): void => {
		const reason = disconnectReason(err);
		const address = ctx.clients.address(client);
		if (reason === "connect_timeout" || reason === "unsupported_protocol")
			ctx.refuseConnect(reason, err.message, { address });
		else if (reason) {
			ctx.obs.disconnected?.(reason);
			ctx.refusals.warn(
				`disconnect|${reason}|${client.id ?? address}`,
				{ reason, client: client.id ?? undefined, address },
				`connection closed (${reason}): ${err.message}`,
			);
		}
		also?.(client, err);
	};
}
