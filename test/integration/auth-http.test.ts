/**
 * What the hub's HTTP answers say about security, on real hubs over loopback: the security
 * headers (a CSP without inline scripts), the session cookie's flags with and without a TLS proxy
 * in front, /metrics behind a token or loopback, and the limit of sign-ins per address.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Hub } from "../../server/hub.ts";
import { trustProxy } from "../../server/trustProxy.ts";
import { type Agent, addUser, postSignIn, sessionCookie, signedIn, signInForm } from "../fixtures/auth.ts";
import { metric, startTestHub, tempDir } from "../fixtures/hub.ts";

const TOKEN = "a-metrics-token-of-some-length";
const dirs: ReturnType<typeof tempDir>[] = [];
const hubs: Hub[] = [];

async function hubWith(overrides: Parameters<typeof startTestHub>[1] = {}): Promise<Hub> {
	const dir = tempDir();
	dirs.push(dir);
	const hub = await startTestHub(dir.path, overrides);
	hubs.push(hub);
	return hub;
}

afterAll(async () => {
	for (const h of hubs) await h.close();
	for (const d of dirs) d.remove();
});

/** The directives of a Content-Security-Policy header by name. */
function csp(header: string | null): Map<string, string[]> {
	const out = new Map<string, string[]>();
	for (const part of (header ?? "").split(";")) {
		const [name, ...values] = part.trim().split(/\s+/);
		if (name) out.set(name, values);
	}
	return out;
}

describe("security headers", () => {
	let hub: Hub;
	let manager: Agent;
	beforeAll(async () => {
		hub = await hubWith({ trustProxy: trustProxy(["127.0.0.1"]) });
		manager = await signedIn(hub, { role: "manager", centres: ["demo"] });
	});

	it("a CSP without inline scripts, framing refused, no sniffing, no referrer — on pages, the API and errors", async () => {
		const answers = {
			page: await manager.fetch("/?centre=demo"),
			script: await manager.fetch("/app.js"),
			api: await manager.fetch("/api/v1/centres/demo/live"),
			stream: await manager.fetch("/api/v1/stream?centre=nowhere"),
			signIn: await fetch(`${hub.httpUrl}/login`),
			refused: await fetch(`${hub.httpUrl}/api/v1/centres`),
			public: await fetch(`${hub.httpUrl}/api/public/v1/centres/demo/wait`),
		};
		for (const [what, res] of Object.entries(answers)) {
			const policy = csp(res.headers.get("content-security-policy"));
			const scripts = policy.get("script-src") ?? [];
			expect(scripts[0], what).toBe("'self'");
			expect(scripts, what).not.toContain("'unsafe-inline'");
			expect(scripts, what).not.toContain("'unsafe-eval'");
			expect(policy.get("script-src-attr"), what).toEqual(["'none'"]);
			expect(policy.get("style-src"), what).not.toContain("'unsafe-inline'");
			expect(policy.get("default-src"), what).toEqual(["'self'"]);
			expect(policy.get("object-src"), what).toEqual(["'none'"]);
			expect(policy.get("frame-ancestors"), what).toEqual(["'none'"]);
			expect(policy.get("form-action"), what).toEqual(["'self'"]);
			expect(res.headers.get("x-frame-options"), what).toBe("DENY");
			expect(res.headers.get("x-content-type-options"), what).toBe("nosniff");
			expect(res.headers.get("referrer-policy"), what).toBe("no-referrer");
			// Over plain HTTP, no pinning of the host name to HTTPS.
			expect(res.headers.get("strict-transport-security"), what).toBeNull();
		}
		// The page's one inline style carries the answer's nonce, which the CSP names.
		const page = await answers.page.text();
		const nonce = /<style nonce="([^"]+)">/.exec(page)?.[1];
		expect(csp(answers.page.headers.get("content-security-policy")).get("style-src")).toContain(`'nonce-${nonce}'`);
		expect(page).not.toMatch(/<script(?![^>]*\bsrc=)/);

		// The manager's answers are not to be kept by browsers or proxies; the public one is, by anyone.
		for (const what of ["page", "api", "refused"] as const)
			expect(answers[what].headers.get("cache-control"), what).toBe("no-store");
		expect(answers.api.headers.get("cross-origin-resource-policy")).toBe("same-origin");
		expect(answers.public.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
		expect(answers.public.headers.get("access-control-allow-origin")).toBe("*");
	});

	it("Strict-Transport-Security when the answer went over TLS through a trusted proxy", async () => {
		const res = await fetch(`${hub.httpUrl}/healthz`, { headers: { "x-forwarded-proto": "https" } });
		expect(res.headers.get("strict-transport-security")).toBe("max-age=15552000");
	});
});

describe("the session cookie", () => {
	it("HttpOnly, SameSite=Lax, the whole site, no expiry of its own; a new id at sign-in", async () => {
		const hub = await hubWith();
		const user = await addUser(hub);
		const form = await signInForm(hub.httpUrl);
		const res = await postSignIn(hub.httpUrl, form, user.name, user.password);
		expect(res.status).toBe(303);
		const [cookie] = res.headers.getSetCookie();
		const attributes = (cookie ?? "").split(";").map((a) => a.trim().toLowerCase());
		expect(attributes[0]).toMatch(/^vikno_session=.{40,}/);
		expect(attributes).toEqual(expect.arrayContaining(["httponly", "samesite=lax", "path=/"]));
		expect(attributes).not.toContain("secure");
		expect(attributes.some((a) => a.startsWith("expires=") || a.startsWith("max-age="))).toBe(false);
		// The form's session is not the signed-in one (no fixation), and it grants nothing.
		expect(sessionCookie(res)).not.toBe(form.cookie);
		expect((await fetch(`${hub.httpUrl}/api/v1/session`, { headers: { cookie: form.cookie } })).status).toBe(401);
	});

	it("Secure behind a TLS proxy the hub trusts, and only then", async () => {
		const trusting = await hubWith({ trustProxy: trustProxy(["127.0.0.1"]) });
		const other = await hubWith();
		const secure = async (hub: Hub) => {
			const res = await fetch(`${hub.httpUrl}/login`, { headers: { "x-forwarded-proto": "https" } });
			return (res.headers.getSetCookie()[0] ?? "").toLowerCase().split(/;\s*/).includes("secure");
		};
		expect(await secure(trusting)).toBe(true);
		// A hub that trusts no proxy does not take a client's word that it came over TLS.
		expect(await secure(other)).toBe(false);
	});
});

describe("/metrics", () => {
	it("without a token: loopback clients only, also behind a proxy on loopback", async () => {
		const hub = await hubWith({ trustProxy: trustProxy(["127.0.0.1"]) });
		expect((await fetch(`${hub.httpUrl}/metrics`)).status).toBe(200);
		const remote = await hub.app.inject({ url: "/metrics", remoteAddress: "192.0.2.10" });
		expect(remote.statusCode).toBe(403);
		expect(remote.json()).toMatchObject({ error: { code: "forbidden" } });
		// Through the proxy, the client is the one it names, not the proxy.
		const proxied = await fetch(`${hub.httpUrl}/metrics`, { headers: { "x-forwarded-for": "192.0.2.10" } });
		expect(proxied.status).toBe(403);
		const m = await (await fetch(`${hub.httpUrl}/metrics`)).text();
		expect(metric(m, 'vikno_access_refused_total{reason="not_loopback"}')).toBe(2);
	});

	it("with a token: the bearer token, from anywhere, and nothing else", async () => {
		const hub = await hubWith({ metricsToken: TOKEN });
		const ask = (headers: Record<string, string>, remoteAddress = "127.0.0.1") =>
			hub.app.inject({ url: "/metrics", headers, remoteAddress });
		const none = await ask({});
		expect(none.statusCode).toBe(401);
		expect(none.headers["www-authenticate"]).toBe('Bearer realm="vikno metrics"');
		expect(none.json()).toMatchObject({ error: { code: "unauthorized" } });
		expect((await ask({ authorization: `Bearer ${TOKEN}x` })).statusCode).toBe(401);
		expect((await ask({ authorization: TOKEN })).statusCode).toBe(401);
		const ok = await ask({ authorization: `Bearer ${TOKEN}` }, "192.0.2.10");
		expect(ok.statusCode).toBe(200);
		expect(ok.body).toMatch(/^vikno_access_refused_total\{reason="metrics_token"\} 3$/m);
		const real = await fetch(`${hub.httpUrl}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
		expect(real.status).toBe(200);
	});
});

describe("sign-ins per address", () => {
	it("answers the form again with 429 past the limit, and counts it", async () => {
		const hub = await hubWith({ signInRateLimit: 3 });
		const user = await addUser(hub);
		const statuses: number[] = [];
		for (let i = 0; i < 4; i++)
			statuses.push((await postSignIn(hub.httpUrl, await signInForm(hub.httpUrl), user.name, "wrong")).status);
		expect(statuses).toEqual([401, 401, 401, 429]);
		const last = await postSignIn(hub.httpUrl, await signInForm(hub.httpUrl), user.name, user.password);
		expect(last.status).toBe(429);
		expect(last.headers.get("content-type")).toMatch(/^text\/html/);
		expect(await last.text()).toContain("Забагато спроб входу з цієї адреси");
		const m = await (await fetch(`${hub.httpUrl}/metrics`)).text();
		expect(metric(m, 'vikno_sign_ins_total{result="rate_limited"}')).toBe(2);
		expect(metric(m, 'vikno_sign_ins_total{result="wrong"}')).toBe(3);
	});
});
