/**
 * Signing in and out as a person does, in a real headless Chromium on a 390 px phone, against a
 * real hub: the manager is made with `vikno user add` (a real process), the dashboard sends the
 * browser to the sign-in form, a wrong password is said so, the right one brings the hall back,
 * and the sign-out button ends the session — its cookie no longer opens anything. Every page runs
 * under the hub's Content-Security-Policy: a refusal would show as a console error and fail.
 */
import { statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Hub } from "../../server/hub.ts";
import { addUserWithCli, type TestUser } from "../fixtures/auth.ts";
import { launchBrowser, newContext, openPage, signInThroughForm } from "../fixtures/browser.ts";
import { startTestHub, tempDir } from "../fixtures/hub.ts";
import { until } from "../fixtures/wait.ts";

const PHONE = { width: 390, height: 844 };
const SCREENSHOT = join(tmpdir(), "vikno-sign-in-390.png");

const dir = tempDir();
let hub: Hub;
let browser: Browser;
let context: BrowserContext;
let olena: TestUser;

beforeAll(async () => {
	hub = await startTestHub(dir.path);
	olena = await addUserWithCli(dir.path, { name: "olena", role: "manager", centres: ["demo"] });
	browser = await launchBrowser();
	context = await newContext(browser, PHONE);
});

afterAll(async () => {
	await browser?.close();
	await hub?.close();
	dir.remove();
});

describe("signing in and out in a browser", () => {
	it("sends the browser from the hall to the form, refuses a wrong password, signs in with the right one", async () => {
		const { page, errors } = await openPage(context, `${hub.httpUrl}/?centre=demo`);
		page.setDefaultTimeout(10_000);
		await page.waitForURL(`${hub.httpUrl}/login?next=%2F%3Fcentre%3Ddemo`);
		expect(await page.locator("html").getAttribute("lang")).toBe("uk");
		expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Вхід");
		// Fits a phone: nothing wider than the screen.
		expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
		await page.screenshot({ path: SCREENSHOT, fullPage: true });
		expect(statSync(SCREENSHOT).size).toBeGreaterThan(5_000);

		await page.getByLabel("Користувач").fill("olena");
		await page.getByLabel("Пароль").fill("not her password");
		await page.getByRole("button", { name: "Увійти" }).click();
		const alert = page.getByRole("alert");
		await alert.waitFor();
		expect(await alert.textContent()).toBe("Невірне імʼя користувача або пароль.");
		expect(page.url()).toBe(`${hub.httpUrl}/login`);
		// The name stays typed, the password does not; the field says what is wrong.
		expect(await page.getByLabel("Користувач").inputValue()).toBe("olena");
		expect(await page.getByLabel("Пароль").inputValue()).toBe("");
		expect(await page.getByLabel("Пароль").getAttribute("aria-describedby")).toBe("notice");

		await page.getByLabel("Пароль").fill(olena.password);
		await Promise.all([
			page.waitForURL(`${hub.httpUrl}/?centre=demo`),
			page.getByRole("button", { name: "Увійти" }).click(),
		]);
		await until(
			async () => (await page.getByTestId("stream-state").textContent())?.trim(),
			(s) => s === "наживо",
			{ what: "the hall live" },
		);
		expect((await page.getByTestId("user").textContent())?.trim()).toBe("olena");
		expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
		expect(errors).toEqual([]);
		await page.close();
	});

	it("speaks English on the form with ?lang=en", async () => {
		const other = await newContext(browser, PHONE);
		const { page, errors } = await openPage(other, `${hub.httpUrl}/?centre=demo&lang=en`);
		await page.waitForURL(/\/login\?/);
		await page.getByRole("link", { name: "English" }).click();
		await page.waitForURL(/lang=en/);
		expect(await page.locator("html").getAttribute("lang")).toBe("en");
		await signInThroughForm(page, olena);
		expect(page.url()).toBe(`${hub.httpUrl}/?centre=demo&lang=en`);
		await page.getByRole("button", { name: "Sign out" }).waitFor();
		expect(errors).toEqual([]);
		await other.close();
	});

	it("signs out with the button: back at the form, and the old cookie opens nothing", async () => {
		const { page, errors } = await openPage(context, `${hub.httpUrl}/?centre=demo`);
		await page.getByTestId("user").waitFor();
		const cookie = (await context.cookies()).find((c) => c.name === "vikno_session");
		expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/" });
		expect(await page.evaluate(() => document.cookie)).toBe("");

		await Promise.all([page.waitForURL(/\/login\?out=1/), page.getByRole("button", { name: "Вийти" }).click()]);
		expect(await page.getByRole("status").textContent()).toBe("Ви вийшли.");
		const old = { cookie: `vikno_session=${cookie?.value}` };
		expect((await fetch(`${hub.httpUrl}/api/v1/centres/demo/live`, { headers: old })).status).toBe(401);
		expect((await fetch(`${hub.httpUrl}/api/v1/stream?centre=demo`, { headers: old })).status).toBe(401);
		await page.goto(`${hub.httpUrl}/?centre=demo`);
		await page.waitForURL(/\/login\?next=/);
		expect(errors).toEqual([]);
	});

	it("goes to the form when the session ends while the hall is open (signed out in another tab)", async () => {
		const { page } = await openPage(context, `${hub.httpUrl}/?centre=demo`);
		await signInThroughForm(page, olena);
		await page.getByTestId("user").waitFor();
		const tab = (await openPage(context, `${hub.httpUrl}/?centre=demo&lang=en`)).page;
		await Promise.all([tab.waitForURL(/\/login\?out=1/), tab.getByRole("button", { name: "Sign out" }).click()]);
		// The hall's live stream ended with the session; the page finds out why and asks to sign in.
		await page.waitForURL(/\/login\?next=%2F%3Fcentre%3Ddemo/);
	});
});
