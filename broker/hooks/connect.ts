/**
 * aedes' preConnect and authenticate hooks: keep the CONNECT packet, start holding the client's
 * deliveries until its session is ready (sessionGate.ts), then — in its turn (connectTurns.ts) —
 * check its credentials and the connect policy (acl.ts canConnect) and admit or refuse it with
 * the right CONNACK code.
 */
import type { AuthenticateError, Client, ConnectPacket } from "aedes";
import { type CredentialCheck, canConnect } from "../acl.ts";
import type { SessionGate } from "../sessionGate.ts";
import { CERT_USER } from "../transports.ts";
import type { HookContext } from "./context.ts";

export function preConnect(ctx: HookContext, gate: SessionGate) {
	return (client: Client, packet: ConnectPacket, callback: (error: Error | null, success: boolean) => void) => {
		gate.attach(client);
		ctx.clients.connecting(client, packet);
		callback(null, true);
	};
}

/** Close the client's connection (if it is not closed yet) and call `then` once aedes has seen it close. */
function afterClose(client: Client, then: () => void): void {
	if ((client as { closed?: boolean }).closed) {
		then();
		return;
	}
	client.conn.once("close", () => setImmediate(then));
	client.conn.destroy();
}

async function checkCredentials(
	ctx: HookContext,
	client: Client,
	username: string | undefined,
	password: Buffer | undefined,
): Promise<CredentialCheck> {
	const { registry } = ctx;
	const certUser = (client.conn as { [CERT_USER]?: string })[CERT_USER];
	if (!registry) return username === undefined ? { status: "none" } : { status: "unknown" };
	// A verified client certificate stands for its common name when no password is given.
	if (certUser && password === undefined && (username === undefined || username === certUser))
		return registry.check(certUser, undefined, { certificate: true });
	return registry.check(username, password);
}

export function authenticate(ctx: HookContext) {
	return (
		client: Client,
		username: string | undefined,
		password: Buffer | undefined,
		callback: (error: AuthenticateError | null, success: boolean | null) => void,
	) => {
		ctx.turns.enter(client, (how) => {
			if (how === "go") {
				check(client, username, password, callback);
				return;
			}
			// Waited too long: the connection is closed without a CONNACK, and the client tries again
			// as after any lost connection. (CONNACK 3 would be the protocol's word for it, but
			// MQTT.js, the devices' library, never reconnects after a refusal by default: a node told
			// "busy" would stay away for good.)
			if (how === "late")
				ctx.refuseConnect("busy", "waited too long for its turn to connect; connection closed", {
					client: client.id,
					address: ctx.clients.address(client),
				});
			// Closed (or gone already): aedes stops at a closed client, so the callback ends nothing more.
			const err = new Error(how === "late" ? "server busy: try again" : "left before its turn") as AuthenticateError;
			(err as { returnCode: number }).returnCode = 3;
			afterClose(client, () => callback(err, null));
		});
	};

	function check(
		client: Client,
		username: string | undefined,
		password: Buffer | undefined,
		callback: (error: AuthenticateError | null, success: boolean | null) => void,
	) {
		const packet = ctx.clients.takeConnect(client);
		const request = {
			clientId: packet?.clientId ?? client.id,
			clean: packet?.clean ?? true,
			keepalive: packet?.keepalive ?? 0,
			will: packet?.will ? { topic: packet.will.topic, retain: packet.will.retain === true } : undefined,
		};
		checkCredentials(ctx, client, username, password)
			.catch((e: Error): CredentialCheck => {
				ctx.log.error({ err: e.message }, "credential check failed");
				return { status: "error" };
			})
			.then((check) => {
				const d = canConnect(request, check, ctx.policy);
				if (!d.ok) {
					ctx.refuseConnect(d.reason, d.detail, {
						client: request.clientId,
						username,
						address: ctx.clients.address(client),
					});
					const err = new Error(d.detail) as AuthenticateError;
					(err as { returnCode: number }).returnCode = d.returnCode;
					callback(err, null);
					return;
				}
				ctx.clients.admitted(
					client,
					d.identity,
					check.status === "ok" ? (ctx.registry?.get(check.username)?.hash ?? "") : undefined,
				);
				const previous = ctx.clients.byId(client.id);
				if (previous && previous !== client) {
					ctx.obs.disconnected?.("takeover");
					ctx.log.info({ client: client.id }, "session taken over by a new connection (MQTT-3.1.4-2)");
				}
				callback(null, true);
			});
	}
}
