/**
 * Sign-in and roles against a real hub over real HTTP: users made by `vikno user` (a real
 * process) on the hub's data dir; every route of the hub's table refused without a session unless
 * it is one of the few public ones; a manager refused another centre; a viewer refused changes;
 * CSRF; the lock-out and its end, sessions' ends (sign-out, idle, absolute, the user removed or
 * given a new password), all on the hub's clock moved by the test — no sleeps.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LiveView } from "../../core/liveView.ts";
import type { ResponseLog } from "../../dashboard/responseCheck.ts";
import { responseLog } from "../../dashboard/responseCheck.ts";
import type { Hub } from "../../server/hub.ts";
import {
	type Agent,
	addUser,
	addUserWithCli,
	postSignIn,
	sessionCookie,
	signedIn,
	signIn,
	signInForm,
} from "../fixtures/auth.ts";
import { configCentre } from "../fixtures/centres.ts";
import { payload } from "../fixtures/events.ts";
import { connect, demoCentre, metric, startTestHub, tempDir } from "../fixtures/hub.ts";
import { until } from "../fixtures/wait.ts";

const BIN = fileURLToPath(new URL("../../bin/vikno.js", import.meta.url));
const MINUTE = 60_000;

/** The routes anyone may ask, without a session. Every other route of the hub must refuse. */
const PUBLIC = new Set([
	"GET /healthz",
	"GET /api/openapi.json",
	"GET /api/public/v1/centres/:centre/wait",
	"GET /api/public/v1/centres/:centre",
	"GET /api/public/v1/centres/:centre/tickets/:ticket",
	"POST /api/public/v1/centres/:centre/ratings",
	"POST /api/public/v1/centres/:centre/comments",
	"GET /c/:centre",
	"GET /c/:centre/t",
	"GET /c/:centre/t/:ticket",
	"GET /c/:centre/r/:window",
	"GET /widget.js",
	"GET /widget-demo",
	"GET /public.js",
	"GET /public.css",
	"GET /login",
	"POST /login",
	"GET /board.js",
]);
/**
 * The hall board's routes: public for a centre whose file says `board.public` (the demo's), and
 * otherwise as any read of the centre (lutsk's): checked with lutsk below.
 */
const BOARD = new Set(["GET /board/:centre", "GET /board/:centre/stream", "GET /board/:centre/say/:call"]);

const dir = tempDir();
const log: ResponseLog = responseLog();
const clock = { now: Date.now() };
let hub: Hub;

beforeAll(async () => {
	hub = await startTestHub(dir.path, {
		centres: [demoCentre(), configCentre("lutsk")],
		now: () => clock.now,
		checkResponses: log,
	});
});

afterAll(async () => {
	await hub?.close();
	dir.remove();
});

/** An SSE stream being read: how many live events of a centre came, and waiting for more. */
function sse(res: Response) {
	const reader = res.body?.getReader();
	if (!reader) throw new Error("no body");
	const decoder = new TextDecoder();
	let text = "";
	const count = (centre: string) => text.split(`"centre":"${centre}"`).length - 1;
	return {
		count,
		async until(centre: string, n: number) {
			while (count(centre) < n) {
				const { value, done } = await reader.read();
				if (done) throw new Error(`stream ended with ${count(centre)} events of ${centre}`);
				text += decoder.decode(value, { stream: true });
			}
		},
	};
}

const body = async (res: Response) => (await res.json()) as { error: { code: string; message: string } };
const metrics = async () => (await fetch(`${hub.httpUrl}/metrics`)).text();

/** A path of a route with its parameters filled in. */
const pathOf = (url: string, centre = "demo") =>
	url
		.replace(":centre", centre)
		.replace(":node", "win-01")
		.replace(":table", "service-levels")
		.replace(":call", "c1")
		.replace(":window", "w01")
		.replace(":ticket", "A001")
		.replace(":action", "recall");

/** A request a route takes: the query it needs, the JSON body of a POST. */
function requestOf(r: { method: string; url: string }, centre: string): [string, RequestInit] {
	const query = r.url.endsWith("/history") ? "?measurement=rating&field=score" : "";
	const body = r.url.endsWith("/ack")
		? { key: "wait:nowhere", since: 0, comment: "" }
		: r.url.endsWith("/identify")
			? { seconds: 1 }
			: undefined;
	const init: RequestInit = body
		? { method: r.method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) }
		: { method: r.method };
	return [`${pathOf(r.url, centre)}${query}`, init];
}

/**
 * What a user allowed to ask the route gets for `requestOf`: 200, or what the made-up request
 * earns (no such alert; a blink sent; a recall at a window that has called nobody).
 */
const allowedStatus = (url: string) =>
	url.endsWith("/ack") ? 404 : url.endsWith("/identify") ? 202 : url.endsWith("/:action") ? 409 : 200;

describe("users made with vikno user", () => {
	it("sign in with the password the command printed, and only with it", async () => {
		const olena = await addUserWithCli(dir.path, { name: "olena", role: "manager", centres: ["demo"] });
		const wrong = await postSignIn(hub.httpUrl, await signInForm(hub.httpUrl), "olena", `${olena.password}x`);
		expect(wrong.status).toBe(401);
		expect(await wrong.text()).toContain("Невірне імʼя користувача або пароль.");
		expect(sessionCookie(wrong)).toBeUndefined();

		// The name is taken in any case, as people type it.
		const manager = await signIn(hub, { name: " Olena ", password: olena.password });
		expect((await manager.fetch("/api/v1/centres/demo/live")).status).toBe(200);
		expect(await manager.json("/api/v1/session")).toMatchObject({
			user: { name: "olena", role: "manager", centres: ["demo"] },
		});
	});
});

describe("without a session", () => {
	it("every route of the hub but the public ones refuses: 401 from the API and the stream, the page to /login", async () => {
		const routes = log.routes.map((r) => ({ key: `${r.method} ${r.url}`, method: r.method, url: r.url, page: r.page }));
		expect(routes.length).toBeGreaterThan(12);
		const guarded = routes.filter((r) => !PUBLIC.has(r.key));
		expect(guarded.filter((r) => BOARD.has(r.key))).toHaveLength(BOARD.size);
		expect(guarded.map((r) => r.key)).toEqual(
			expect.arrayContaining([
				"GET /api/v1/stream",
				"GET /api/v1/centres/:centre/live",
				"GET /",
				"GET /quality",
				"GET /devices",
				"POST /logout",
				"POST /api/v1/centres/:centre/alerts/ack",
				"POST /api/v1/centres/:centre/devices/:node/identify",
				"GET /api/v1/centres/:centre/export/:table",
				"GET /api/v1/network",
			]),
		);
		for (const r of guarded) {
			// The board of a centre that keeps it behind sign-in.
			const centre = BOARD.has(r.key) ? "lutsk" : "demo";
			const res = await fetch(`${hub.httpUrl}${pathOf(r.url, centre)}`, {
				method: r.method,
				redirect: "manual",
				...(r.method === "POST" ? { headers: { "content-type": "application/json" }, body: "{}" } : {}),
			});
			if (r.url === "/metrics") {
				// Not a session's: a token, or a loopback client (this one) — see below.
				expect(res.status, r.key).toBe(200);
				continue;
			}
			// A page (the manager's views, a console, a board behind sign-in) sends a person to sign in.
			if (r.page || r.key === "GET /board/:centre") {
				expect(res.status, r.key).toBe(303);
				const next = encodeURIComponent(pathOf(r.url, centre));
				expect(res.headers.get("location"), r.key).toBe(`/login?next=${next}`);
				continue;
			}
			expect(res.status, r.key).toBe(401);
			expect((await body(res)).error.code, r.key).toBe("unauthorized");
		}
	});

	it("the public API, the residents' pages, /healthz, the OpenAPI document and the sign-in page answer anyone", async () => {
		for (const key of PUBLIC) {
			const [method, url] = key.split(" ") as [string, string];
			if (method !== "GET") continue;
			const res = await fetch(`${hub.httpUrl}${pathOf(url)}${url === "/c/:centre/t" ? "?ticket=A001" : ""}`);
			// No ticket was issued here: the ticket's answer is its own 404, not a refusal.
			if (key === "GET /api/public/v1/centres/:centre/tickets/:ticket") {
				expect(res.status, key).toBe(404);
				expect((await body(res)).error.code, key).toBe("unknown_ticket");
			} else expect(res.status, key).toBe(200);
		}
	});

	it("a made-up or another hub's session cookie is no session", async () => {
		for (const cookie of ["vikno_session=abc", "vikno_session=abc.def", "vikno_session="]) {
			const res = await fetch(`${hub.httpUrl}/api/v1/centres`, { headers: { cookie } });
			expect(res.status, cookie).toBe(401);
		}
	});
});

describe("roles", () => {
	let manager: Agent;
	let viewer: Agent;
	let admin: Agent;
	beforeAll(async () => {
		manager = await signedIn(hub, { role: "manager", centres: ["demo"] });
		viewer = await signedIn(hub, { role: "viewer", centres: ["lutsk"] });
		admin = await signedIn(hub);
	});

	it("a manager of one centre gets 403 for every route of another, and sees only their centres", async () => {
		// Every route of a centre but the board's voice (below: it needs a call) and the board of a
		// centre whose board is public.
		const byCentre = log.routes.filter(
			(r) => r.url.includes(":centre") && !PUBLIC.has(`${r.method} ${r.url}`) && !r.url.includes(":call"),
		);
		expect(byCentre.length).toBeGreaterThanOrEqual(14);
		for (const r of byCentre) {
			const key = `${r.method} ${r.url}`;
			const ask = async (a: Agent, centre: string) => (await a.fetch(...requestOf(r, centre))).status;
			expect(await ask(manager, "lutsk"), key).toBe(403);
			// An admin's task is refused a manager for their own centre too.
			expect(await ask(manager, "demo"), key).toBe(r.access === "admin" ? 403 : allowedStatus(r.url));
			expect(await ask(admin, "lutsk"), key).toBe(allowedStatus(r.url));
		}
		// The board's voice: another centre's is refused; at one's own, no such call yet.
		expect((await manager.fetch("/board/lutsk/say/c1")).status).toBe(403);
		expect(await body(await manager.fetch("/board/demo/say/c1"))).toMatchObject({ error: { code: "no_speech" } });
		const stream = await manager.fetch("/api/v1/stream?centre=lutsk");
		expect(stream.status).toBe(403);
		expect(await body(stream)).toEqual({ error: { code: "forbidden", message: expect.stringContaining("lutsk") } });
		// A centre that does not exist is refused the same way: the answer tells nothing about others.
		expect((await manager.fetch("/api/v1/centres/nowhere/live")).status).toBe(403);
		expect((await admin.fetch("/api/v1/centres/nowhere/live")).status).toBe(404);

		const ids = async (a: Agent) =>
			(await a.json<{ centres: { id: string }[] }>("/api/v1/centres")).centres.map((c) => c.id);
		expect(await ids(manager)).toEqual(["demo"]);
		expect(await ids(viewer)).toEqual(["lutsk"]);
		expect(await ids(admin)).toEqual(["demo", "lutsk"]);
		expect(metric(await metrics(), 'vikno_access_refused_total{reason="centre"}')).toBeGreaterThanOrEqual(7);
	});

	it("a stream without a centre carries only the user's centres", async () => {
		const ctrl = new AbortController();
		const mine = sse(await manager.fetch("/api/v1/stream", { signal: ctrl.signal }));
		const all = sse(await admin.fetch("/api/v1/stream", { signal: ctrl.signal }));
		await mine.until("demo", 1);
		await all.until("lutsk", 1);
		const client = await connect(hub.mqttUrl);
		try {
			const issued = () => JSON.stringify(payload({ event: "issued", ticket: "A100", service: "passports" }));
			await client.publishAsync("vikno/v1/lutsk/terminal-1/queue", issued(), { qos: 1 });
			await all.until("lutsk", 2);
			// A marker after it: the manager's stream shows demo's change, and lutsk's never came before it.
			await client.publishAsync("vikno/v1/demo/terminal-1/queue", issued(), { qos: 1 });
			await mine.until("demo", 2);
		} finally {
			ctrl.abort();
			await client.endAsync();
		}
		expect(mine.count("lutsk")).toBe(0);
	});

	it("a viewer reads but changes nothing, even with the session's CSRF token; signing out is theirs", async () => {
		expect((await viewer.fetch("/api/v1/centres/lutsk/live")).status).toBe(200);
		const change = await viewer.fetch("/api/v1/session/password", {
			method: "POST",
			headers: { "content-type": "application/json" },
			body: JSON.stringify({ current: viewer.user.password, password: "a new password for the wall" }),
		});
		expect(change.status).toBe(403);
		expect((await body(change)).error).toEqual({ code: "forbidden", message: "a viewer may not change anything" });
		const ack = await viewer.fetch("/api/v1/centres/lutsk/alerts/ack", {
			method: "POST",
			headers: { "content-type": "application/json" },
			body: JSON.stringify({ key: "wait:passports", since: 0, comment: "seen" }),
		});
		expect(ack.status).toBe(403);
		for (const path of ["/api/v1/centres/lutsk/devices", "/api/v1/network", "/api/v1/centres/lutsk/export/devices"])
			expect((await viewer.fetch(path)).status, path).toBe(403);
		const out = await viewer.fetch("/logout", { method: "POST", body: new URLSearchParams({}), redirect: "manual" });
		expect(out.status).toBe(303);
		expect((await viewer.fetch("/api/v1/centres/lutsk/live")).status).toBe(401);
	});
});

describe("CSRF", () => {
	it("refuses a state-changing request without the session's token, or with another session's", async () => {
		const a = await signedIn(hub, { role: "manager", centres: ["demo"] });
		const b = await signedIn(hub, { role: "manager", centres: ["demo"] });
		const post = (headers: Record<string, string>) =>
			fetch(`${hub.httpUrl}/api/v1/session/password`, {
				method: "POST",
				headers: { cookie: a.cookie, "content-type": "application/json", ...headers },
				body: JSON.stringify({ current: a.user.password, password: "another long password" }),
			});
		const tokens: Record<string, string>[] = [{}, { "x-csrf-token": b.csrf }, { "x-csrf-token": "forged" }];
		for (const headers of tokens) {
			const res = await post(headers);
			expect(res.status).toBe(403);
			expect((await body(res)).error.code).toBe("bad_csrf_token");
		}
		// A form another site makes the browser post: no token, and the session goes on.
		const out = await fetch(`${hub.httpUrl}/logout`, {
			method: "POST",
			redirect: "manual",
			headers: { cookie: a.cookie, "content-type": "application/x-www-form-urlencoded" },
			body: "lang=uk",
		});
		expect(out.status).toBe(403);
		expect((await a.fetch("/api/v1/session")).status).toBe(200);
		expect((await post({ "x-csrf-token": a.csrf })).status).toBe(204);
		expect(
			metric(await metrics(), 'vikno_http_errors_total{status="403",code="bad_csrf_token"}'),
		).toBeGreaterThanOrEqual(4);
	});

	it("the sign-in form needs its own token: without it, the form again", async () => {
		const user = await addUser(hub);
		const form = await signInForm(hub.httpUrl);
		const forged = await postSignIn(hub.httpUrl, { ...form, token: "forged" }, user.name, user.password);
		expect(forged.status).toBe(403);
		expect(sessionCookie(forged)).toBeUndefined();
		const page = await forged.text();
		expect(page).toContain("Сторінка входу застаріла");
		// The form again carries a token that works.
		const token = /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? "";
		expect((await postSignIn(hub.httpUrl, { ...form, token }, user.name, user.password)).status).toBe(303);

		// Without the form's session (it ended, or a page of another site posts): refused; the form
		// again starts a new one.
		const noSession = await postSignIn(hub.httpUrl, { cookie: "", token: form.token }, user.name, user.password);
		expect(noSession.status).toBe(403);
		expect(sessionCookie(noSession)).toBeDefined();
		expect(metric(await metrics(), 'vikno_sign_ins_total{result="bad_csrf_token"}')).toBe(2);
	});
});

describe("lock-out", () => {
	it("locks a name after 5 wrong passwords, refuses even the right one, and lifts after 15 minutes", async () => {
		const user = await addUser(hub, { role: "manager", centres: ["demo"] });
		const before = metric(await metrics(), "vikno_sign_in_lockouts_total");
		const attempt = async (password: string) =>
			postSignIn(hub.httpUrl, await signInForm(hub.httpUrl), user.name, password);
		for (let i = 1; i <= 4; i++) expect((await attempt(`wrong ${i}`)).status).toBe(401);
		const fifth = await attempt("wrong 5");
		expect(fifth.status).toBe(423);
		expect(await fifth.text()).toMatch(/заблоковано до \d\d:\d\d/);
		const right = await attempt(user.password);
		expect(right.status).toBe(423);
		expect(Number(right.headers.get("retry-after"))).toBeGreaterThan(14 * 60);
		expect(sessionCookie(right)).toBeUndefined();
		const m = await metrics();
		expect(metric(m, "vikno_sign_in_lockouts_total")).toBe(before + 1);
		expect(metric(m, 'vikno_sign_ins_total{result="locked"}')).toBeGreaterThanOrEqual(1);

		clock.now += 15 * MINUTE - 1_000;
		expect((await attempt(user.password)).status).toBe(423);
		clock.now += 1_000;
		expect((await attempt(user.password)).status).toBe(303);
	});

	it("locks a name that does not exist the same way, so the answers tell no names", async () => {
		const attempt = async (name: string) =>
			(await postSignIn(hub.httpUrl, await signInForm(hub.httpUrl), name, "guess")).status;
		const statuses = [];
		for (let i = 0; i < 6; i++) statuses.push(await attempt("nobody"));
		expect(statuses).toEqual([401, 401, 401, 401, 423, 423]);
		clock.now += 15 * MINUTE;
	});
});

describe("the end of a session", () => {
	/** Read an SSE stream until it ends; resolves with what came. */
	const readToEnd = async (res: Response) => {
		const reader = res.body?.getReader();
		if (!reader) throw new Error("no body");
		const decoder = new TextDecoder();
		let text = "";
		for (;;) {
			const { value, done } = await reader.read();
			if (done) return text;
			text += decoder.decode(value, { stream: true });
		}
	};

	it("sign-out ends it on the hub: the old cookie gets 401, and its open stream closes", async () => {
		const a = await signedIn(hub, { role: "manager", centres: ["demo"] });
		const stream = await a.fetch("/api/v1/stream?centre=demo");
		expect(stream.status).toBe(200);
		const ended = readToEnd(stream);
		const out = await a.fetch("/logout", { method: "POST", body: new URLSearchParams({}), redirect: "manual" });
		expect(out.status).toBe(303);
		expect(out.headers.get("location")).toBe("/login?out=1");
		expect(await ended).toContain("event: live");
		for (const path of ["/api/v1/centres", "/api/v1/session", "/api/v1/stream?centre=demo"])
			expect((await a.fetch(path)).status, path).toBe(401);
		expect((await a.fetch("/", { redirect: "manual" })).status).toBe(303);
	});

	it("ends after 30 minutes unused; use keeps it, until 12 hours after sign-in", async () => {
		const a = await signedIn(hub, { role: "manager", centres: ["demo"] });
		const started = clock.now;
		while (clock.now + 20 * MINUTE < started + 12 * 60 * MINUTE) {
			clock.now += 20 * MINUTE;
			expect((await a.fetch("/api/v1/centres")).status, `${(clock.now - started) / MINUTE} min`).toBe(200);
		}
		clock.now = started + 12 * 60 * MINUTE;
		expect((await a.fetch("/api/v1/centres")).status).toBe(401);

		const b = await signedIn(hub, { role: "manager", centres: ["demo"] });
		clock.now += 30 * MINUTE - 1;
		expect((await b.fetch("/api/v1/session")).status).toBe(200);
		clock.now += 30 * MINUTE;
		expect((await b.fetch("/api/v1/session")).status).toBe(401);
	});

	it("an open stream keeps its session from idling, and closes when the session expires", async () => {
		const a = await signedIn(hub, { role: "manager", centres: ["demo"] });
		const started = clock.now;
		const ended = readToEnd(await a.fetch("/api/v1/stream?centre=demo"));
		let open = true;
		ended.then(() => {
			open = false;
		});
		clock.now = started + 12 * 60 * MINUTE;
		// Reading /metrics counts the sessions, ending the expired ones (as the hub's sweep does).
		await until(
			async () => {
				await metrics();
				return open;
			},
			(o) => !o,
			{ what: "the stream of the expired session to close" },
		);
		expect((await a.fetch("/api/v1/session")).status).toBe(401);
	});

	it("ends when vikno user removes the user, or gives them a new password", async () => {
		const user = await addUserWithCli(dir.path, { role: "manager", centres: ["demo"] });
		const first = await signIn(hub, user);
		const second = await signIn(hub, user);
		const run = promisify(execFile);
		const { stdout } = await run(process.execPath, [BIN, "user", "passwd", user.name, "--json", "--data", dir.path]);
		const password = (JSON.parse(stdout) as { password: string }).password;
		expect((await first.fetch("/api/v1/session")).status).toBe(401);
		expect((await second.fetch("/api/v1/centres/demo/live")).status).toBe(401);
		const form = await signInForm(hub.httpUrl);
		expect((await postSignIn(hub.httpUrl, form, user.name, user.password)).status).toBe(401);
		const third = await signIn(hub, { name: user.name, password });
		expect((await third.json<LiveView>("/api/v1/centres/demo/live")).centre).toBe("demo");

		await run(process.execPath, [BIN, "user", "remove", user.name, "--data", dir.path]);
		expect((await third.fetch("/api/v1/centres/demo/live")).status).toBe(401);
	});

	it("a password changed on the page ends the user's other sessions, not this one", async () => {
		const user = await addUser(hub, { role: "manager", centres: ["demo"] });
		const here = await signIn(hub, user);
		const elsewhere = await signIn(hub, user);
		const wrong = await here.fetch("/api/v1/session/password", {
			method: "POST",
			headers: { "content-type": "application/json" },
			body: JSON.stringify({ current: "not it", password: "the new long password" }),
		});
		expect((await body(wrong)).error.code).toBe("wrong_password");
		const res = await here.fetch("/api/v1/session/password", {
			method: "POST",
			headers: { "content-type": "application/json" },
			body: JSON.stringify({ current: user.password, password: "the new long password" }),
		});
		expect(res.status).toBe(204);
		expect((await here.fetch("/api/v1/session")).status).toBe(200);
		expect((await elsewhere.fetch("/api/v1/session")).status).toBe(401);
		await signIn(hub, { name: user.name, password: "the new long password" });
	});
});
