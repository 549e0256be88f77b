/**
 * The operator console in a real headless Chromium against a real hub: an operator made with
 * `vikno user add … --role operator --window w03` (a real process) signs in through the form,
 * calls the next ticket, starts and finishes it with the keyboard; the hall model and the hall
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
import { connect, startTestHub, tempDir } from "../fixtures/hub.ts";
import { until } from "../fixtures/wait.ts";

const ARTIFACTS = join(process.cwd(), "test-artifacts");
const dir = tempDir();
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
	hub = await startTestHub(dir.path);
	client = await connect(hub.mqttUrl);
	// Window 3's node is online (a console does not yet keep its window's node online by itself).
	await client.publishAsync(
		demoTopic("win-03", "status"),
		JSON.stringify(payload({ online: true, version: "1", uptimeS: 1, buffered: 0 })),
		{ qos: 1, retain: true },
	);
	for (const t of ["A001", "A002"])
		await client.publishAsync(
			demoTopic("terminal-1", "queue"),
			JSON.stringify(payload({ event: "issued", ticket: t, service: "passports" })),
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

	it("lets the operator of window 3 act only at window 3", async () => {
		const agent = await signIn(hub, operator);
		const res = await agent.fetch("/api/v1/desk/demo/w04/next", { method: "POST" });
		expect(res.status).toBe(403);
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
