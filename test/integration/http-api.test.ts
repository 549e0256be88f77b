/**
 * Every route of the hub's HTTP API against its schemas, through real parts: a hub on loopback
 * with the response check on (dashboard/responseCheck.ts: each answer validated before it is
 * serialized, extra and missing fields included), events over MQTT so that the answers have their
 * optional parts (estimates and no estimates, tickets at windows, alerts, ratings, grouped
 * history). Each route the app registered is called, with good parameters and with the errors it
 * documents; the SSE stream's events are checked against their schema; /api/openapi.json is
 * validated as an OpenAPI 3 document.
 */
import SwaggerParser from "@apidevtools/swagger-parser";
import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Centre } from "../../core/centre.ts";
import type { LiveView } from "../../core/liveView.ts";
import { ticketKey } from "../../core/ticketStatus.ts";
import { HTTP_ERROR_CODES } from "../../dashboard/errors.ts";
import { type ResponseLog, responseLog, strictChecker } from "../../dashboard/responseCheck.ts";
import { STREAM_EVENTS } from "../../dashboard/routes/stream.ts";
import type { Hub } from "../../server/hub.ts";
import { demoTopic, payload } from "../fixtures/events.ts";
import { connect, demoCentre, startTestHub, tempDir } from "../fixtures/hub.ts";
import { until } from "../fixtures/wait.ts";

const dir = tempDir();
const log: ResponseLog = responseLog();
let hub: Hub;
let client: MqttClient;

const today = new Date().toISOString().slice(0, 10);

/** A request: a path to GET, or a request with a method, a body made when it is sent, headers. */
type Call =
	| string
	| { url: string; method?: "GET" | "POST"; body?: () => object; headers?: () => Record<string, string> };

/** What the calls below learn from earlier answers: form tokens, a ticket's key, an ETag. */
const learnt: { rateToken?: string; commentToken?: string; ticketKey?: string; etag?: string } = {};

/**
 * What to call for each route: good requests first, then the errors the route documents. A route
 * missing here fails the first test, so a new route cannot go unchecked.
 */
const CALLS: Record<string, Call[]> = {
	"GET /api/openapi.json": ["/api/openapi.json"],
	"GET /healthz": ["/healthz", "/healthz?unknown=1"],
	"GET /metrics": ["/metrics"],
	"GET /api/v1/centres": ["/api/v1/centres"],
	"GET /api/v1/centres/:centre/live": [
		"/api/v1/centres/demo/live",
		"/api/v1/centres/nowhere/live",
		"/api/v1/centres/Not_An_Id/live",
	],
	"GET /api/v1/centres/:centre/alerts": ["/api/v1/centres/demo/alerts", "/api/v1/centres/nowhere/alerts"],
	"GET /api/v1/centres/:centre/quality": [
		"/api/v1/centres/demo/quality",
		`/api/v1/centres/demo/quality?from=${today}&to=${today}`,
		"/api/v1/centres/demo/quality?from=2026-02-30",
		"/api/v1/centres/nowhere/quality",
	],
	"GET /api/v1/centres/:centre/service-levels": [
		"/api/v1/centres/demo/service-levels",
		"/api/v1/centres/demo/service-levels?from=2026-01-01&to=2026-12-31",
	],
	"GET /api/v1/centres/:centre/history": [
		"/api/v1/centres/demo/history?measurement=queue&field=wait_s&event=called",
		"/api/v1/centres/demo/history?measurement=rating&field=score&groupBy=window&step=1d",
		"/api/v1/centres/demo/history?measurement=queue",
		"/api/v1/centres/demo/history?measurement=queue&field=wait_s&groupBy=nobody",
	],
	"GET /api/v1/stream": ["/api/v1/stream?centre=nowhere", "/api/v1/stream?centre=Bad"],
	"GET /api/public/v1/centres/:centre/wait": [
		"/api/public/v1/centres/demo/wait",
		"/api/public/v1/centres/nowhere/wait",
		{ url: "/api/public/v1/centres/demo/wait", headers: () => ({ "if-none-match": learnt.etag ?? "" }) },
		"/api/public/v1/centres/demo/wait",
	],
	"GET /api/public/v1/centres/:centre": ["/api/public/v1/centres/demo", "/api/public/v1/centres/nowhere"],
	"GET /api/public/v1/centres/:centre/tickets/:ticket": [
		"/api/public/v1/centres/demo/tickets/A003",
		{ url: "/api/public/v1/centres/demo/tickets/A001?k=KEY" },
		"/api/public/v1/centres/demo/tickets/Z999",
	],
	"POST /api/public/v1/centres/:centre/ratings": [
		{ url: "/api/public/v1/centres/demo/ratings", method: "POST", body: () => ({ token: learnt.rateToken, score: 5 }) },
		{ url: "/api/public/v1/centres/demo/ratings", method: "POST", body: () => ({ token: learnt.rateToken, score: 4 }) },
		{ url: "/api/public/v1/centres/nowhere/ratings", method: "POST", body: () => ({ token: "x", score: 4 }) },
		{ url: "/api/public/v1/centres/demo/ratings", method: "POST", body: () => ({ score: 4 }) },
	],
	"POST /api/public/v1/centres/:centre/comments": [
		{
			url: "/api/public/v1/centres/demo/comments",
			method: "POST",
			body: () => ({ token: learnt.commentToken, text: "Швидко і ввічливо" }),
		},
		{ url: "/api/public/v1/centres/demo/comments", method: "POST", body: () => ({ token: "forged.token", text: "x" }) },
	],
	"GET /api/v1/centres/:centre/comments": ["/api/v1/centres/demo/comments", "/api/v1/centres/nowhere/comments"],
	"GET /c/:centre": ["/c/demo", "/c/demo?lang=en", "/c/nowhere"],
	"GET /c/:centre/t": ["/c/demo/t?ticket=%D0%90003", "/c/nowhere/t?ticket=A001"],
	"GET /c/:centre/t/:ticket": ["/c/demo/t/A001", "/c/demo/t/A001?k=KEY&lang=en", "/c/nowhere/t/A001"],
	"GET /c/:centre/r/:window": ["/c/demo/r/w01?lang=en", "/c/demo/r/w99", "/c/nowhere/r/w01"],
	"GET /widget-demo": ["/widget-demo", "/widget-demo?centre=demo&lang=en", "/widget-demo?centre=nowhere"],
	"GET /widget.js": ["/widget.js"],
	"GET /public.js": ["/public.js"],
	"GET /public.css": ["/public.css"],
	"GET /": ["/", "/?centre=demo&lang=en"],
	"GET /app.js": ["/app.js"],
};

beforeAll(async () => {
	const base = demoCentre();
	const centre: Centre = {
		...base,
		alerts: { ...base.alerts, occupancy: { enabled: true, share: 0.1, criticalShare: 0.9 } },
	};
	// Three public requests a minute, so the fourth call above is refused (429).
	hub = await startTestHub(dir.path, { centres: [centre], checkResponses: log, publicRateLimit: 3, alertEveryMs: 50 });
	client = await connect(hub.mqttUrl);
	const publish = (node: string, kind: string, data: object) =>
		client.publishAsync(demoTopic(node, kind), JSON.stringify(payload(data)), { qos: 1 });
	for (const n of ["01", "02", "03"]) await publish(`win-${n}`, "status", { online: true, version: "1" });
	for (const t of ["A001", "A002", "A003", "A004"]) {
		await publish("terminal-1", "queue", { event: "issued", ticket: t, service: "passports" });
	}
	await publish("terminal-1", "queue", { event: "issued", ticket: "E001", service: "land", priority: "veteran" });
	const at = (w: string, event: string, ticket: string) =>
		publish(`win-${w}`, "queue", { event, ticket, service: "passports", window: `w${w}` });
	await at("01", "called", "A001");
	await at("01", "started", "A001");
	await at("01", "finished", "A001");
	await publish("win-01", "rating", { score: 4 });
	await publish("win-01", "rating", { score: 5 });
	await at("02", "called", "A002");
	await at("03", "called", "A002");
	await publish("door-main", "occupancy", { zone: "hall", count: 30 });
	await until(
		async () => (await hub.app.inject({ url: "/api/v1/centres/demo/alerts" })).json() as { alerts: { rule: string }[] },
		(a) => a.alerts.some((x) => x.rule === "occupancy"),
		{ what: "the occupancy alert" },
	);
	await until(
		() => hub.countEvents({ centre: "demo" }),
		(n) => n >= 16,
		{ what: "every event stored" },
	);
	log.checked.length = 0;
});

afterAll(async () => {
	await client?.endAsync();
	await hub?.close();
	dir.remove();
});

const routeKey = (r: { method: string; url: string }) => `${r.method} ${r.url}`;

describe("the HTTP API against its schemas", () => {
	it("has a response schema on every route, with the error envelope", () => {
		expect(log.routes.map(routeKey).sort()).toEqual(Object.keys(CALLS).sort());
		for (const r of log.routes) {
			const response = r.schema?.response ?? {};
			const ok = r.method === "POST" ? "201" : "200";
			expect(Object.keys(response), routeKey(r)).toEqual(expect.arrayContaining([ok, "400", "500"]));
		}
	});

	it("answers every route as its schema says, good requests and errors, nothing more and nothing less", async () => {
		const state = hub.live.state("demo");
		const issued = state?.tickets.get("A001")?.issuedId;
		if (!issued) throw new Error("A001 was not issued");
		learnt.ticketKey = ticketKey(issued);
		const page = await hub.app.inject({ url: "/c/demo/r/w01" });
		learnt.rateToken = /token="([^"]+)"/.exec(page.body)?.[1];
		log.checked.length = 0;
		for (const calls of Object.values(CALLS)) {
			for (const call of calls) {
				const c = typeof call === "string" ? { url: call } : call;
				const res = await hub.app.inject({
					url: c.url.replace("KEY", learnt.ticketKey ?? ""),
					method: c.method ?? "GET",
					...(c.body ? { payload: c.body() } : {}),
					...(c.headers ? { headers: c.headers() } : {}),
				});
				const answer = res.headers["content-type"]?.toString().startsWith("application/json") ? res.json() : {};
				if (c.url.endsWith("/ratings") && res.statusCode === 201) learnt.commentToken = answer.comment.token;
				if (c.url.endsWith("/wait") && res.statusCode === 200) learnt.etag = String(res.headers.etag);
			}
		}

		const problems = log.checked.filter((c) => c.problems.length > 0);
		expect(problems).toEqual([]);
		for (const [key, urls] of Object.entries(CALLS)) {
			if (key === "GET /api/v1/stream") continue; // its events are checked below
			const [method, route] = key.split(" ");
			const checks = log.checked.filter((c) => c.method === method && c.route === route);
			// A 304 has no body to check.
			const notModified = urls.filter((u) => typeof u !== "string" && u.headers).length;
			expect(checks.length, key).toBe(urls.length - notModified);
			expect(
				checks.some((c) => c.status === (method === "POST" ? 201 : 200)),
				key,
			).toBe(true);
		}
		// The errors the calls above were meant to give, each checked against the envelope.
		const statuses = new Set(log.checked.map((c) => `${c.route} ${c.status}`));
		for (const expected of [
			"/api/v1/centres/:centre/live 404",
			"/api/v1/centres/:centre/live 400",
			"/api/v1/centres/:centre/quality 400",
			"/api/v1/centres/:centre/history 400",
			"/api/v1/stream 404",
			"/api/v1/stream 400",
			"/api/public/v1/centres/:centre/wait 404",
			"/api/public/v1/centres/:centre/wait 429",
			"/api/public/v1/centres/:centre/tickets/:ticket 404",
			"/api/public/v1/centres/:centre/ratings 403",
			"/api/public/v1/centres/:centre/ratings 404",
			"/api/public/v1/centres/:centre/ratings 400",
			"/api/public/v1/centres/:centre/comments 403",
			"/c/:centre 404",
			"/c/:centre/r/:window 404",
		]) {
			expect(statuses).toContain(expected);
		}
	});

	it("had answers with their optional parts to check", async () => {
		const view = (await hub.app.inject({ url: "/api/v1/centres/demo/live" })).json() as LiveView;
		expect(view.services.some((s) => s.estimate)).toBe(true);
		expect(view.services.some((s) => s.noEstimate)).toBe(true);
		expect(view.windows.some((w) => w.ticket !== null && w.sinceS !== null)).toBe(true);
		expect(view.tickets.anomalies.called_twice).toBe(1);
		expect(view.ratings.mean).not.toBeNull();
		const history = (
			await hub.app.inject({ url: "/api/v1/centres/demo/history?measurement=rating&field=score&groupBy=window" })
		).json() as { rows: { group?: string }[] };
		expect(history.rows.some((r) => r.group === "w01")).toBe(true);
	});

	it("streams live events whose data matches the live view's schema exactly", async () => {
		const ctrl = new AbortController();
		const res = await fetch(`${hub.httpUrl}/api/v1/stream`, { signal: ctrl.signal });
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
		const reader = res.body?.getReader();
		if (!reader) throw new Error("no body");
		let text = "";
		while (!/event: live\nid: \d+\ndata: .*\n\n/.test(text)) {
			const { value, done } = await reader.read();
			if (done) break;
			text += new TextDecoder().decode(value);
		}
		ctrl.abort();
		const [, event, data] = /event: (\w+)\nid: \d+\ndata: (.*)\n\n/.exec(text) ?? [];
		expect(event).toBe("live");
		expect(strictChecker(STREAM_EVENTS.live)(JSON.parse(data ?? "null"))).toEqual([]);
	});

	it("serves /api/openapi.json: a valid OpenAPI 3 document of every route", async () => {
		const res = await fetch(`${hub.httpUrl}/api/openapi.json`);
		expect(res.status).toBe(200);
		const text = await res.text();
		// Throws with every problem if the document is not valid OpenAPI 3 (against the
		// specification's JSON schema, with its references resolved); nothing is fetched.
		await SwaggerParser.validate(JSON.parse(text), { resolve: { external: false } });
		const doc = JSON.parse(text) as {
			openapi: string;
			paths: Record<
				string,
				Record<string, { responses: Record<string, unknown>; tags?: string[]; operationId?: string; summary?: string }>
			>;
		};
		const operations = Object.values(doc.paths).flatMap((ops) => Object.values(ops));
		for (const op of operations) {
			expect(op.operationId).toMatch(/^[a-z][A-Za-z]+$/);
			expect(op.summary?.length).toBeGreaterThan(3);
			expect(op.tags?.length).toBe(1);
		}
		expect(new Set(operations.map((op) => op.operationId)).size).toBe(operations.length);
		expect(doc.openapi).toBe("3.0.3");
		const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
			Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
		);
		const routes = log.routes.map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, "{$1}")}`);
		expect(documented.sort()).toEqual(routes.sort());
		const wait = doc.paths["/api/public/v1/centres/{centre}/wait"]?.get;
		expect(wait?.tags).toEqual(["public"]);
		expect(Object.keys(wait?.responses ?? {}).sort()).toEqual(["200", "304", "400", "404", "429", "500"]);
		expect(JSON.stringify(wait?.responses[429])).toContain('"rate_limited"');
		const codes = new Set(JSON.stringify(doc).match(/"(?:[a-z]+_)*[a-z]+"/g));
		for (const code of HTTP_ERROR_CODES) if (code !== "not_found") expect(codes).toContain(`"${code}"`);
	});
});
