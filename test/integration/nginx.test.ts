/**
 * nginx in front of a hub, for real: Debian's nginx started by the test with the project's own
 * example site (deploy/nginx/vikno.conf; only its ports, paths and certificate swapped), TLS with a
 * throwaway certificate, a hub behind it that trusts 127.0.0.1 as its proxy (`--trust-proxy`).
 * Clients come from different loopback addresses (127.0.0.2, .3, …) as different residents would:
 *
 * - the public API's per-address limit applies per real client, not to the proxy's address;
 * - a forged X-Forwarded-For is ignored, straight to the hub or through nginx;
 * - nginx itself caches the public API (a repeated request does not reach the hub);
 * - Server-Sent Events come through within a second of a direct copy of the same stream;
 * - MQTT over WebSocket is upgraded through /mqtt (MQTT.js, and headless Chromium), and the
 *   broker sees the client's own address.
 */

import { readFileSync } from "node:fs";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import mqtt from "mqtt";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeviceRegistry, registryPath } from "../../broker/registry.ts";
import type { Hub } from "../../server/hub.ts";
import { trustProxy } from "../../server/trustProxy.ts";
import { addUser, signIn } from "../fixtures/auth.ts";
import { launchBrowser } from "../fixtures/browser.ts";
import { demoTopic, payload } from "../fixtures/events.ts";
import { connect, metric, startTestHub, tempDir } from "../fixtures/hub.ts";
import { checkConfig, exampleSite, type Nginx, startNginx } from "../fixtures/nginx.ts";
import { makePki, type TestPki } from "../fixtures/tls.ts";
import { until } from "../fixtures/wait.ts";

const LIMIT = 5;
const dir = tempDir("vikno-nginx-hub-");
const pkiDir = tempDir("vikno-nginx-pki-");
let pki: TestPki;
let hub: Hub;
let nginx: Nginx & { ports: number[] };
let ca: Buffer;

beforeAll(async () => {
	pki = makePki(pkiDir.path);
	ca = readFileSync(pki.caFile);
	hub = await startTestHub(dir.path, { publicRateLimit: LIMIT, trustProxy: trustProxy(["127.0.0.1"]) });
	nginx = await startNginx(2, (d, [tlsPort, httpPort]) =>
		exampleSite({
			hubPort: hub.httpPort,
			tlsPort: tlsPort as number,
			httpPort: httpPort as number,
			certFile: pki.certFile,
			keyFile: pki.keyFile,
			cacheDir: join(d, "cache"),
		}),
	);
});

afterAll(async () => {
	await nginx?.stop();
	await hub?.close();
	dir.remove();
	pkiDir.remove();
});

const proxyPort = () => nginx.ports[0] as number;

interface Answer {
	status: number;
	headers: IncomingMessage["headers"];
	body: string;
}

/** GET through nginx (TLS, the test's CA) or straight to the hub, from a given loopback address. */
function get(
	path: string,
	opts: { from: string; direct?: boolean; headers?: Record<string, string> },
): Promise<Answer> {
	return new Promise((resolve, reject) => {
		const common = { host: "127.0.0.1", path, localAddress: opts.from, headers: opts.headers ?? {} };
		const req = opts.direct
			? httpRequest({ ...common, port: hub.httpPort })
			: httpsRequest({ ...common, port: proxyPort(), ca, servername: undefined });
		req.on("response", (res) => {
			let body = "";
			res.setEncoding("utf8");
			res.on("data", (c: string) => {
				body += c;
			});
			res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
		});
		req.on("error", reject);
		req.end();
	});
}

const wait = (n: number) => `/api/public/v1/centres/demo/wait?n=${n}`;

/** `count` requests with distinct query strings (so nginx's cache passes each on), their statuses. */
async function burst(from: string, count: number, opts: { direct?: boolean; forge?: (i: number) => string } = {}) {
	const statuses: number[] = [];
	for (let i = 0; i < count; i++) {
		const headers = opts.forge ? { "x-forwarded-for": opts.forge(i) } : undefined;
		const a = await get(wait(Math.random()), {
			from,
			...(opts.direct ? { direct: true } : {}),
			...(headers ? { headers } : {}),
		});
		statuses.push(a.status);
	}
	return statuses;
}

describe("the example site", () => {
	it("passes nginx -t with its TLS part (a throwaway certificate)", () => {
		expect(checkConfig(nginx.dir, nginx.conf)).toMatch(/test is successful/);
	});

	it("sends plain HTTP to HTTPS", async () => {
		const res = await new Promise<IncomingMessage>((resolve, reject) =>
			httpRequest({ host: "127.0.0.1", port: nginx.ports[1], path: "/?centre=demo" }, resolve)
				.on("error", reject)
				.end(),
		);
		res.resume();
		expect(res.statusCode).toBe(301);
		expect(res.headers.location).toBe("https://127.0.0.1/?centre=demo");
	});
});

describe("the public API behind nginx", () => {
	it("limits each resident by their own address, not the proxy's", async () => {
		expect(await burst("127.0.0.2", LIMIT + 1)).toEqual([...Array(LIMIT).fill(200), 429]);
		// Another resident, through the same proxy, is not affected.
		expect(await burst("127.0.0.3", 1)).toEqual([200]);
		const limited = await get(wait(1), { from: "127.0.0.2" });
		expect(JSON.parse(limited.body)).toMatchObject({ error: { code: "rate_limited" } });
	});

	it("ignores a forged X-Forwarded-For through nginx: nginx's own entry is the client", async () => {
		const statuses = await burst("127.0.0.4", LIMIT + 1, { forge: (i) => `198.51.100.${i + 1}` });
		expect(statuses).toEqual([...Array(LIMIT).fill(200), 429]);
	});

	it("ignores X-Forwarded-For from an address that is not a trusted proxy", async () => {
		const statuses = await burst("127.0.0.5", LIMIT + 1, { direct: true, forge: (i) => `198.51.100.${i + 1}` });
		expect(statuses).toEqual([...Array(LIMIT).fill(200), 429]);
	});

	it("is cached by nginx itself: a repeated request does not reach the hub", async () => {
		const asked = async () =>
			metric(await (await fetch(`${hub.httpUrl}/metrics`)).text(), 'vikno_public_responses_total{status="200"}');
		const before = await asked();
		const first = await get("/api/public/v1/centres/demo/wait", { from: "127.0.0.7" });
		const second = await get("/api/public/v1/centres/demo/wait", { from: "127.0.0.7" });
		expect([first.status, second.status]).toEqual([200, 200]);
		expect(first.headers["x-cache-status"]).toBe("MISS");
		expect(second.headers["x-cache-status"]).toBe("HIT");
		expect(second.body).toBe(first.body);
		expect(first.headers["access-control-allow-origin"]).toBe("*");
		// One Strict-Transport-Security, nginx's: the hub's own (it sees TLS through the proxy) is hidden.
		expect(first.headers["strict-transport-security"]).toBe("max-age=31536000");
		const page = await get("/login", { from: "127.0.0.7" });
		expect(page.headers["strict-transport-security"]).toBe("max-age=31536000");
		expect(await asked()).toBe(before + 1);
	});
});

/** A Server-Sent Events stream: the `live` events as they arrive, with their arrival time. */
function sse(url: string, opts: { proxy: boolean; from: string; cookie: string }) {
	const events: { at: number; data: { ratings: { count: number } } }[] = [];
	let buffer = "";
	let res: IncomingMessage | undefined;
	const onResponse = (r: IncomingMessage) => {
		res = r;
		r.setEncoding("utf8");
		r.on("data", (chunk: string) => {
			buffer += chunk;
			for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
				const block = buffer.slice(0, end);
				buffer = buffer.slice(end + 2);
				const data = block.split("\n").find((l) => l.startsWith("data: "));
				if (block.includes("event: live") && data) events.push({ at: Date.now(), data: JSON.parse(data.slice(6)) });
			}
		});
	};
	const u = new URL(url);
	const common = {
		host: u.hostname,
		port: u.port,
		path: `${u.pathname}${u.search}`,
		localAddress: opts.from,
		headers: { cookie: opts.cookie },
	};
	const req = opts.proxy ? httpsRequest({ ...common, ca }, onResponse) : httpRequest(common, onResponse);
	req.end();
	return { events, headers: () => res?.headers, close: () => req.destroy() };
}

describe("Server-Sent Events through nginx", () => {
	it("arrive within a second of the same event on a direct stream", async () => {
		const path = "/api/v1/stream?centre=demo";
		// The stream is the manager side's: both copies are a signed-in manager's.
		const { cookie } = await signIn(hub, await addUser(hub));
		const direct = sse(`${hub.httpUrl}${path}`, { proxy: false, from: "127.0.0.8", cookie });
		const proxied = sse(`https://127.0.0.1:${proxyPort()}${path}`, { proxy: true, from: "127.0.0.8", cookie });
		try {
			await until(
				() => [direct.events.length, proxied.events.length],
				([a, b]) => (a ?? 0) >= 1 && (b ?? 0) >= 1,
				{ what: "the first live event on both streams" },
			);
			expect(proxied.headers()?.["content-type"]).toMatch(/^text\/event-stream/);
			const count = (direct.events.at(-1)?.data.ratings.count ?? 0) + 1;
			const client = await connect(hub.mqttUrl);
			await client.publishAsync(demoTopic("win-03", "rating"), JSON.stringify(payload({ score: 5 })), { qos: 1 });
			await client.endAsync();
			const seen = (s: typeof direct) => s.events.find((e) => e.data.ratings.count === count);
			await until(
				() => [seen(direct), seen(proxied)],
				([a, b]) => a !== undefined && b !== undefined,
				{ what: "the rating's live event on both streams" },
			);
			const delay = (seen(proxied)?.at ?? 0) - (seen(direct)?.at ?? 0);
			expect(delay).toBeLessThan(1_000);
		} finally {
			direct.close();
			proxied.close();
		}
	});
});

describe("MQTT over WebSocket through nginx", () => {
	let credential: { username: string; password: string };
	let browser: Browser | undefined;
	beforeAll(async () => {
		credential = await new DeviceRegistry(registryPath(dir.path)).add({ kind: "node", centre: "demo", node: "win-04" });
	});
	afterAll(async () => {
		await browser?.close();
	});

	it("is upgraded through /mqtt; the broker sees the client's own address", async () => {
		const client = await mqtt.connectAsync(`wss://127.0.0.1:${proxyPort()}/mqtt`, {
			protocolVersion: 4,
			reconnectPeriod: 0,
			connectTimeout: 10_000,
			clientId: credential.username,
			username: credential.username,
			password: credential.password,
			ca,
			wsOptions: { localAddress: "127.0.0.6" },
		});
		try {
			const event = payload({ score: 4 });
			await client.publishAsync(demoTopic("win-04", "rating"), JSON.stringify(event), { qos: 1 });
			const stored = await hub.store.readRange("demo", 0, Number.MAX_SAFE_INTEGER);
			expect(stored.filter((e) => e.id === event.id)).toHaveLength(1);
			const clients = (hub.broker.aedes as unknown as { clients: Record<string, { conn: { remoteAddress?: string } }> })
				.clients;
			expect(clients[credential.username]?.conn.remoteAddress).toBe("127.0.0.6");
		} finally {
			await client.endAsync();
		}
	});

	it("connects a browser's MQTT client (headless Chromium, MQTT.js for browsers)", async () => {
		browser = await launchBrowser();
		// MQTT.js is put into the page as an inline script, which the hub's CSP refuses (rightly):
		// this test is about the WebSocket through nginx, not the page.
		const context = await browser.newContext({ ignoreHTTPSErrors: true, bypassCSP: true });
		const page = await context.newPage();
		const errors: string[] = [];
		page.on("pageerror", (e) => errors.push(e.message));
		await page.goto(`https://127.0.0.1:${proxyPort()}/?centre=demo`);
		await page.addScriptTag({
			path: fileURLToPath(new URL("../../node_modules/mqtt/dist/mqtt.min.js", import.meta.url)),
		});
		const event = payload({ score: 2 });
		const outcome = await page.evaluate(
			({ url, user, password, topic, body }) =>
				new Promise<string>((resolve) => {
					const m = (globalThis as unknown as { mqtt: typeof mqtt }).mqtt;
					const c = m.connect(url, {
						protocolVersion: 4,
						clientId: user,
						username: user,
						password,
						reconnectPeriod: 0,
					});
					c.on("error", (e) => resolve(`error: ${e.message}`));
					c.on("connect", () =>
						c.publish(topic, body, { qos: 1 }, (err) => {
							c.end();
							resolve(err ? `error: ${err.message}` : "acknowledged");
						}),
					);
				}),
			{
				url: `wss://127.0.0.1:${proxyPort()}/mqtt`,
				user: credential.username,
				password: credential.password,
				topic: demoTopic("win-04", "rating"),
				body: JSON.stringify(event),
			},
		);
		expect(outcome).toBe("acknowledged");
		const stored = await hub.store.readRange("demo", 0, Number.MAX_SAFE_INTEGER);
		expect(stored.filter((e) => e.id === event.id)).toHaveLength(1);
		expect(errors).toEqual([]);
	});
});
