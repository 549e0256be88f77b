/**
 * Revocation without a restart: when the credentials file changes, every client whose credential
 * was revoked or replaced (`vikno device revoke`, `device add --replace`) is disconnected.
 */
import type { HookContext } from "./context.ts";

export function watchRevocations(ctx: HookContext, everyMs: number): () => void {
	const poll = setInterval(() => {
		const { registry } = ctx;
		if (!registry?.refresh() || registry.problem) return;
		for (const client of ctx.clients.connected()) {
			const identity = ctx.clients.identity(client);
			if (!identity || identity.kind === "anonymous") continue;
			const record = registry.get(identity.username);
			if (record && !record.revoked && record.hash === ctx.clients.credentialHash(client)) continue;
			ctx.obs.disconnected?.("revoked");
			ctx.log.warn({ client: client.id, user: identity.username }, "credential revoked or replaced: disconnecting");
			client.close();
		}
	}, everyMs);
	poll.unref();
	return () => clearInterval(poll);
}
