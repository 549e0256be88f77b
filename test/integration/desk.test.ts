/**
 * The operator console in a real headless Chromium against a real hub: an operator made with
 * `vikno user add … --role operator --window w03` (a real process) signs in through the form,
 * calls the next ticket, starts and finishes it with the keyboard, sends one on to another service
 * (T) where a window of that service calls it; the hall model and the hall
 * board show the same as with a window node's buttons (the same queue events, through ingest);
 * the operator of window 3 cannot act for window 4, nor open its console.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { MqttClient } from "mqtt";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Hub } from "../../server/hub.ts";
import { addUserWithCli, signIn, type TestUser } from "../fixtures/auth.ts";
import { launchBrowser, newContext, openPage, signInThroughForm } from "../fixtures/browser.ts";
import { demoTopic, payload } from "../fixtures/events.ts";
import { connect, demoCentre, openHubClock, startTestHub, tempDir } from "../fixtures/hub.ts";
import { until } from "../fixtures/wait.ts";

const ARTIFACTS = join(process.cwd(), "test-artifacts");
const dir = tempDir();
// Noon of a day the demo centre is open, whenever the suite runs: its estimates count windows.
const now = openHubClock(demoCentre());
let hub: Hub;
let client: MqttClient;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[];
let operator: TestUser;

const text = async (testId: string) => ((await page.getByTestId(testId).textContent()) ?? "").trim();
const w03 = () => hub.insights.liveView("demo")?.windows.find((w) => w.id === "w03");
const stored = async (ticket: string) =>
	(await hub.store.readRange("demo", 0, Number.MAX_SAFE_INTEGER))
		.filter((e) => e.kind === "queue" && (e.data as { ticket?: string }).ticket === ticket)
		.map((e) => `${e.node}:${(e.data as { event: string }).event}`);

beforeAll(async () => {
	hub = await startTestHub(dir.path, { now });
	client = await connect(hub.mqttUrl);
	// Window 3's node is online (a console does not yet keep its window's node online by itself).
	await client.publishAsync(
		demoTopic("win-03", "status"),
		JSON.stringify(payload({ online: true, version: "1", uptimeS: 1, buffered: 0 }, now())),
		{ qos: 1, retain: true },
	);
	for (const t of ["A001", "A002"])
		await client.publishAsync(
			demoTopic("terminal-1", "queue"),
			JSON.stringify(payload({ event: "issued", ticket: t, service: "passports" }, now())),
			{ qos: 1 },
		);
	await until(
		() => hub.insights.liveView("demo")?.tickets.waiting,
		(n) => n === 2,
		{ what: "two tickets waiting" },
	);
	operator = await addUserWithCli(dir.path, { role: "operator", centres: ["demo"], windows: ["w03"] });
	browser = await launchBrowser();
	context = await newContext(browser);
	({ page, errors } = await openPage(context, `${hub.httpUrl}/desk/demo/w03`));
	page.setDefaultTimeout(10_000);
	await signInThroughForm(page, operator);
	expect(page.url()).toBe(`${hub.httpUrl}/desk/demo/w03`);
}, 60_000);

afterAll(async () => {
	await browser?.close();
	await client?.endAsync();
	await hub?.close();
	dir.remove();
});

describe("operator console", () => {
	it("calls the next ticket, starts and finishes it from the keyboard, as the window's buttons would", async () => {
		await page.getByRole("button", { name: /Наступний/ }).waitFor();
		await page.keyboard.press("n");
		await until(
			() => text("desk-message"),
			(m) => m === "A001: викликано",
			{ what: "A001 called from the console" },
		);
		await until(
			() => text("desk-ticket"),
			(t) => t === "A001",
			{ what: "A001 on the console" },
		);
		expect(await text("desk-state")).toBe("викликано");
		expect(w03()).toMatchObject({ state: "calling", ticket: "A001" });
		// The hall board hears the call like any other.
		expect(hub.calls.latest("demo")[0]).toMatchObject({ ticket: "A001", window: "w03" });

		await page.keyboard.press("s");
		await until(
			() => text("desk-message"),
			(m) => m === "A001: обслуговування розпочато",
			{ what: "A001 started" },
		);
		await until(
			() => text("desk-state"),
			(s) => s === "обслуговується",
			{ what: "A001 served" },
		);
		await page.getByRole("button", { name: /Завершити/ }).click();
		await until(
			() => w03()?.served,
			(n) => n === 1,
			{ what: "A001 finished" },
		);
		// The live model shows a batch as it is folded; its write settles a moment later.
		await until(
			() => stored("A001"),
			(kinds) => kinds.length === 4,
			{ what: "A001's events stored" },
		);
		expect(await stored("A001")).toEqual(["terminal-1:issued", "win-03:called", "win-03:started", "win-03:finished"]);
		expect(hub.insights.liveView("demo")?.tickets.waiting).toBe(1);
		await until(
			() => text("desk-state"),
			(st) => st === "вільне",
			{ what: "the console shows the window free" },
		);
		mkdirSync(ARTIFACTS, { recursive: true });
		await page.screenshot({ path: join(ARTIFACTS, "desk.png") });
		expect(errors).toEqual([]);
	});

	it("says so when nobody waits, and when an action does not apply", async () => {
		await page.keyboard.press("x");
		await until(
			() => text("desk-message"),
			(m) => m.includes("no ticket called"),
			{ what: "no-show refused" },
		);
		await page.keyboard.press("n"); // A002
		await until(
			() => text("desk-message"),
			(m) => m === "A002: викликано",
			{ what: "A002 called" },
		);
		await until(
			() => text("desk-ticket"),
			(t) => t === "A002",
			{ what: "A002 on the console" },
		);
		await page.keyboard.press("x");
		// The console's answer is on screen before the next key (a key while an action is on its way is not taken).
		await until(
			() => text("desk-message"),
			(m) => m === "A002: не з'явився",
			{ what: "A002 a no-show" },
		);
		expect(w03()?.state).toBe("idle");
		await page.keyboard.press("n");
		await until(
			() => text("desk-message"),
			(m) => m.startsWith("Черга порожня"),
			{ what: "an empty queue" },
		);
	});

	it("puts the window on a break with P and ends it: the node told, the hall and the estimate closed for it", async () => {
		const heard: string[] = [];
		client.on("message", (topic, body) => {
			if (topic.endsWith("/cmd/pause")) heard.push(`${topic} ${body.toString()}`);
		});
		await client.subscribeAsync("vikno/v1/demo/win-03/cmd/#", { qos: 1 });
		await client.publishAsync(
			demoTopic("terminal-1", "queue"),
			JSON.stringify(payload({ event: "issued", ticket: "A003", service: "passports" }, now())),
			{ qos: 1 },
		);
		const passports = () => hub.insights.waits("demo")?.find((e) => e.service === "passports");
		await until(passports, (e) => e?.waiting === 1 && e.windowsOpen === 1, { what: "A003 waiting, w03 open" });

		await page.keyboard.press("p");
		await until(
			() => text("desk-message"),
			(m) => m.endsWith("перерва: вікно зачинене для черги"),
			{ what: "the break begun" },
		);
		await until(
			() => text("desk-state"),
			(t) => t === "перерва",
			{ what: "the console showing the break" },
		);
		expect(w03()).toMatchObject({ state: "paused", pausedS: expect.any(Number) });
		// The only open window of the service is on a break: no estimate, and why.
		expect(passports()).toMatchObject({ ok: false, reason: "no_window_open", windowsOpen: 0 });
		await until(
			() => heard,
			(h) => h.length === 1,
			{ what: "the pause command at the node" },
		);
		expect(JSON.parse(heard[0]?.split(" ").slice(1).join(" ") ?? "")).toEqual({ paused: true });
		// The break is the window's status, stored like any event (its write settles just after the fold).
		const statuses = await until(
			async () =>
				(await hub.store.readRange("demo", 0, Number.MAX_SAFE_INTEGER)).filter(
					(e) => e.kind === "status" && e.node === "win-03" && e.data.paused === true,
				),
			(list) => list.length === 1,
			{ what: "the break's status stored" },
		);
		expect(statuses[0]?.data).toMatchObject({ online: true, paused: true, version: "1" });
		// Nobody is called to a window on a break.
		await page.keyboard.press("n");
		await until(
			() => text("desk-message"),
			(m) => m.includes("on a break"),
			{ what: "next refused on a break" },
		);
		expect(w03()?.ticket).toBeNull();

		await page.keyboard.press("p");
		await until(
			() => text("desk-message"),
			(m) => m === "перерву завершено" || m.endsWith("перерву завершено"),
			{ what: "the break ended" },
		);
		await until(passports, (e) => e?.ok === true && e.windowsOpen === 1, { what: "w03 open again" });
		expect(heard.at(-1)).toMatch(/"paused":false/);

		// The node's own pause button says the same through its status (as edge/roles/window.ts does).
		await client.publishAsync(
			demoTopic("win-03", "status"),
			JSON.stringify(payload({ online: true, version: "1", uptimeS: 2, buffered: 0, paused: true }, now())),
			{ qos: 1, retain: true },
		);
		await until(w03, (w) => w?.state === "paused", { what: "the node's own break" });
		await client.publishAsync(
			demoTopic("win-03", "status"),
			JSON.stringify(payload({ online: true, version: "1", uptimeS: 3, buffered: 0, paused: false }, now())),
			{ qos: 1, retain: true },
		);
		await until(w03, (w) => w?.state === "idle", { what: "the node back from its break" });
	});

	it("sends the visitor on to another service with T: the ticket waits there in its place and a window of that service calls it", async () => {
		// A003 waits (issued in the break test); a later social ticket is in the queue before the transfer.
		await client.publishAsync(
			demoTopic("terminal-1", "queue"),
			JSON.stringify(payload({ event: "issued", ticket: "C001", service: "social" }, now())),
			{ qos: 1 },
		);
		const social = () => hub.insights.liveView("demo")?.services.find((x) => x.id === "social");
		await until(social, (x) => x?.waiting === 1, { what: "C001 waiting for social" });
		await page.keyboard.press("n");
		await until(
			() => text("desk-ticket"),
			(t) => t === "A003",
			{ what: "A003 called at w03" },
		);
		// The list offers the services some window serves, except the ticket's own.
		const offered = await page
			.getByTestId("desk-transfer-to")
			.locator("option")
			.evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
		expect(offered).toContain("social");
		expect(offered).not.toContain("passports");
		// Keys typed in the list choose in it: "t" there transfers nothing.
		await page.getByTestId("desk-transfer-to").selectOption("social");
		await page.getByTestId("desk-transfer-to").press("t");
		expect(w03()).toMatchObject({ ticket: "A003" });
		await page.getByTestId("desk-transfer-to").selectOption("social");
		await page.getByTestId("desk-transfer-to").blur();
		await page.keyboard.press("t");
		await until(
			() => text("desk-message"),
			(m) => m === "A003: переадресовано",
			{ what: "A003 transferred" },
		);
		expect(w03()).toMatchObject({ state: "idle", ticket: null });
		// It waits for social now, ahead of C001: it was issued first and has waited already.
		await until(social, (x) => x?.waiting === 2, { what: "A003 waiting for social" });
		expect(hub.insights.liveView("demo")?.services.find((x) => x.id === "passports")?.waiting).toBe(0);
		const transfers = await until(
			async () =>
				(await hub.store.readRange("demo", 0, Number.MAX_SAFE_INTEGER)).filter(
					(e) => e.kind === "queue" && e.data.event === "transferred",
				),
			(list) => list.length === 1,
			{ what: "the transfer stored" },
		);
		expect(transfers[0]).toMatchObject({
			node: "win-03",
			data: { ticket: "A003", service: "passports", to: "social", window: "w03" },
		});

		// Window 5's node asks for the next ticket, as its button would: it gets A003, for social.
		const calls: { ticket: string | null; service: string | null }[] = [];
		client.on("message", (topic, body) => {
			if (topic === "vikno/v1/demo/win-05/cmd/call") calls.push(JSON.parse(body.toString()));
		});
		await client.subscribeAsync("vikno/v1/demo/win-05/cmd/call", { qos: 1 });
		await client.publishAsync(demoTopic("win-05", "request"), JSON.stringify(payload({ action: "next" }, now())), {
			qos: 1,
		});
		await until(
			() => calls,
			(c) => c.length === 1,
			{ what: "win-05's call" },
		);
		expect(calls[0]).toMatchObject({ ticket: "A003", service: "social" });

		// Refusals say why: nothing at the window, a service nobody serves, the ticket's own service.
		const agent = await signIn(hub, operator);
		const refused = async (to: string | undefined) => {
			const res = await agent.fetch("/api/v1/desk/demo/w03/transfer", {
				method: "POST",
				headers: { "content-type": "application/json" },
				body: JSON.stringify(to === undefined ? {} : { to }),
			});
			return [res.status, ((await res.json()) as { error: { message: string } }).error.message];
		};
		expect(await refused("social")).toEqual([409, "no ticket at this window to transfer"]);
		await client.publishAsync(
			demoTopic("terminal-1", "queue"),
			JSON.stringify(payload({ event: "issued", ticket: "A004", service: "passports" }, now())),
			{ qos: 1 },
		);
		await until(
			() => hub.insights.liveView("demo")?.services.find((x) => x.id === "passports")?.waiting,
			(n) => n === 1,
			{ what: "A004 waiting" },
		);
		expect((await agent.fetch("/api/v1/desk/demo/w03/next", { method: "POST" })).status).toBe(200);
		await until(w03, (w) => w?.ticket === "A004", { what: "A004 called" });
		expect(await refused(undefined)).toEqual([409, "say which service to transfer the ticket to"]);
		expect(await refused("passports")).toEqual([409, 'ticket A004 is already for service "passports"']);
		expect(await refused("nowhere")).toEqual([409, 'centre "demo" has no service "nowhere"']);
		expect((await refused("no/such"))[0]).toBe(400);
		expect(w03()).toMatchObject({ ticket: "A004", state: "calling" });
		expect((await agent.fetch("/api/v1/desk/demo/w03/finish", { method: "POST" })).status).toBe(200);
		await until(w03, (w) => w?.state === "idle", { what: "A004 finished" });
	});

	it("fits a phone's width (390 px): the list of services to send a visitor on to included", async () => {
		await page.setViewportSize({ width: 390, height: 844 });
		try {
			await page.getByTestId("desk-transfer-to").waitFor();
			const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
			expect(overflow, `the console at 390 px scrolls sideways by ${overflow} px`).toBeLessThanOrEqual(0);
			await page.screenshot({ path: join(ARTIFACTS, "desk-390.png") });
		} finally {
			await page.setViewportSize({ width: 1280, height: 900 });
		}
	});

	it("lets the operator of window 3 act only at window 3", async () => {
		const agent = await signIn(hub, operator);
		const res = await agent.fetch("/api/v1/desk/demo/w04/next", { method: "POST" });
		expect(res.status).toBe(403);
		expect((await agent.fetch("/api/v1/desk/demo/w04/pause", { method: "POST" })).status).toBe(403);
		expect(((await res.json()) as { error: { code: string } }).error.code).toBe("forbidden");
		expect((await agent.fetch("/desk/demo/w04", { redirect: "manual" })).status).toBe(403);
		expect((await agent.fetch("/desk/demo/w03")).status).toBe(200);
		// Without the CSRF token nothing happens, even at one's own window.
		const forged = await fetch(`${hub.httpUrl}/api/v1/desk/demo/w03/next`, {
			method: "POST",
			headers: { cookie: agent.cookie },
		});
		expect(forged.status).toBe(403);
		// An operator reads the centre but changes nothing else.
		expect((await agent.fetch("/api/v1/centres/demo/live")).status).toBe(200);
	});
});
