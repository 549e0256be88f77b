/**
 * Security headers on every answer, from @fastify/helmet. The Content-Security-Policy allows
 * scripts from the hub only — no inline script, no `unsafe-inline`, no `eval` — and an inline
 * `<style>` only with the answer's nonce (`reply.cspNonce.style`); lit's styles are constructed
 * style sheets, which need no exception. Pages cannot be framed. Strict-Transport-Security is
 * sent only on an answer that went over TLS (behind a proxy the hub trusts): over plain HTTP on a
 * centre's network it would pin a host name to HTTPS that may not have it.
 */
import helmet from "@fastify/helmet";
import type { FastifyInstance } from "fastify";

export const CSP_DIRECTIVES = {
	defaultSrc: ["'self'"],
	scriptSrc: ["'self'"],
	scriptSrcAttr: ["'none'"],
	styleSrc: ["'self'"],
	imgSrc: ["'self'", "data:"],
	fontSrc: ["'self'"],
	connectSrc: ["'self'"],
	formAction: ["'self'"],
	frameAncestors: ["'none'"],
	baseUri: ["'none'"],
	objectSrc: ["'none'"],
};

const HSTS = "max-age=15552000";

export async function registerSecurityHeaders(app: FastifyInstance): Promise<void> {
	await app.register(helmet, {
		// Each answer's CSP carries fresh nonces; a page puts the style one on its <style>.
		enableCSPNonces: true,
		contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
		strictTransportSecurity: false,
		// As frame-ancestors 'none', for browsers that know only this header.
		frameguard: { action: "deny" },
	});
	app.addHook("onSend", async (req, reply, payload) => {
		if (req.protocol === "https") reply.header("strict-transport-security", HSTS);
		return payload;
	});
}
