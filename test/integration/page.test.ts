/**
 * The live hall page in a real headless Chromium against a real hub: a manager signs in through
 * the form, then events published over MQTT reach the page through the SSE stream and change the
 * figures without a reload — all under the hub's Content-Security-Policy.
 */
import { statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MqttClient } from "mqtt";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Centre } from "../../core/centre.ts";
import type { Hub } from "../../server/hub.ts";
import { addUser } from "../fixtures/auth.ts";
import { launchBrowser, newContext, openPage, signInThroughForm } from "../fixtures/browser.ts";
import { demoTopic, payload } from "../fixtures/events.ts";
import { connect, demoCentre, openHubClock, startTestHub, tempDir } from "../fixtures/hub.ts";
import { until } from "../fixtures/wait.ts";

const SCREENSHOT = join(tmpdir(), "vikno-live.png");

let dir: ReturnType<typeof tempDir>;
let hub: Hub;
let hubOpen = false;
let client: MqttClient;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[];
const centre: Centre = demoCentre();

/** Text of the element with this data-testid (inside the element's shadow root), trimmed. */
async function text(p: Page, testId: string): Promise<string> {
	return ((await p.getByTestId(testId).first().textContent()) ?? "").trim();
}

/** Wait until the element shows exactly `expected`. */
function shows(p: Page, testId: string, expected: string) {
	return until(
		() => text(p, testId),
		(s) => s === expected,
		{ what: `${testId} = ${JSON.stringify(expected)}` },
	);
}

async function publish(node: string, kind: string, data: object) {
	await client.publishAsync(demoTopic(node, kind), JSON.stringify(payload(data)), { qos: 1 });
}

beforeAll(async () => {
	dir = tempDir();
	// Noon of a day the centre is open: the page shows estimates, whenever the suite runs.
	hub = await startTestHub(dir.path, { centres: [centre], now: openHubClock(centre) });
	hubOpen = true;
	client = await connect(hub.mqttUrl);
	const manager = await addUser(hub, { role: "manager", centres: ["demo"] });
	browser = await launchBrowser();
	context = await newContext(browser);
	({ page, errors } = await openPage(context, `${hub.httpUrl}/?centre=demo`));
	page.setDefaultTimeout(10_000);
	// Not signed in: the hub sends the browser to the form, which brings it back to the hall.
	await signInThroughForm(page, manager);
	expect(page.url()).toBe(`${hub.httpUrl}/?centre=demo`);
});

afterAll(async () => {
	await browser?.close();
	await client?.endAsync();
	if (hubOpen) await hub?.close();
	dir?.remove();
});

describe("live hall page", () => {
	it("renders the centre, its services and its windows, and says the stream is live", async () => {
		await shows(page, "stream-state", "наживо");
		expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(centre.name.uk);

		const table = page.getByRole("table", { name: "Черги за послугами" });
		const rows = table.locator("tbody tr");
		expect(await rows.count()).toBe(centre.services.length);
		expect(await table.locator("tbody th").allTextContents()).toEqual(centre.services.map((s) => s.name.uk));
		expect(await table.locator("thead th").allTextContents()).toEqual([
			"Послуга",
			"У черзі",
			"З них пільгових",
			"Найдовше очікування",
			"Очікування, якщо прийти зараз",
			"Точність прогнозу",
			"Норматив",
		]);
		// No window's node has reported yet: the page says so instead of inventing a waiting time.
		expect(await table.locator('tr[data-service="passports"] [data-testid="estimate"]').textContent()).toBe(
			"вікна зачинені",
		);
		// No ticket was called yet: nothing to say of how the estimates held.
		expect(await table.locator('tr[data-service="passports"] [data-testid="estimate-held"]').textContent()).toBe("—");

		const windows = page.locator("li[data-window]");
		expect(await windows.count()).toBe(12);
		expect(await page.locator('[data-window="w01"] .wid').textContent()).toBe("Вікно 1");
		expect(await text(page, "waiting")).toBe("0");
		expect(await text(page, "served")).toBe("0");
		expect(await text(page, "occupancy")).toBe("0");
		expect(await text(page, "rating")).toBe("—");
		expect(await page.getByText("Оцінок ще немає").count()).toBe(1);
	});

	it("changes the figures as events arrive over MQTT, without a reload", async () => {
		await page.evaluate("window.viknoSamePage = true");

		await publish("win-01", "status", { online: true, version: "1.0.0", uptimeS: 10, buffered: 0 });
		await publish("terminal-1", "queue", { event: "issued", ticket: "A001", service: "passports" });
		await publish("terminal-1", "queue", { event: "issued", ticket: "A002", service: "passports" });
		await publish("terminal-1", "queue", { event: "issued", ticket: "B001", service: "residence", priority: "idp" });
		await shows(page, "waiting", "3");
		const passports = page.locator('tr[data-service="passports"] td');
		expect(await passports.first().textContent()).toBe("2");
		expect((await page.locator('tr[data-service="residence"] td').nth(1).textContent())?.trim()).toBe("1");

		await publish("win-01", "queue", { event: "called", ticket: "A001", service: "passports", window: "w01" });
		await shows(page, "waiting", "2");
		const w01 = page.locator('[data-window="w01"]');
		await until(
			async () => (await w01.getByTestId("ticket").textContent())?.trim(),
			(s) => s === "талон A001",
			{ what: "w01 showing A001" },
		);
		expect(await w01.locator(".wstate").textContent()).toBe("викликає");
		expect(await w01.getAttribute("class")).toContain("calling");

		await publish("win-01", "queue", { event: "started", ticket: "A001", service: "passports", window: "w01" });
		await publish("win-01", "queue", { event: "finished", ticket: "A001", service: "passports", window: "w01" });
		await shows(page, "served", "1");
		await publish("win-01", "rating", { score: 4 });
		await shows(page, "rating", "4,0");
		expect(await page.getByText("1 оцінка", { exact: true }).count()).toBe(1);
		await publish("win-01", "rating", { score: 5 });
		await shows(page, "rating", "4,5");
		expect(await page.getByText("2 оцінки", { exact: true }).count()).toBe(1);

		await publish("door-main", "occupancy", { zone: "hall", in: 5, out: 1 });
		await shows(page, "occupancy", "4");

		expect(await page.evaluate("window.viknoSamePage")).toBe(true);
		await page.screenshot({ path: SCREENSHOT, fullPage: true });
		expect(statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
		expect(errors).toEqual([]);
	});

	it("speaks English with ?lang=en", async () => {
		const en = (await openPage(context, `${hub.httpUrl}/?centre=demo&lang=en`)).page;
		await shows(en, "stream-state", "live");
		expect(await en.getByRole("heading", { level: 1 }).textContent()).toBe(centre.name.en);
		expect(await en.locator("vikno-live-hall").getAttribute("lang")).toBe("en");
		const table = en.getByRole("table", { name: "Queues by service" });
		expect(await table.locator("thead th").first().textContent()).toBe("Service");
		expect(await table.locator("tbody th").first().textContent()).toBe("Passports and ID cards");
		expect(await en.getByRole("heading", { name: "Waiting", exact: true }).count()).toBe(1);
		expect(await en.getByRole("heading", { name: "Windows" }).count()).toBe(1);
		expect(await en.locator('[data-window="w02"] .wid').textContent()).toBe("Window 2");
		expect(await text(en, "rating")).toBe("4.5");
		expect(await en.getByRole("link", { name: "Українська" }).getAttribute("href")).toBe("/?centre=demo");
		await en.close();
	});

	it("says so when the centre does not exist", async () => {
		const missing = (await openPage(context, `${hub.httpUrl}/?centre=nowhere`)).page;
		const alert = missing.getByRole("alert");
		await alert.waitFor();
		expect(await alert.textContent()).toContain("Центр не знайдено");
		await missing.close();
	});

	it("shows that it is reconnecting when the stream breaks, keeping the last figures", async () => {
		await hub.close();
		hubOpen = false;
		await shows(page, "stream-state", "перепідключення…");
		expect(await text(page, "stale")).toMatch(/^Звʼязок із сервером втрачено\. Показано дані станом на \d\d:\d\d\.$/);
		expect(await text(page, "waiting")).toBe("2");
		expect(await text(page, "occupancy")).toBe("4");
	});
});
