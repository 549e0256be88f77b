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
import { HTTP_ERROR_CODES } from "../../dashboard/errors.ts";
import { type ResponseLog, responseLog, strictChecker } from "../../dashboard/responseCheck.ts";
import { STREAM_EVENTS } from "../../dashboard/routes/stream.ts";
import type { Hub } from "../../server/hub.ts";
import { type Agent, addUser, asAdmin, signedIn, signIn, signInForm } from "../fixtures/auth.ts";
import { demoTopic, payload } from "../fixtures/events.ts";
import { connect, demoCentre, openHubClock, startTestHub, tempDir } from "../fixtures/hub.ts";
import { ticketLinks } from "../fixtures/ticketLinks.ts";
import { until } from "../fixtures/wait.ts";

const dir = tempDir();
const log: ResponseLog = responseLog();
let hub: Hub;
let client: MqttClient;

const today = new Date().toISOString().slice(0, 10);
const ROOT_PASSWORD = "root's long password";
/** `since` of the occupancy alert the events raise (for acknowledging it). */
let alertSince = 0;
let admin: Agent;
let viewer: Agent;
let stranger: Agent;
let hubNow: () => number;

/**
 * A request: a path (asked as GET with an admin's session), or a request with a body, asked as
 * someone: an admin (default), a viewer, a manager of another centre, a new admin's session
 * (to sign out or change the password of), nobody, or the sign-in form's session (`$token` in a
 * form is its CSRF token). A body or headers made when the call is sent (from what earlier
 * answers taught: `learnt`); `KEY` in the URL is the ticket link's token.
 */
type Call =
	| string
	| {
			url: string;
			as?: "admin" | "viewer" | "stranger" | "fresh" | "anonymous" | "sign-in-form";
			form?: Record<string, string>;
			json?: object | (() => object);
			headers?: () => Record<string, string>;
	  };

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
	"GET /api/v1/centres": ["/api/v1/centres", { url: "/api/v1/centres", as: "anonymous" }],
	"GET /api/v1/centres/:centre/live": [
		"/api/v1/centres/demo/live",
		"/api/v1/centres/nowhere/live",
		"/api/v1/centres/Not_An_Id/live",
		{ url: "/api/v1/centres/demo/live", as: "anonymous" },
		{ url: "/api/v1/centres/demo/live", as: "stranger" },
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
	"GET /api/v1/stream": [
		"/api/v1/stream?centre=nowhere",
		"/api/v1/stream?centre=Bad",
		{ url: "/api/v1/stream", as: "anonymous" },
		{ url: "/api/v1/stream?centre=demo", as: "stranger" },
	],
	"GET /api/public/v1/centres/:centre/wait": [
		"/api/public/v1/centres/demo/wait",
		"/api/public/v1/centres/nowhere/wait",
		{ url: "/api/public/v1/centres/demo/wait", headers: () => ({ "if-none-match": learnt.etag ?? "" }) },
		"/api/public/v1/centres/demo/wait",
	],
	"GET /api/public/v1/centres/:centre": ["/api/public/v1/centres/demo", "/api/public/v1/centres/nowhere"],
	"GET /api/public/v1/centres/:centre/tickets/:ticket": [
		"/api/public/v1/centres/demo/tickets/A003",
		{ url: "/api/public/v1/centres/demo/tickets/A001?k=KEY", as: "anonymous" },
		"/api/public/v1/centres/demo/tickets/Z999",
	],
	"POST /api/public/v1/centres/:centre/ratings": [
		{
			url: "/api/public/v1/centres/demo/ratings",
			as: "anonymous",
			json: () => ({ token: learnt.rateToken, score: 5 }),
		},
		{
			url: "/api/public/v1/centres/demo/ratings",
			as: "anonymous",
			json: () => ({ token: learnt.rateToken, score: 4 }),
		},
		{ url: "/api/public/v1/centres/nowhere/ratings", as: "anonymous", json: () => ({ token: "x", score: 4 }) },
		{ url: "/api/public/v1/centres/demo/ratings", as: "anonymous", json: () => ({ score: 4 }) },
	],
	"POST /api/public/v1/centres/:centre/comments": [
		{
			url: "/api/public/v1/centres/demo/comments",
			as: "anonymous",
			json: () => ({ token: learnt.commentToken, text: "Швидко і ввічливо" }),
		},
		{
			url: "/api/public/v1/centres/demo/comments",
			as: "anonymous",
			json: () => ({ token: "forged.token", text: "x" }),
		},
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
	"GET /": ["/", "/?centre=demo&lang=en", { url: "/?centre=demo", as: "anonymous" }],
	...Object.fromEntries(
		["/quality", "/history", "/alerts", "/devices", "/network", "/report"].map((path) => [
			`GET ${path}`,
			[`${path}?centre=demo`, { url: path, as: "anonymous" }],
		]),
	),
	"GET /api/v1/centres/:centre/trends": [
		"/api/v1/centres/demo/trends",
		`/api/v1/centres/demo/trends?from=${today}&step=15m`,
		"/api/v1/centres/demo/trends?step=2h",
		"/api/v1/centres/nowhere/trends",
	],
	"GET /api/v1/centres/:centre/alerts/history": [
		"/api/v1/centres/demo/alerts/history",
		"/api/v1/centres/demo/alerts/history?from=2026-13-01",
		"/api/v1/centres/nowhere/alerts/history",
	],
	"POST /api/v1/centres/:centre/alerts/ack": [
		{ url: "/api/v1/centres/demo/alerts/ack", json: { key: "occupancy:hall", since: "$since", comment: "seen" } },
		{ url: "/api/v1/centres/demo/alerts/ack", json: { key: "occupancy:hall", since: 1, comment: "" } },
		{ url: "/api/v1/centres/demo/alerts/ack", json: { key: "occupancy:hall" } },
		{ url: "/api/v1/centres/demo/alerts/ack", as: "viewer", json: { key: "occupancy:hall", since: 1, comment: "" } },
	],
	"GET /api/v1/centres/:centre/devices": [
		"/api/v1/centres/demo/devices",
		"/api/v1/centres/nowhere/devices",
		{ url: "/api/v1/centres/demo/devices", as: "viewer" },
	],
	"POST /api/v1/centres/:centre/devices/:node/identify": [
		{ url: "/api/v1/centres/demo/devices/win-01/identify", json: { seconds: 1 } },
		{ url: "/api/v1/centres/demo/devices/win-99/identify", json: {} },
		{ url: "/api/v1/centres/demo/devices/win-01/identify", json: { seconds: 0 } },
		{ url: "/api/v1/centres/demo/devices/win-01/identify", as: "viewer", json: {} },
	],
	"GET /api/v1/network": ["/api/v1/network", "/api/v1/network?centre=demo", { url: "/api/v1/network", as: "viewer" }],
	"GET /api/v1/centres/:centre/best-times": ["/api/v1/centres/demo/best-times", "/api/v1/centres/nowhere/best-times"],
	"GET /api/v1/centres/:centre/export/:table": [
		"/api/v1/centres/demo/export/service-levels",
		"/api/v1/centres/demo/export/live-windows?lang=en",
		"/api/v1/centres/demo/export/trends?step=1d",
		"/api/v1/centres/demo/export/bogus",
		"/api/v1/centres/nowhere/export/alerts",
		{ url: "/api/v1/centres/demo/export/devices", as: "viewer" },
	],
	"GET /api/v1/export/network": ["/api/v1/export/network", "/api/v1/export/network?lang=en"],
	"GET /app.js": ["/app.js", { url: "/app.js", as: "anonymous" }],
	// The demo's board is public; one behind sign-in: test/integration/board.test.ts.
	"GET /board/:centre": [{ url: "/board/demo", as: "anonymous" }, "/board/nowhere", "/board/Bad"],
	"GET /board.js": [{ url: "/board.js", as: "anonymous" }],
	"GET /board/:centre/stream": ["/board/nowhere/stream", "/board/Bad/stream"],
	"GET /desk/:centre/:window": [
		"/desk/demo/w03",
		"/desk/demo/w99",
		"/desk/nowhere/w03",
		{ url: "/desk/demo/w03", as: "viewer" },
	],
	"GET /desk.js": ["/desk.js", { url: "/desk.js", as: "anonymous" }],
	"POST /api/v1/desk/:centre/:window/:action": [
		{ url: "/api/v1/desk/demo/w05/start", as: "fresh", json: {} },
		{ url: "/api/v1/desk/demo/w05/next", as: "fresh", json: {} },
		{ url: "/api/v1/desk/demo/w05/dance", as: "fresh", json: {} },
		{ url: "/api/v1/desk/demo/w05/next", as: "viewer", json: {} },
	],
	// A call of the board is added in beforeAll, once there is one.
	"GET /board/:centre/say/:call": [{ url: "/board/demo/say/nothing", as: "anonymous" }, "/board/demo/say/no%20such"],
	"GET /login": [
		{ url: "/login", as: "anonymous" },
		{ url: "/login?lang=en&next=%2F%3Fcentre%3Ddemo&out=1", as: "anonymous" },
		"/login?next=/api/v1/centres",
		{ url: "/login?lang=fr", as: "anonymous" },
	],
	"POST /login": [
		{ url: "/login", as: "sign-in-form", form: { user: "root", password: ROOT_PASSWORD, _csrf: "$token", next: "/" } },
		{ url: "/login", as: "sign-in-form", form: { user: "root", password: "wrong", _csrf: "$token" } },
		{ url: "/login", as: "sign-in-form", form: { user: "root", _csrf: "$token" } },
		{ url: "/login", as: "sign-in-form", form: { user: "root", password: ROOT_PASSWORD, _csrf: "forged" } },
	],
	"POST /logout": [
		{ url: "/logout", as: "fresh", form: { _csrf: "$token" } },
		{ url: "/logout", as: "fresh", form: {} },
		{ url: "/logout", as: "anonymous", form: {} },
	],
	"GET /api/v1/session": ["/api/v1/session", { url: "/api/v1/session", as: "anonymous" }],
	"POST /api/v1/session/password": [
		{ url: "/api/v1/session/password", as: "fresh", json: { current: "$password", password: "a new password here" } },
		{ url: "/api/v1/session/password", as: "fresh", json: { current: "not it", password: "a new password here" } },
		{ url: "/api/v1/session/password", as: "fresh", json: { current: "$password", password: "short" } },
		{ url: "/api/v1/session/password", as: "viewer", json: { current: "$password", password: "a new password here" } },
	],
};

beforeAll(async () => {
	const base = demoCentre();
	const centre: Centre = {
		...base,
		alerts: { ...base.alerts, occupancy: { enabled: true, share: 0.1, criticalShare: 0.9 } },
	};
	hubNow = openHubClock(centre);
	// Three public requests a minute, so the fourth call above is refused (429).
	hub = await startTestHub(dir.path, {
		centres: [centre],
		checkResponses: log,
		publicRateLimit: 3,
		alertEveryMs: 50,
		// Noon of a day the centre is open: every answer has its estimates, whenever the suite runs.
		now: hubNow,
	});
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
	const alerts = await until(
		async () =>
			(await (await asAdmin(hub)).inject("/api/v1/centres/demo/alerts")).json() as {
				alerts: { rule: string; since: number }[];
			},
		(a) => a.alerts.some((x) => x.rule === "occupancy"),
		{ what: "the occupancy alert" },
	);
	alertSince = alerts.alerts.find((x) => x.rule === "occupancy")?.since ?? 0;
	await until(
		() => hub.countEvents({ centre: "demo" }),
		(n) => n >= 16,
		{ what: "every event stored" },
	);
	await addUser(hub, { name: "root", password: ROOT_PASSWORD });
	const call = hub.calls.latest("demo")[0]?.id;
	if (call) CALLS["GET /board/:centre/say/:call"]?.push({ url: `/board/demo/say/${call}`, as: "anonymous" });
	admin = await signedIn(hub);
	viewer = await signedIn(hub, { role: "viewer", centres: ["demo"] });
	stranger = await signedIn(hub, { role: "manager", centres: ["elsewhere"] });
	log.checked.length = 0;
});

/** Ask for one call of a route as CALLS says. */
async function ask(key: string, call: Call) {
	const method = key.split(" ")[0] as "GET" | "POST";
	const c = typeof call === "string" ? { url: call } : call;
	// Getting a form or a session asks the hub too: those answers are not this call's.
	const setupFrom = log.checked.length;
	const as = c.as ?? "admin";
	let agent: Agent | undefined;
	let cookie: string | undefined;
	let token = "";
	let password = "";
	if (as === "sign-in-form") ({ cookie, token } = await signInForm(hub.httpUrl));
	else if (as === "fresh") {
		const user = await addUser(hub);
		agent = await signIn(hub, user);
		password = user.password;
	} else if (as !== "anonymous") agent = { admin, viewer, stranger }[as];
	if (agent) {
		cookie = agent.cookie;
		token = agent.csrf;
		password ||= agent.user.password;
	}
	log.checked.splice(setupFrom);
	const fill = (o: object) =>
		JSON.parse(
			JSON.stringify(o)
				.replace('"$token"', JSON.stringify(token))
				.replace('"$password"', JSON.stringify(password))
				.replace('"$since"', String(alertSince)),
		);
	const headers: Record<string, string> = { ...(cookie ? { cookie } : {}), ...c.headers?.() };
	let payload: string | undefined;
	if (c.form) {
		headers["content-type"] = "application/x-www-form-urlencoded";
		payload = new URLSearchParams(fill(c.form)).toString();
	} else if (c.json) {
		headers["content-type"] = "application/json";
		// The session's token where a page's script would send it; the form's field for forms.
		if (token) headers["x-csrf-token"] = token;
		payload = JSON.stringify(fill(typeof c.json === "function" ? c.json() : c.json));
	}
	const url = c.url.replace("KEY", learnt.ticketKey ?? "");
	return hub.app.inject({ method, url, headers, ...(payload !== undefined ? { payload } : {}) });
}

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
			expect(Object.keys(response), routeKey(r)).toEqual(expect.arrayContaining(["400", "500"]));
			expect(
				Object.keys(response).some((s) => /^[23]\d\d$/.test(s)),
				routeKey(r),
			).toBe(true);
		}
	});

	it("answers every route as its schema says, good requests and errors, nothing more and nothing less", async () => {
		learnt.ticketKey = (await ticketLinks(dir.path))("A001", hubNow());
		const page = await hub.app.inject({ url: "/c/demo/r/w01" });
		learnt.rateToken = /token="([^"]+)"/.exec(page.body)?.[1];
		log.checked.length = 0;
		for (const [key, calls] of Object.entries(CALLS))
			for (const call of calls) {
				const res = await ask(key, call);
				const url = typeof call === "string" ? call : call.url;
				if (url.endsWith("/ratings") && res.statusCode === 201) learnt.commentToken = res.json().comment.token;
				if (url.endsWith("/wait") && res.statusCode === 200) learnt.etag = String(res.headers.etag);
			}

		const problems = log.checked.filter((c) => c.problems.length > 0);
		expect(problems).toEqual([]);
		for (const [key, urls] of Object.entries(CALLS)) {
			// Their events are checked below (the live stream) and in board.test.ts (the board's).
			if (key === "GET /api/v1/stream" || key === "GET /board/:centre/stream") continue;
			const [method, route] = key.split(" ");
			const checks = log.checked.filter((c) => c.method === method && c.route === route);
			// A 304 too: an answer without a body, its status declared.
			expect(checks.length, key).toBe(urls.length);
			expect(
				checks.some((c) => c.status < 400),
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
			"/api/v1/centres/:centre/live 401",
			"/api/v1/centres/:centre/live 403",
			"/api/v1/centres 401",
			"/app.js 401",
			"/ 303",
			"/login 200",
			"/login 303",
			"/login 400",
			"/login 401",
			"/login 403",
			"/logout 303",
			"/logout 403",
			"/logout 401",
			"/api/v1/session 200",
			"/api/v1/session 401",
			"/api/v1/session/password 204",
			"/api/v1/session/password 400",
			"/api/v1/session/password 403",
			"/api/public/v1/centres/:centre/wait 404",
			"/api/public/v1/centres/:centre/wait 429",
			"/api/public/v1/centres/:centre/wait 304",
			"/api/v1/centres/:centre/alerts/ack 200",
			"/api/v1/centres/:centre/alerts/ack 404",
			"/api/v1/centres/:centre/alerts/ack 400",
			"/api/v1/centres/:centre/alerts/ack 403",
			"/api/v1/centres/:centre/devices/:node/identify 202",
			"/api/v1/centres/:centre/devices/:node/identify 404",
			"/api/v1/centres/:centre/devices/:node/identify 400",
			"/api/v1/centres/:centre/devices/:node/identify 403",
			"/api/v1/centres/:centre/export/:table 200",
			"/api/v1/centres/:centre/export/:table 400",
			"/api/v1/centres/:centre/export/:table 403",
			"/api/v1/centres/:centre/export/:table 404",
			"/api/v1/network 403",
			"/quality 303",
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
		const view = (await admin.inject("/api/v1/centres/demo/live")).json() as LiveView;
		expect(view.services.some((s) => s.estimate)).toBe(true);
		expect(view.services.some((s) => s.noEstimate)).toBe(true);
		expect(view.windows.some((w) => w.ticket !== null && w.sinceS !== null)).toBe(true);
		expect(view.tickets.anomalies.called_twice).toBe(1);
		expect(view.ratings.mean).not.toBeNull();
		const history = (
			await admin.inject("/api/v1/centres/demo/history?measurement=rating&field=score&groupBy=window")
		).json() as { rows: { group?: string }[] };
		expect(history.rows.some((r) => r.group === "w01")).toBe(true);
	});

	it("streams live and alerts events whose data match their schemas exactly", async () => {
		const ctrl = new AbortController();
		const res = await admin.fetch("/api/v1/stream", { signal: ctrl.signal });
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
		const reader = res.body?.getReader();
		if (!reader) throw new Error("no body");
		const decoder = new TextDecoder();
		let text = "";
		while (!/event: live\nid: \d+\ndata: .*\n\n/.test(text)) {
			const { value, done } = await reader.read();
			if (done) break;
			text += decoder.decode(value, { stream: true });
		}
		while (!/event: alerts\nid: \d+\ndata: .*\n\n/.test(text)) {
			const { value, done } = await reader.read();
			if (done) break;
			text += decoder.decode(value, { stream: true });
		}
		ctrl.abort();
		const [, event, data] = /event: (\w+)\nid: \d+\ndata: (.*)\n\n/.exec(text) ?? [];
		expect(event).toBe("live");
		expect(strictChecker(STREAM_EVENTS.live)(JSON.parse(data ?? "null"))).toEqual([]);
		const alerts = /event: alerts\nid: \d+\ndata: (.*)\n\n/.exec(text)?.[1];
		const parsed = JSON.parse(alerts ?? "null") as { alerts: unknown[]; records: unknown[] };
		expect(strictChecker(STREAM_EVENTS.alerts)(parsed)).toEqual([]);
		expect(parsed.alerts.length).toBeGreaterThan(0);
		expect(parsed.records.length).toBeGreaterThan(0);
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
