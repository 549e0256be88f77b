/**
 * The hall board in a real headless Chromium against a real hub: a window's `called` event
 * published with mosquitto_pub under the window's own device credential reaches the board within
 * a second, blinks, is chimed and said (the hub's espeak-ng recording is fetched and is speech, not
 * silence); with the hub stopped the board says so and keeps the calls, and when the hub is back it
 * shows them live again; axe-core finds no serious or critical violation; screenshots at TV and
 * phone sizes go to test-artifacts/. A board that is not public needs a signed-in viewer.
 */
import { execFile } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeviceRegistry, registryPath } from "../../broker/registry.ts";
import type { Centre } from "../../core/centre.ts";
import type { Hub } from "../../server/hub.ts";
import { addUser, signIn } from "../fixtures/auth.ts";
import { launchBrowser, openPage } from "../fixtures/browser.ts";
import { demoTopic, payload } from "../fixtures/events.ts";
import { demoCentre, startTestHub, tempDir } from "../fixtures/hub.ts";
import { until } from "../fixtures/wait.ts";
import { decodeWav, rms } from "../fixtures/wav.ts";

const run = promisify(execFile);
const ARTIFACTS = join(process.cwd(), "test-artifacts");
const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

const centre: Centre = { ...demoCentre(), board: { public: true, languages: ["uk"], alternateS: 10, calls: 6 } };
const closed: Centre = {
	...demoCentre(),
	id: "closed",
	board: { public: false, languages: ["uk"], alternateS: 10, calls: 6 },
};

let dir: ReturnType<typeof tempDir>;
let hub: Hub;
let hubOpen = false;
let browser: Browser;
let page: Page;
let errors: string[];
const creds: Record<string, string> = {};

async function pub(node: string, kind: string, data: object) {
	await run("mosquitto_pub", [
		"-h",
		"127.0.0.1",
		"-p",
		String(hub.mqttPort),
		"-q",
		"1",
		"-V",
		"mqttv311",
		"-u",
		`demo/${node}`,
		"-P",
		creds[node] ?? "",
		"-i",
		`demo/${node}`,
		"-t",
		demoTopic(node, kind),
		"-m",
		JSON.stringify(payload(data)),
	]);
}

const boardState = (p: Page) => p.getByTestId("board-state").getAttribute("data-state");

beforeAll(async () => {
	dir = tempDir();
	mkdirSync(ARTIFACTS, { recursive: true });
	const registry = new DeviceRegistry(registryPath(dir.path));
	for (const node of ["terminal-1", "win-07", "win-03"])
		creds[node] = (await registry.add({ kind: "node", centre: "demo", node })).password;
	hub = await startTestHub(dir.path, { centres: [centre, closed], allowAnonymous: false });
	hubOpen = true;
	browser = await launchBrowser(["--autoplay-policy=no-user-gesture-required"]);
	({ page, errors } = await openPage(browser, `${hub.httpUrl}/board/demo`, { width: 1920, height: 1080 }));
	page.setDefaultTimeout(10_000);
	await until(
		() => boardState(page),
		(s) => s === "live",
		{ what: "the board live" },
	);
}, 60_000);

afterAll(async () => {
	await browser?.close();
	if (hubOpen) await hub?.close();
	dir?.remove();
});

describe("hall board", () => {
	it("shows a call published with mosquitto_pub within a second, blinking, and says it with the hub's voice", async () => {
		await pub("terminal-1", "queue", { event: "issued", ticket: "A017", service: "passports" });
		await pub("win-07", "status", { online: true, version: "1.0.0", uptimeS: 5, buffered: 0 });
		const said = page.waitForResponse((r) => r.url().includes("/board/demo/say/"));

		const start = Date.now();
		await pub("win-07", "queue", { event: "called", ticket: "A017", service: "passports", window: "w07" });
		const latest = page.locator('li.latest[data-ticket="A017"]');
		await latest.waitFor({ state: "visible", timeout: 1_000 });
		const elapsed = Date.now() - start;
		expect(elapsed).toBeLessThan(1_000);
		expect(await latest.getAttribute("class")).toContain("fresh");
		expect((await latest.locator(".ticket").textContent())?.trim()).toBe("A017");
		expect((await latest.locator(".window").textContent())?.replace(/\s+/g, " ").trim()).toBe("вікно 7");
		expect((await latest.locator(".sr").textContent())?.trim()).toBe("Талон А сімнадцять, вікно сім");

		const res = await said;
		expect(res.status()).toBe(200);
		expect(res.headers()["content-type"]).toBe("audio/wav");
		const wav = decodeWav(await res.body());
		expect(wav.samples.length / wav.sampleRate).toBeGreaterThan(1); // about two seconds of speech
		expect(rms(wav.samples)).toBeGreaterThan(0.02);
		await until(
			() => page.getByTestId("spoken").getAttribute("data-how"),
			(how) => how === "recording",
			{ what: "the call said with the recording" },
		);
		await page.screenshot({ path: join(ARTIFACTS, "board-1920.png") });
	});

	it("puts a second call on top and keeps the first below it", async () => {
		await pub("terminal-1", "queue", { event: "issued", ticket: "B004", service: "residence" });
		await pub("win-03", "queue", { event: "called", ticket: "B004", service: "residence", window: "w03" });
		await page.locator('li.latest[data-ticket="B004"]').waitFor();
		expect(
			await page.locator("li[data-ticket]").evaluateAll((els) => els.map((e) => e.getAttribute("data-ticket"))),
		).toEqual(["B004", "A017"]);
		const passports = page.locator('tr[data-service="passports"] th');
		expect((await passports.textContent())?.trim()).toBe("A Паспорти та ID-картки");
	});

	it("shows and says a recall again, on top, the ticket once", async () => {
		const spoken = Number(await page.getByTestId("spoken").getAttribute("data-count"));
		const said = page.waitForResponse((r) => r.url().includes("/board/demo/say/"));
		await pub("win-07", "queue", { event: "called", ticket: "A017", service: "passports", window: "w07" });
		await page.locator('li.latest.fresh[data-ticket="A017"]').waitFor();
		expect(
			await page.locator("li[data-ticket]").evaluateAll((els) => els.map((e) => e.getAttribute("data-ticket"))),
		).toEqual(["A017", "B004"]);
		expect((await said).status()).toBe(200);
		await until(
			() => page.getByTestId("spoken").getAttribute("data-count"),
			(n) => Number(n) === spoken + 1,
			{ what: "the recall said" },
		);
	});

	it("has no serious or critical accessibility violations (axe-core)", async () => {
		const { readFileSync } = await import("node:fs");
		await page.evaluate(readFileSync(AXE, "utf8"));
		const violations = (await page.evaluate(async () => {
			const axe = (globalThis as unknown as { axe: { run(ctx: unknown): Promise<{ violations: unknown[] }> } }).axe;
			return (await axe.run(document)).violations;
		})) as { id: string; impact: string; nodes: unknown[] }[];
		const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
		expect(bad.map((v) => `${v.id} (${v.impact}, ${v.nodes.length})`)).toEqual([]);
	});

	it("fits a phone's width (390 px)", async () => {
		const { page: small, errors: smallErrors } = await openPage(browser, `${hub.httpUrl}/board/demo`, {
			width: 390,
			height: 844,
		});
		await small.locator('li.latest[data-ticket="A017"]').waitFor();
		const overflow = await small.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
		expect(overflow).toBeLessThanOrEqual(0);
		await small.screenshot({ path: join(ARTIFACTS, "board-390.png"), fullPage: true });
		expect(smallErrors).toEqual([]);
		await small.close();
	});

	it("needs a signed-in user who sees the centre when the board is not public", async () => {
		const anon = await fetch(`${hub.httpUrl}/board/closed`, { redirect: "manual" });
		expect(anon.status).toBe(303);
		expect(anon.headers.get("location")).toBe("/login?next=%2Fboard%2Fclosed");
		expect((await fetch(`${hub.httpUrl}/board/closed/stream`)).status).toBe(401);
		const viewer = await signIn(hub, await addUser(hub, { role: "viewer", centres: ["closed"] }));
		const ok = await viewer.fetch("/board/closed");
		expect(ok.status).toBe(200);
		const other = await signIn(hub, await addUser(hub, { role: "viewer", centres: ["demo"] }));
		expect((await other.fetch("/board/closed")).status).toBe(403);
		// The public board needs nobody.
		expect((await fetch(`${hub.httpUrl}/board/demo`)).status).toBe(200);
	});

	it("says so when the hub stops, keeps the calls, and is live again when it is back", async () => {
		const port = hub.httpPort;
		await hub.close();
		hubOpen = false;
		await until(
			() => boardState(page),
			(s) => s === "stale",
			{ what: "the board stale" },
		);
		expect(await page.getByTestId("board-state").textContent()).toContain("Немає зв'язку з сервером");
		expect(await page.locator("li[data-ticket]").count()).toBe(2);
		await page.screenshot({ path: join(ARTIFACTS, "board-stale.png") });

		hub = await startTestHub(dir.path, { centres: [centre, closed], allowAnonymous: false, httpPort: port });
		hubOpen = true;
		await until(
			() => boardState(page),
			(s) => s === "live",
			{ what: "the board live again", timeoutMs: 30_000 },
		);
		// Rebuilt from the store's ledger: each ticket at its first call (the recall is not in it).
		expect(
			await page.locator("li[data-ticket]").evaluateAll((els) => els.map((e) => e.getAttribute("data-ticket"))),
		).toEqual(["B004", "A017"]);
		expect(errors).toEqual([]);
	}, 60_000);
});
