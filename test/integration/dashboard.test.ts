/**
 * The manager dashboard in a real headless Chromium against a real hub fed by the simulator:
 * three days of a simulated centre replayed into it and a live simulated hall, users made by the
 * real `vikno user add`, a door node publishing with `mosquitto_pub` under its own credential, a
 * real edge node (sim driver) that blinks when identified. Every view is opened and its figures are
 * checked against the API the page reads; CSV downloads are compared with the API row for row;
 * each view is shot at 390 px and 1440 px into test-artifacts/dashboard/ and must not scroll the
 * page sideways on a phone. No fixed sleeps: every wait is for a condition.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeviceRegistry, registryPath } from "../../broker/registry.ts";
import type { Centre } from "../../core/centre.ts";
import type { LiveView } from "../../core/liveView.ts";
import { addDays, localDay } from "../../core/time.ts";
import { BOM, parseCsv } from "../../dashboard/csv.ts";
import type {
	ActiveAlerts,
	AlertHistory,
	Network,
	QualityReport,
	ServiceLevelReport,
	Trends,
} from "../../dashboard/web/api.ts";
import { formatMean, formatNps, formatNumber, formatShare } from "../../dashboard/web/format.ts";
import { periodLevels } from "../../dashboard/web/serviceLevelSums.ts";
import { SimDriver } from "../../edge/drivers/sim.ts";
import { parseEdgeConfig } from "../../edge/load-config.ts";
import { type EdgeNode, startEdge } from "../../edge/node.ts";
import { replayTimeline } from "../../firmware-sim/replay.ts";
import { type Simulation, startSimulation } from "../../firmware-sim/runner.ts";
import { simulateWeek } from "../../firmware-sim/week.ts";
import type { Hub } from "../../server/hub.ts";
import { type Agent, addUser, addUserWithCli, signIn, type TestUser } from "../fixtures/auth.ts";
import { launchBrowser, openPage, signInThroughForm } from "../fixtures/browser.ts";
import { configCentre } from "../fixtures/centres.ts";
import { demoCentre, startTestHub, tempDir } from "../fixtures/hub.ts";
import { until } from "../fixtures/wait.ts";

const ARTIFACTS = fileURLToPath(new URL("../../test-artifacts/dashboard/", import.meta.url));
const WIDE = { width: 1440, height: 1000 };
const NARROW = { width: 390, height: 844 };

/** The demo centre with a second hall whose door node only this test drives (the simulator does not know it). */
const demo = demoCentre();
const centre: Centre = {
	...demo,
	zones: [...demo.zones, { id: "annex", name: { uk: "Зала Б", en: "Hall B" }, capacity: 50 }],
	nodes: [...demo.nodes, { id: "door-annex", role: "door", zone: "annex" }],
};

const dir = tempDir("vikno-dashboard-");
const edgeDir = mkdtempSync(join(tmpdir(), "vikno-dashboard-edge-"));
let hub: Hub;
let sim: Simulation | undefined;
let edge: EdgeNode | undefined;
const blinks = new SimDriver();
let doorPassword = "";
let browser: Browser;
let managerUser: TestUser;
let adminUser: TestUser;
let manager: Agent;
let admin: Agent;
let context: BrowserContext;
let page: Page;
let errors: string[];
let today = "";

beforeAll(async () => {
	mkdirSync(ARTIFACTS, { recursive: true });
	doorPassword = (
		await new DeviceRegistry(registryPath(dir.path)).add({ kind: "node", centre: "demo", node: "door-annex" })
	).password;
	today = localDay(Date.now(), centre.timeZone);
	// Three days of history, replayed as they happened: the hub's clock follows the replay (so each
	// event arrives live, as a node's would), then the wall clock; then a live hall.
	const week = simulateWeek(demo, { startDay: addDays(today, -3), days: 3, seed: 11 });
	let replayAt: number | undefined = week.actions[0]?.at;
	hub = await startTestHub(dir.path, {
		centres: [centre, configCentre("lutsk")],
		alertEveryMs: 200,
		now: () => replayAt ?? Date.now(),
	});
	await replayTimeline({
		centre: demo,
		brokerUrl: hub.mqttUrl,
		actions: week.actions,
		onPublish: (a) => {
			replayAt = a.at;
		},
	});
	await until(
		() => hub.countEvents({ centre: "demo" }),
		(n) => n >= week.actions.length,
		{ timeoutMs: 60_000, what: "the replayed days stored" },
	);
	replayAt = undefined;
	sim = await startSimulation({ centre: demo, brokerUrl: hub.mqttUrl, speed: 60, seed: 5 });
	managerUser = await addUserWithCli(dir.path, { name: "olena", role: "manager", centres: ["demo"] });
	adminUser = await addUserWithCli(dir.path, { name: "it-dept", role: "admin" });
	manager = await signIn(hub, managerUser);
	admin = await signIn(hub, adminUser);
	browser = await launchBrowser();
	context = await browser.newContext({ viewport: WIDE, locale: "uk-UA" });
	({ page, errors } = await openPage(context, `${hub.httpUrl}/?centre=demo`));
	page.setDefaultTimeout(15_000);
	await signInThroughForm(page, managerUser);
}, 180_000);

afterAll(async () => {
	await sim?.stop();
	await edge?.close();
	await browser?.close();
	await hub?.close();
	dir.remove();
	rmSync(edgeDir, { recursive: true, force: true });
});

const text = async (p: Page, testId: string) => ((await p.getByTestId(testId).first().textContent()) ?? "").trim();

/** Go to a view through the navigation (no reload), and wait for it. */
async function open(p: Page, view: string, ready: string) {
	await p.locator(`nav a[data-view="${view}"]`).click();
	await p.getByTestId(ready).first().waitFor();
}

/** A screenshot of the whole page at both widths; the narrow one must not scroll sideways. */
async function shoot(p: Page, name: string) {
	for (const [label, size] of [
		["1440", WIDE],
		["390", NARROW],
	] as const) {
		await p.setViewportSize(size);
		await p.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
		if (label === "390") {
			const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
			expect(overflow, `${name} at 390 px scrolls sideways by ${overflow} px`).toBeLessThanOrEqual(0);
		}
		await p.screenshot({ path: join(ARTIFACTS, `${name}-${label}.png`), fullPage: true });
	}
	// The narrowest phone the page is made for.
	await p.setViewportSize({ width: 360, height: 740 });
	await p.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
	expect(
		await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
		`${name} at 360 px`,
	).toBeLessThanOrEqual(0);
	await p.setViewportSize(WIDE);
}

/** mosquitto_pub as a device with its own credential; resolves when the tool has exited. */
function mosquittoPub(node: string, password: string, kind: string, data: object): Promise<number | null> {
	const topic = `vikno/v1/demo/${node}/${kind}`;
	const body = JSON.stringify({ id: crypto.randomUUID(), ts: Date.now(), ...data });
	return new Promise((resolve) => {
		const args = ["-h", "127.0.0.1", "-p", String(hub.mqttPort), "-q", "1", "-u", `demo/${node}`, "-P", password];
		const child = spawn("mosquitto_pub", [...args, "-i", `demo/${node}`, "-t", topic, "-m", body], { timeout: 10_000 });
		child.on("exit", resolve);
	});
}

describe("the hall now", () => {
	it("shows the live hall from the stream, and an event published with mosquitto_pub within 2 s", async () => {
		await until(
			() => text(page, "stream-state"),
			(s) => s === "наживо",
			{ what: "the stream live" },
		);
		expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(centre.name.uk);
		await page.getByTestId("window-w01").waitFor();
		expect(await page.locator("li[data-window]").count()).toBe(12);
		expect(await page.getByTestId("zone-annex").count()).toBe(1);
		// The administrator of the window, from the centre's file.
		expect(await page.locator('[data-window="w01"] [data-testid="administrator"]').textContent()).toBe(
			"адміністратор: adm-101",
		);

		const started = Date.now();
		expect(await mosquittoPub("door-annex", doorPassword, "occupancy", { zone: "annex", count: 17 })).toBe(0);
		await until(
			() => text(page, "occupancy-annex"),
			(s) => s === "17",
			{ timeoutMs: 2_000, what: "the annex showing 17" },
		);
		expect(Date.now() - started).toBeLessThan(2_500);
		await page.getByTestId("occupancy-chart").waitFor();
		await shoot(page, "hall");
		// A wall screen: the page grows with it.
		await page.setViewportSize({ width: 3840, height: 2160 });
		await page.screenshot({ path: join(ARTIFACTS, "hall-3840.png") });
		await page.setViewportSize(WIDE);
		expect(errors).toEqual([]);
	});

	it("agrees with the API once the simulator stops: waiting, served, each service's queue, rating", async () => {
		await sim?.stop();
		sim = undefined;
		const view = await until(
			async () => {
				const v = await manager.json<LiveView>("/api/v1/centres/demo/live");
				return { v, shown: await text(page, "waiting"), served: await text(page, "served") };
			},
			({ v, shown, served }) => shown === String(v.tickets.waiting) && served === String(v.tickets.served),
			{ what: "the page and the API agreeing" },
		);
		const v = view.v;
		for (const s of v.services)
			expect(await page.locator(`tr[data-service="${s.id}"] td`).first().textContent(), s.id).toBe(String(s.waiting));
		expect(await text(page, "rating")).toBe(formatMean(v.ratings.mean, "uk"));
		expect(await text(page, "occupancy")).toBe(String(v.zones[0]?.count));

		// The queue table as CSV: the same queues.
		const [download] = await Promise.all([
			page.waitForEvent("download"),
			page.getByTestId("csv-live-services").click(),
		]);
		const csv = parseCsv(readFileSync((await download.path()) as string, "utf8"));
		expect(csv[0]?.slice(0, 3)).toEqual(["послуга", "назва", "у черзі"]);
		expect(csv.slice(1).map((r) => [r[0], Number(r[2])])).toEqual(v.services.map((s) => [s.id, s.waiting]));
	});
});

describe("quality", () => {
	it("shows today's and a week's figures as the API gives them, per window, service and administrator", async () => {
		await open(page, "quality", "q-csat");
		const q = await manager.json<QualityReport>("/api/v1/centres/demo/quality");
		await until(
			() => text(page, "q-count"),
			(s) => s === formatNumber(q.all.count, "uk"),
			{ what: "today's rating count" },
		);
		expect(await text(page, "q-csat")).toBe(formatShare(q.all.csat, "uk"));
		expect(await text(page, "q-nps")).toBe(formatNps(q.all.nps));
		expect(await text(page, "q-mean")).toBe(`${formatMean(q.all.mean, "uk")} / 5`);

		await page.locator('[data-span="week"]').first().click();
		const from = addDays(today, -6);
		const w = await manager.json<QualityReport>(`/api/v1/centres/demo/quality?from=${from}&to=${today}`);
		await until(
			() => text(page, "q-count"),
			(s) => s === formatNumber(w.all.count, "uk"),
			{ what: "the week's rating count" },
		);
		expect(new URL(page.url()).searchParams.get("span")).toBe("week");
		const rows = page.locator('[data-testid="quality-windows"] tbody tr');
		expect(await rows.count()).toBe(Object.keys(w.byWindow).length);
		for (const [id, f] of Object.entries(w.byWindow)) {
			const cells = await page.locator(`[data-testid="quality-windows"] tr[data-row="${id}"] td`).allTextContents();
			expect(cells.slice(0, 3), id).toEqual([
				formatNumber(f.count, "uk"),
				formatMean(f.mean, "uk"),
				formatShare(f.csat, "uk"),
			]);
		}
		expect(await page.locator('[data-testid="quality-administrators"] tbody tr').count()).toBe(
			Object.keys(w.byAdministrator).length,
		);
		expect(Object.keys(w.byAdministrator)).toContain("adm-101");
		await page.getByTestId("quality-trend").waitFor();
		await shoot(page, "quality");
	});

	it("exports a table as CSV (UTF-8 with BOM) with the API's rows", async () => {
		const [download] = await Promise.all([
			page.waitForEvent("download"),
			page.getByTestId("csv-quality-windows").click(),
		]);
		expect(download.suggestedFilename()).toBe(`demo-quality-windows-${addDays(today, -6)}_${today}.csv`);
		const bytes = readFileSync((await download.path()) as string);
		expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
		const text = bytes.toString("utf8");
		expect(text.startsWith(BOM)).toBe(true);
		const csv = parseCsv(text);
		expect(csv[0]?.slice(0, 4)).toEqual(["вікно", "назва", "оцінок", "середня"]);
		const w = await manager.json<QualityReport>(`/api/v1/centres/demo/quality?from=${addDays(today, -6)}&to=${today}`);
		expect(csv.slice(1).map((r) => [r[0], Number(r[2]), r[3] === "" ? null : Number(r[3])])).toEqual(
			Object.entries(w.byWindow).map(([id, f]) => [id, f.count, f.mean]),
		);
	});
});

describe("history", () => {
	it("charts the week, with service levels and the weekday × hour table, as the API says", async () => {
		await open(page, "history", "chart-visits");
		const from = addDays(today, -6);
		const trends = await manager.json<Trends>(`/api/v1/centres/demo/trends?from=${from}&to=${today}&step=1d`);
		expect(trends.rows).toHaveLength(7);
		expect(trends.rows.reduce((n, r) => n + r.called, 0)).toBeGreaterThan(100);
		// The chart's text alternative: one row per day, the API's counts.
		const visits = page.locator('[data-testid="chart-visits"] tbody tr');
		await until(
			() => visits.count(),
			(n) => n === 7,
			{ what: "seven days in the visits table" },
		);
		expect(await page.locator('[data-testid="chart-visits"] tbody td').allTextContents()).toEqual(
			trends.rows.map((r) => formatNumber(r.called, "uk")),
		);

		const levels = await manager.json<ServiceLevelReport>(
			`/api/v1/centres/demo/service-levels?from=${from}&to=${today}`,
		);
		const sums = periodLevels(
			levels.levels,
			centre.services.map((s) => s.id),
		);
		const all = sums.find((l) => l.service === "*");
		const row = page.locator('[data-testid="service-levels"] tr[data-row="*"] td');
		await row.first().waitFor();
		const cells = await row.allTextContents();
		expect(cells[1]).toBe(formatNumber(all?.issued ?? -1, "uk"));
		expect(cells[2]).toBe(formatNumber(all?.served ?? -1, "uk"));
		expect(cells[3]).toBe(formatShare(all?.withinTarget, "uk"));
		expect(cells[6]).toBe(formatNumber(all?.noShows ?? -1, "uk"));
		// The exact shares from the counts: the whole-period row agrees with the days added up.
		const days = levels.levels.filter((l) => l.service === "*");
		expect(all?.issued).toBe(days.reduce((n, l) => n + l.issued, 0));

		const best = await manager.json<{ cells: unknown[] }>("/api/v1/centres/demo/best-times");
		await page.getByTestId("heatmap").waitFor();
		expect(await page.locator('[data-testid="heatmap"] td[data-cell]').count()).toBe(best.cells.length);
		await shoot(page, "history");

		const [download] = await Promise.all([
			page.waitForEvent("download"),
			page.getByTestId("csv-service-levels").click(),
		]);
		const csv = parseCsv(readFileSync((await download.path()) as string, "utf8"));
		expect(csv.slice(1).map((r) => [r[0], r[1], Number(r[4])])).toEqual(
			levels.levels.map((l) => [l.day, l.service, l.issued]),
		);
	});

	it("shows one day by hour", async () => {
		await page.locator('[data-span="day"]').first().click();
		const trends = await manager.json<Trends>(`/api/v1/centres/demo/trends?from=${today}&to=${today}&step=1h`);
		await until(
			() => page.locator('[data-testid="chart-visits"] tbody tr').count(),
			(n) => n === trends.rows.length,
			{ what: "the day's hours" },
		);
		expect(await page.locator('[data-testid="chart-visits"] tbody th').first().textContent()).toBe("00:00");
	});
});

describe("alerts", () => {
	it("shows a new alert in the banner, takes an acknowledgement with a comment, and keeps it once resolved", async () => {
		await open(page, "alerts", "period");
		// 46 people for 50 places in the second hall.
		expect(await mosquittoPub("door-annex", doorPassword, "occupancy", { zone: "annex", count: 46 })).toBe(0);
		const banner = page.getByTestId("alerts-banner");
		await banner.locator('li[data-alert="occupancy:annex"]').waitFor();
		expect(await banner.getAttribute("class")).toContain("fresh");
		expect(await banner.locator('li[data-alert="occupancy:annex"] .new').textContent()).toBe("Нове");
		expect(Number((await text(page, "alerts-count")).replace(/\D/g, ""))).toBeGreaterThanOrEqual(1);

		const card = page.locator('li.card[data-alert="occupancy:annex"]');
		await card.locator("textarea").fill("Відкрили другу залу, люди переходять");
		await card.getByRole("button", { name: "Підтвердити" }).click();
		await card.getByTestId("acks").waitFor();
		expect(await card.getByTestId("acks").textContent()).toContain("olena");
		const active = await manager.json<ActiveAlerts>("/api/v1/centres/demo/alerts");
		const record = active.records.find((r) => r.key === "occupancy:annex");
		expect(record?.acks).toEqual([
			{ by: "olena", at: expect.any(Number), comment: "Відкрили другу залу, люди переходять" },
		]);
		// Every page hears it: the banner says who.
		await until(
			() => banner.locator('li[data-alert="occupancy:annex"] .acked').count(),
			(n) => n === 1,
			{ what: "the banner naming who acknowledged" },
		);
		await shoot(page, "alerts");

		// A wall screen's viewer reads the active alert and its acknowledgement, and acknowledges nothing.
		const viewer = await addUser(hub, { role: "viewer", centres: ["demo"] });
		const wall = await browser.newContext({ viewport: WIDE, locale: "uk-UA" });
		const { page: wallPage } = await openPage(wall, `${hub.httpUrl}/alerts?centre=demo`);
		await signInThroughForm(wallPage, viewer);
		await wallPage.locator('li.card[data-alert="occupancy:annex"] [data-testid="acks"]').waitFor();
		expect(await wallPage.getByTestId("ack-form").count()).toBe(0);
		await wall.close();
		expect(await card.getByTestId("ack-form").count()).toBe(1);

		expect(await mosquittoPub("door-annex", doorPassword, "occupancy", { zone: "annex", count: 4 })).toBe(0);
		await page.locator('li.card[data-alert="occupancy:annex"]').waitFor({ state: "detached" });
		const past = page.locator('[data-testid="past-alerts"] tr[data-row="occupancy:annex"]');
		await until(
			async () => (await past.count()) === 1 && !((await past.textContent()) ?? "").includes("ще активне"),
			(ok) => ok,
			{ what: "the resolved alert in the period's table" },
		);
		expect(await past.textContent()).toContain("olena");
		const history = await manager.json<AlertHistory>("/api/v1/centres/demo/alerts/history");
		expect(history.alerts.find((a) => a.key === "occupancy:annex")?.resolvedAt).not.toBeNull();
	});
});

describe("the daily report", () => {
	it("gives the day's figures of the API, and prints without the navigation", async () => {
		await open(page, "report", "report-title");
		const levels = await manager.json<ServiceLevelReport>("/api/v1/centres/demo/service-levels");
		const all = levels.levels.find((l) => l.service === "*");
		await until(
			() => text(page, "r-issued"),
			(s) => s === formatNumber(all?.issued ?? 0, "uk"),
			{ what: "the report's issued tickets" },
		);
		expect(await text(page, "r-served")).toBe(formatNumber(all?.served ?? 0, "uk"));
		expect(await text(page, "r-within")).toBe(formatShare(all?.withinTarget, "uk"));
		expect(await page.locator('[data-testid="report-services"] tbody tr').count()).toBe(levels.levels.length);
		await shoot(page, "report");
		await page.emulateMedia({ media: "print" });
		expect(await page.locator("nav").isVisible()).toBe(false);
		expect(await page.locator("vikno-session-bar").isVisible()).toBe(false);
		await page.screenshot({ path: join(ARTIFACTS, "report-print.png"), fullPage: true });
		await page.emulateMedia({ media: "screen" });
		expect(errors).toEqual([]);
	});
});

describe("as an admin", () => {
	let adminPage: Page;
	let adminErrors: string[];
	beforeAll(async () => {
		const ctx = await browser.newContext({ viewport: WIDE, locale: "uk-UA" });
		({ page: adminPage, errors: adminErrors } = await openPage(ctx, `${hub.httpUrl}/devices?centre=demo`));
		adminPage.setDefaultTimeout(15_000);
		await signInThroughForm(adminPage, adminUser);
		const config = parseEdgeConfig(
			{
				centre: "demo",
				node: "win-02",
				role: "window",
				dataDir: edgeDir,
				broker: { url: hub.mqttUrl, keepaliveS: 5, reconnectMinMs: 50, reconnectMaxMs: 300 },
				driver: { type: "sim", debounceMs: 0 },
				inputs: ["r1", "r2", "r3", "r4", "r5"].map((name, i) => ({ name, pin: i + 2 })),
				outputs: [{ name: "thanks", pin: 20 }],
				window: { window: "w02", ratingButtons: ["r1", "r2", "r3", "r4", "r5"], thanksLed: "thanks", lockoutS: 0 },
			},
			"win-02.yaml",
		);
		edge = await startEdge(config, { driver: blinks });
		await edge.link.whenConnected();
	});

	it("sees the devices, offline first, and makes a real edge node blink with identify", async () => {
		const row = adminPage.locator('[data-testid="devices"] tr[data-row="win-02"]');
		await until(
			async () => (await row.count()) === 1 && ((await row.textContent()) ?? "").includes("на звʼязку"),
			(ok) => ok,
			{ what: "win-02 online in the devices table" },
		);
		const rows = await adminPage
			.locator('[data-testid="devices"] tbody tr')
			.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-row")));
		const api = await admin.json<{ devices: { id: string }[] }>("/api/v1/centres/demo/devices");
		expect(rows).toEqual(api.devices.map((d) => d.id));
		expect(blinks.changes).toEqual([]);
		await adminPage.getByTestId("identify-win-02").click();
		await until(
			() => blinks.changes.filter((c) => c.name === "thanks" && c.on).length,
			(n) => n >= 3,
			{ timeoutMs: 5_000, what: "the edge node's light blinking" },
		);
		await shoot(adminPage, "devices");
	});

	it("compares every centre side by side, as /api/v1/network says", async () => {
		await open(adminPage, "network", "network");
		const net = await admin.json<Network>("/api/v1/network");
		expect(
			await adminPage.locator("li.centre").evaluateAll((els) => els.map((e) => e.getAttribute("data-centre"))),
		).toEqual(net.centres.map((c) => c.centre));
		for (const c of net.centres) {
			const card = adminPage.locator(`li.centre[data-centre="${c.centre}"]`);
			expect(await card.getByTestId("net-waiting").textContent()).toBe(String(c.waiting));
			expect(await card.getByTestId("net-served").textContent()).toBe(formatNumber(c.served, "uk"));
		}
		await shoot(adminPage, "network");
		// A manager is not shown the admin's views.
		expect(await page.locator('nav a[data-view="devices"]').count()).toBe(0);
		expect(adminErrors).toEqual([]);
	});

	it("speaks English, with the numbers and dates of the language", async () => {
		await adminPage.getByRole("link", { name: "English" }).click();
		await adminPage.waitForURL(/lang=en/);
		await adminPage.locator('nav a[data-view="hall"]').click();
		await until(
			() => text(adminPage, "stream-state"),
			(s) => s === "live",
			{ what: "English" },
		);
		expect(await adminPage.locator('nav a[data-view="quality"]').textContent()).toBe("Quality");
		expect(await adminPage.locator("li[data-window='w02'] .wid").textContent()).toBe("Window 2");
		expect(await adminPage.locator("vikno-session-bar .who").textContent()).toMatch(/^Signed in as it-dept/);
		await shoot(adminPage, "hall-en");
	});
});
