/**
 * Silent absence through real parts: a hub on loopback, a window's history and a waiting ticket
 * published over MQTT by a real client, the live view and the alert journal read over HTTP (their
 * answers checked against the routes' schemas), the `$hub/alerts` state from the real broker, the
 * hall's window card in a real headless Chromium. The
 * window learns that it calls 3 minutes after becoming free; idle with a ticket waiting, it is
 * flagged only past those 3 minutes — and the flag clears when it calls.
 */
import type { MqttClient } from "mqtt";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LiveView } from "../../core/liveView.ts";
import type { ActiveAlerts } from "../../dashboard/routes/managerSchemas.ts";
import type { Hub } from "../../server/hub.ts";
import { type Agent, signedIn } from "../fixtures/auth.ts";
import { launchBrowser, openPage, signInThroughForm } from "../fixtures/browser.ts";
import { demoTopic, payload } from "../fixtures/events.ts";
import { connect, lastLocal, pausableClock, startTestHub, tempDir } from "../fixtures/hub.ts";
import { until } from "../fixtures/wait.ts";

const MIN = 60_000;
const dir = tempDir();
// A Wednesday at 11:00, whenever the test runs (the demo centre is open); time stands still for
// the hub until the test moves it.
const clock = pausableClock(lastLocal("wed", 11));
let hub: Hub;
let client: MqttClient;
let manager: Agent;
let browser: Browser | undefined;
const alerts: { alerts: { key: string }[] }[] = [];

const publish = (node: string, kind: string, data: object, ts: number) =>
	client.publishAsync(demoTopic(node, kind), JSON.stringify(payload(data, ts)), { qos: 1 });
const w04 = async () => (await manager.json<LiveView>("/api/v1/centres/demo/live")).windows.find((w) => w.id === "w04");
const silentAlerts = async () =>
	(await manager.json<ActiveAlerts>("/api/v1/centres/demo/alerts")).alerts.filter((a) => a.rule === "silentWindow");

beforeAll(async () => {
	clock.pause();
	hub = await startTestHub(dir.path, { now: clock.now, alertEveryMs: 100 });
	client = await connect(hub.mqttUrl);
	await client.subscribeAsync("vikno/v1/demo/$hub/alerts", { qos: 1 });
	client.on("message", (topic, body) => {
		if (topic.endsWith("/$hub/alerts")) alerts.push(JSON.parse(body.toString()));
	});
	manager = await signedIn(hub, { role: "manager", centres: ["demo"] });
});

afterAll(async () => {
	await browser?.close();
	await client?.endAsync();
	await hub?.close();
	dir.remove();
});

describe("a window idle with tickets waiting", () => {
	it("is flagged after its learned reaction time and not before, and cleared when it calls", async () => {
		const t = clock.now();
		// Its morning: ten visitors, each called 3 min after the previous one left (the next already
		// waiting), each served 1 min. One client publishes in order, as one node would.
		const start = t - 10 * 4 * MIN - MIN;
		await publish("win-04", "status", { online: true }, start - 10 * MIN);
		for (let i = 1; i <= 10; i++)
			await publish("terminal-1", "queue", { event: "issued", ticket: `R0${10 + i}`, service: "residence" }, start);
		let at = start;
		for (let i = 1; i <= 10; i++) {
			const ticket = `R0${10 + i}`;
			at += 3 * MIN;
			await publish("win-04", "queue", { event: "called", ticket, service: "residence", window: "w04" }, at);
			at += MIN;
			await publish("win-04", "queue", { event: "finished", ticket, service: "residence", window: "w04" }, at);
		}
		// Idle since `at` (a minute ago); a ticket it serves is taken now.
		await publish("terminal-1", "queue", { event: "issued", ticket: "A001", service: "passports" }, t);
		const fresh = await until(w04, (w) => w?.silentS === 0 && w.usualReactionS === 180, {
			what: "w04 silent from now, its usual reaction learnt (3 min)",
		});
		expect(fresh).toMatchObject({ state: "idle", possiblyAway: false, awayChance: 0 });

		// 2½ minutes on: within its usual reaction — not flagged, no alert after an evaluation.
		clock.advance(2.5 * MIN);
		hub.insights.checkAlerts();
		expect(await w04()).toMatchObject({ silentS: 150, possiblyAway: false, awayChance: 0 });
		expect(await silentAlerts()).toEqual([]);

		// 4 minutes on: past it — possibly away, in the live view and as an alert.
		clock.advance(1.5 * MIN);
		expect(await w04()).toMatchObject({ silentS: 240, usualReactionS: 180, possiblyAway: true, awayChance: 0.25 });
		const [alert] = await until(silentAlerts, (a) => a.length === 1, { what: "the silent-window alert" });
		expect(alert).toMatchObject({
			key: "silent:w04",
			subject: { window: "w04" },
			since: t + 3 * MIN,
			value: 240,
			threshold: 180,
			message: {
				uk: "Вікно w04 не викликає 4 хв (чекають: 1; зазвичай викликає за 3 хв)",
				en: "Window w04 has not called for 4 min (1 waiting; it usually calls within 3 min)",
			},
		});
		await until(
			() => alerts.some((m) => m.alerts.some((a) => a.key === "silent:w04")),
			(seen) => seen,
			{ what: "the alert on $hub/alerts" },
		);
		// The hall's window card says so, in a real browser.
		browser = await launchBrowser();
		const { page, errors } = await openPage(browser, `${hub.httpUrl}/?centre=demo`);
		await signInThroughForm(page, manager.user);
		const note = page.locator('[data-window="w04"] [data-testid="silent"]');
		await note.waitFor();
		expect(await note.textContent()).toBe("не викликає 4 хв");
		expect(await page.locator('[data-window="w04"]').getAttribute("class")).toContain("silent");
		expect(await page.locator('[data-window="w05"] [data-testid="silent"]').count()).toBe(0);
		expect(errors).toEqual([]);

		// The journal takes a manager's acknowledgement of it.
		const ack = await manager.fetch("/api/v1/centres/demo/alerts/ack", {
			method: "POST",
			headers: { "content-type": "application/json" },
			body: JSON.stringify({ key: "silent:w04", since: alert?.since, comment: "went to the archive" }),
		});
		expect(ack.status).toBe(200);

		// It calls: the flag and the alert clear.
		await publish(
			"win-04",
			"queue",
			{ event: "called", ticket: "A001", service: "passports", window: "w04" },
			clock.now(),
		);
		await until(silentAlerts, (a) => a.length === 0, { what: "the alert resolved" });
		expect(await w04()).toMatchObject({ state: "calling", silentS: null, possiblyAway: false });
		await note.waitFor({ state: "detached" });
		const history = await until(
			() =>
				manager.json<{ alerts: { key: string; resolvedAt: number | null; acks: { comment: string }[] }[] }>(
					"/api/v1/centres/demo/alerts/history",
				),
			(h) => h.alerts.some((r) => r.key === "silent:w04" && r.resolvedAt !== null),
			{ what: "the resolved alert in the journal" },
		);
		expect(history.alerts.find((r) => r.key === "silent:w04")?.acks.map((a) => a.comment)).toEqual([
			"went to the archive",
		]);
	});
});
