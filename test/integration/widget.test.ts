/**
 * The embeddable widget in a real headless Chromium, on a city website of another origin (another
 * loopback port) that pastes the README's snippet, against a real hub: it shows the centre's
 * services, follows an event published with mosquitto_pub, is not changed by the site's hostile
 * CSS, says the data is stale when the hub stops, and at a closed hour says closed — not a wait.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Hub } from "../../server/hub.ts";
import { launchBrowser, openPage } from "../fixtures/browser.ts";
import { payload } from "../fixtures/events.ts";
import { type HostSite, startHostSite } from "../fixtures/hostSite.ts";
import { clockFrom, demoCentre, lastLocal, startTestHub, tempDir } from "../fixtures/hub.ts";
import { until } from "../fixtures/wait.ts";

const run = promisify(execFile);
/** The budget for widget.js, gzip, lit included. */
const BUDGET = 30 * 1024;
const centre = demoCentre();
let dir: ReturnType<typeof tempDir>;
let hub: Hub;
let hubOpen = false;
let site: HostSite;
let browser: Browser;

/** The README's snippet; `refresh` shortened so the test need not wait half a minute. */
const snippet = (hubUrl: string, attrs = "") =>
	`<script src="${hubUrl}/widget.js" async></script>
<vikno-wait centre="demo" lang="uk" refresh="2"${attrs}></vikno-wait>`;

async function mosquittoPub(node: string, kind: string, data: object) {
	await run("mosquitto_pub", [
		...["-h", "127.0.0.1", "-p", String(hub.mqttPort), "-q", "1"],
		...["-t", `vikno/v1/demo/${node}/${kind}`, "-m", JSON.stringify(payload(data))],
	]);
}

/** Text of the first element with this test id (inside the widget's shadow root), trimmed. */
const text = async (p: Page, testId: string) => ((await p.getByTestId(testId).first().textContent()) ?? "").trim();
const waitingFor = async (p: Page, service: string) =>
	((await p.locator(`vikno-wait li[data-service="${service}"] .more`).textContent()) ?? "").trim();

beforeAll(async () => {
	dir = tempDir();
	hub = await startTestHub(dir.path, { centres: [centre], now: clockFrom(lastLocal("wed", 10)) });
	hubOpen = true;
	for (const n of ["01", "02", "03", "04"]) await mosquittoPub(`win-${n}`, "status", { online: true });
	site = await startHostSite(hub.httpUrl, {
		"/": `</head><body><h1>Міська рада</h1><p>Черги в ЦНАП:</p>${snippet(hub.httpUrl)}</body></html>`,
		"/hostile": `<link rel="stylesheet" href="/hostile.css"></head><body><h1>Міська рада</h1>${snippet(hub.httpUrl)}</body></html>`,
	});
	browser = await launchBrowser();
});

afterAll(async () => {
	await browser?.close();
	await site?.close();
	if (hubOpen) await hub?.close();
	dir?.remove();
});

describe("the widget on a city website", () => {
	let page: Page;
	let errors: string[];

	it("renders the centre's services from another origin, under the site's strict CSP", async () => {
		({ page, errors } = await openPage(browser, `${site.url}/`, { width: 390, height: 844 }));
		await page.locator("vikno-wait li[data-service]").first().waitFor();
		expect(await page.locator("vikno-wait li[data-service]").count()).toBe(centre.services.length);
		expect(await page.locator("vikno-wait .name").allTextContents()).toEqual(centre.services.map((s) => s.name.uk));
		expect(await page.getByRole("heading", { name: centre.name.uk }).count()).toBe(1);
		expect(await text(page, "status")).toBe("Відчинено до 16:00");
		// A band for a service with windows open, the reason for one without.
		expect(await page.locator('vikno-wait li[data-service="passports"] [data-testid="band"]').textContent()).toMatch(
			/^(до \d+ хв|\d+–\d+ хв)$/,
		);
		expect(await page.locator('vikno-wait li[data-service="land"] [data-testid="band"]').textContent()).toBe(
			"вікна не працюють",
		);
		expect(await waitingFor(page, "passports")).toBe("0 у черзі");
		expect(errors).toEqual([]);
	});

	it(`is served as one classic script under ${BUDGET / 1024} KB gzip, lit included`, async () => {
		const res = await fetch(`${hub.httpUrl}/widget.js`);
		expect(res.headers.get("content-type")).toMatch(/^text\/javascript/);
		expect(res.headers.get("access-control-allow-origin")).toBe("*");
		const body = Buffer.from(await res.arrayBuffer());
		expect(gzipSync(body).length).toBeLessThan(BUDGET);
		// An IIFE: no top-level import or export for a classic <script async>.
		expect(body.toString()).not.toMatch(/^(import|export)\b/m);
	});

	it("follows an event published with mosquitto_pub, and tells a screen reader politely", async () => {
		await page.evaluate("window.viknoSamePage = true");
		for (const t of ["A101", "A102", "A103"])
			await mosquittoPub("terminal-1", "queue", { event: "issued", ticket: t, service: "passports" });
		await until(
			() => waitingFor(page, "passports"),
			(s) => s === "3 у черзі",
			{ what: "3 waiting for passports" },
		);
		expect(await page.evaluate("window.viknoSamePage")).toBe(true);
		expect(await page.locator('vikno-wait [aria-live="polite"]').count()).toBe(1);
		expect(errors).toEqual([]);
	});

	it("is not changed by the site's aggressive global CSS", async () => {
		const hostile = (await openPage(browser, `${site.url}/hostile`, { width: 390, height: 844 })).page;
		await hostile.locator("vikno-wait li[data-service]").first().waitFor();
		// The site's own text did change: the CSS is in force.
		expect(await hostile.locator("h1").evaluate((e) => getComputedStyle(e).color)).toBe("rgb(255, 0, 0)");
		const look = (p: Page) =>
			p.locator('vikno-wait li[data-service="passports"] .name').evaluate((e) => {
				const s = getComputedStyle(e);
				return { color: s.color, fontSize: s.fontSize, fontFamily: s.fontFamily, lineHeight: s.lineHeight };
			});
		const box = (p: Page) =>
			p.locator('vikno-wait li[data-service="passports"]').evaluate((e) => e.getBoundingClientRect().height);
		expect(await look(hostile)).toEqual(await look(page));
		expect((await look(page)).color).not.toBe("rgb(255, 0, 0)");
		expect(await box(hostile)).toBe(await box(page));
		await hostile.close();
	});

	it("says the data is stale when the centre's system stops answering, keeping the figures", async () => {
		await hub.close();
		hubOpen = false;
		await until(
			() => text(page, "stale"),
			(s) => s.length > 0,
			{ what: "the stale notice" },
		);
		expect(await text(page, "stale")).toMatch(/^Дані станом на \d{1,2}:\d\d: система центру не відповідає\.$/);
		expect(await waitingFor(page, "passports")).toBe("3 у черзі");
	});
});

describe("the widget at a closed hour", () => {
	const closedDir = tempDir();
	let closed: Hub;
	let closedSite: HostSite;
	beforeAll(async () => {
		closed = await startTestHub(closedDir.path, { now: clockFrom(lastLocal("wed", 16, 52)) });
		closedSite = await startHostSite(closed.httpUrl, {
			"/": `</head><body>${snippet(closed.httpUrl)}
<vikno-wait centre="demo" lang="en" layout="full"></vikno-wait></body></html>`,
		});
	});
	afterAll(async () => {
		await closedSite?.close();
		await closed?.close();
		closedDir.remove();
	});

	it('says "closed — opens tomorrow at 9:00", in both languages, and shows no wait', async () => {
		const { page, errors } = await openPage(browser, `${closedSite.url}/`);
		const status = page.getByTestId("status");
		await status.first().waitFor();
		expect(((await status.nth(0).textContent()) ?? "").trim()).toBe("Зачинено — відчиниться завтра о 9:00");
		expect(((await status.nth(1).textContent()) ?? "").trim()).toBe("Closed — opens tomorrow at 9:00");
		expect(await page.getByTestId("band").count()).toBe(0);
		expect(await page.locator("vikno-wait").nth(1).textContent()).not.toMatch(/\b0 min\b/);
		expect(errors).toEqual([]);
	});
});
