/**
 * Ingest that trusts nothing a node sends, through real parts: aedes on loopback, MQTT.js, the
 * SQLite file, the HTTP API. A node's extra fields are neither stored nor forwarded; attribution
 * comes from the topic and the layout, not from the payload; an occupancy beyond the hall is
 * refused; the low-ratings alert fires for the window the hub worked out; a flood of ratings at
 * one window counts as six ratings and extra presses, live, stored, in the reports and after a
 * restart.
 */

import Database from "better-sqlite3";
import { DateTime } from "luxon";
import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Alert } from "../../core/alerts.ts";
import type { LiveView } from "../../core/liveView.ts";
import type { Hub } from "../../server/hub.ts";
import type { SqliteStore } from "../../store/sqlite.ts";
import { asAdmin } from "../fixtures/auth.ts";
import { demoTopic, payload } from "../fixtures/events.ts";
import { connect, metric, startTestHub, tempDir } from "../fixtures/hub.ts";
import { until } from "../fixtures/wait.ts";

const today = () => DateTime.now().setZone("Europe/Kyiv").toISODate() ?? "";

async function getJson<T>(h: Hub, path: string): Promise<T> {
	const res = await (await asAdmin(h)).fetch(path);
	expect(res.status, path).toBe(200);
	return (await res.json()) as T;
}
const live = (h: Hub) => getJson<LiveView>(h, "/api/v1/centres/demo/live");
const metrics = async (h: Hub) => (await fetch(`${h.httpUrl}/metrics`)).text();
const rejected = (text: string, reason: string) =>
	metric(text, `vikno_messages_total{result="rejected",reason="${reason}"}`);
const alerts = async (h: Hub) => (await getJson<{ alerts: Alert[] }>(h, "/api/v1/centres/demo/alerts")).alerts;

/** Stored rows, read from the hub's SQLite file as another program would. */
function rows(h: Hub, where: string, ...args: unknown[]): { id: string; node: string; data: string }[] {
	const db = new Database((h.store as SqliteStore).path, { readonly: true });
	try {
		return db.prepare(`SELECT id, node, data FROM events WHERE ${where} ORDER BY ts, rx_ts`).all(...args) as {
			id: string;
			node: string;
			data: string;
		}[];
	} finally {
		db.close();
	}
}

interface Quality {
	byWindow: Record<string, { count: number; extra: number }>;
	byService: Record<string, { count: number }>;
}

describe("one hub, many misbehaving messages", () => {
	const dir = tempDir();
	let hub: Hub;
	let client: MqttClient;
	const send = (node: string, kind: string, body: object | string) =>
		client.publishAsync(demoTopic(node, kind), typeof body === "string" ? body : JSON.stringify(body), { qos: 1 });

	beforeAll(async () => {
		hub = await startTestHub(dir.path, { alertEveryMs: 100 });
		client = await connect(hub.mqttUrl);
	});
	afterAll(async () => {
		await client?.endAsync();
		await hub?.close();
		dir.remove();
	});

	it("stores and forwards only the contract's fields of a payload; one with nothing else goes on as sent", async () => {
		const sub = await connect(hub.mqttUrl);
		const seen: string[] = [];
		sub.on("message", (_topic, body) => seen.push(body.toString()));
		await sub.subscribeAsync("vikno/v1/demo/+/rating", { qos: 1 });

		const sent = payload({ score: 4, name: "Олена Петренко", phone: "+380501234567", passport: "FE123456" });
		await send("win-10", "rating", sent);
		const [row] = rows(hub, "id = ?", sent.id);
		expect(row?.data).not.toMatch(/Олена|380501234567|FE123456|name|phone|passport/);
		expect(JSON.parse(row?.data ?? "{}")).toEqual({
			id: sent.id,
			ts: sent.ts,
			score: 4,
			window: "w10",
			scale: 5,
			source: "button",
		});
		const forwarded = await until(
			() => seen.find((b) => b.includes(sent.id)),
			(b) => b !== undefined,
			{ what: "the rating forwarded to a subscriber" },
		);
		expect(JSON.parse(forwarded ?? "{}")).toEqual({ id: sent.id, ts: sent.ts, score: 4 });
		// Sent again (a duplicate, forwarded as duplicates are): cleaned too.
		await send("win-10", "rating", sent);
		await until(
			() => seen.filter((b) => b.includes(sent.id)).length,
			(n) => n === 2,
			{ what: "the repeat forwarded" },
		);

		const plain = `{"id":"${payload({}).id}",  "ts":${Date.now()}, "score":3}`;
		await send("win-10", "rating", plain);
		await until(
			() => seen,
			(s) => s.includes(plain),
			{ what: "the plain rating forwarded byte for byte" },
		);
		expect(seen.join("\n")).not.toMatch(/380501234567/);
		await sub.endAsync();
	});

	it("attributes a rating to the publishing node's window and the centre's scale, never to what the payload names", async () => {
		const claims = payload({ score: 1, window: "w12", service: "passports", scale: 10 });
		const nowhere = payload({ score: 2, window: "zz-not-a-window" });
		await send("win-09", "rating", claims);
		await send("win-09", "rating", nowhere);
		const stored = rows(hub, "node = 'win-09'").map((r) => JSON.parse(r.data));
		expect(stored).toEqual([
			{ id: claims.id, ts: claims.ts, score: 1, window: "w09", scale: 5, source: "button" },
			{ id: nowhere.id, ts: nowhere.ts, score: 2, window: "w09", scale: 5, source: "button" },
		]);
		const q = await getJson<Quality>(hub, `/api/v1/centres/demo/quality?from=${today()}`);
		expect(q.byWindow.w09?.count).toBe(2);
		expect(Object.keys(q.byWindow)).not.toContain("w12");
		expect(Object.keys(q.byWindow)).not.toContain("zz-not-a-window");
		expect(q.byService.passports).toBeUndefined();
	});

	it("refuses a queue event of another window and a priority the centre does not have", async () => {
		const m0 = await metrics(hub);
		const before = await hub.countEvents({ kind: "queue" });
		await send("terminal-1", "queue", payload({ event: "issued", ticket: "K001", service: "consult" }));
		// win-09 calls a ticket as if it were the priority desk w12.
		await send("win-09", "queue", payload({ event: "called", ticket: "K001", service: "consult", window: "w12" }));
		await send(
			"terminal-1",
			"queue",
			payload({ event: "issued", ticket: "K002", service: "consult", priority: "vip" }),
		);
		await send(
			"terminal-1",
			"queue",
			payload({ event: "issued", ticket: "K003", service: "consult", priority: "idp" }),
		);
		const m1 = await metrics(hub);
		expect(rejected(m1, "wrong_window") - rejected(m0, "wrong_window")).toBe(1);
		expect(rejected(m1, "unknown_ref") - rejected(m0, "unknown_ref")).toBe(1);
		expect(await hub.countEvents({ kind: "queue" })).toBe(before + 2);
		expect(rows(hub, "data LIKE '%vip%'")).toEqual([]);

		const v = await live(hub);
		expect(v.windows.find((w) => w.id === "w12")).toMatchObject({ ticket: null });
		expect(v.services.find((s) => s.id === "consult")).toMatchObject({ waiting: 2, priorityWaiting: 1 });
		const levels = await getJson<{ levels: { day: string; service: string; issued: number; called: number }[] }>(
			hub,
			`/api/v1/centres/demo/service-levels?from=${today()}`,
		);
		expect(levels.levels.find((l) => l.service === "consult" && l.day === today())).toMatchObject({
			issued: 2,
			called: 0,
		});
	});

	it("refuses an occupancy beyond the hall, and the public sees the plausible one", async () => {
		const m0 = await metrics(hub);
		await send("door-main", "occupancy", payload({ zone: "hall", count: 60 }));
		await send("door-main", "occupancy", payload({ zone: "hall", count: 100_000 }));
		for (let i = 0; i < 3; i++) await send("door-main", "occupancy", payload({ zone: "hall", in: 10_000 }));
		const m1 = await metrics(hub);
		expect(rejected(m1, "implausible") - rejected(m0, "implausible")).toBe(4);
		expect(await hub.countEvents({ kind: "occupancy" })).toBe(1);

		expect((await live(hub)).zones.find((z) => z.id === "hall")).toMatchObject({ count: 60, load: 0.5 });
		const pub = await getJson<{ hall: { id: string; load: number; label: string }[] }>(
			hub,
			"/api/public/v1/centres/demo/wait",
		);
		expect(pub.hall).toEqual([{ id: "hall", load: 0.5, label: "usual" }]);
		// An evaluation of the rules after the messages: nothing about the hall.
		hub.insights.checkAlerts();
		expect((await alerts(hub)).filter((a) => a.rule === "occupancy")).toEqual([]);
	});
});

describe("the low-ratings alert", () => {
	it("fires for the window the hub worked out, and again after a restart", async () => {
		const dir = tempDir();
		let hub = await startTestHub(dir.path, { alertEveryMs: 100 });
		let client = await connect(hub.mqttUrl);
		for (let i = 0; i < 4; i++)
			await client.publishAsync(demoTopic("win-07", "rating"), JSON.stringify(payload({ score: 1 })), { qos: 1 });
		await Promise.all(
			Array.from({ length: 100 }, () =>
				client.publishAsync(demoTopic("win-08", "rating"), JSON.stringify(payload({ score: 5 })), { qos: 1 }),
			),
		);
		const h1 = hub;
		const raised = await until(
			() => alerts(h1),
			(a) => a.some((x) => x.key === "ratings:w07"),
			{ what: "the low-ratings alert of w07" },
		);
		expect(raised.find((x) => x.key === "ratings:w07")).toMatchObject({
			rule: "lowRatings",
			subject: { window: "w07" },
			value: 1,
		});
		expect(raised.some((x) => x.key === "ratings:w08")).toBe(false);
		await client.endAsync();
		await hub.close();

		hub = await startTestHub(dir.path, { alertEveryMs: 100 });
		client = await connect(hub.mqttUrl);
		const h2 = hub;
		await until(
			() => alerts(h2),
			(a) => a.some((x) => x.key === "ratings:w07"),
			{ what: "the alert again after a restart" },
		);
		await client.endAsync();
		await hub.close();
		dir.remove();
	});
});

describe("a burst of ratings at one window", () => {
	it("counts six a minute as ratings and the rest as extra presses: live, stored, in the reports and across a restart", async () => {
		const dir = tempDir();
		let hub = await startTestHub(dir.path);
		const client = await connect(hub.mqttUrl);
		const sub = await connect(hub.mqttUrl);
		const forwarded: string[] = [];
		sub.on("message", (_t, body) => forwarded.push(body.toString()));
		await sub.subscribeAsync(demoTopic("win-08", "rating"), { qos: 1 });
		await Promise.all(
			Array.from({ length: 100 }, () =>
				client.publishAsync(demoTopic("win-08", "rating"), JSON.stringify(payload({ score: 5 })), { qos: 1 }),
			),
		);
		const expected = { count: 6, extra: 94 };
		expect((await live(hub)).ratings).toMatchObject(expected);
		const stored = rows(hub, "kind = 'rating'").map((r) => JSON.parse(r.data) as { extra?: boolean });
		expect(stored.length).toBe(100);
		expect(stored.filter((d) => d.extra === true).length).toBe(94);
		const q = await getJson<Quality>(hub, `/api/v1/centres/demo/quality?from=${today()}`);
		expect(q.byWindow.w08).toMatchObject(expected);
		expect(metric(await metrics(hub), "vikno_rating_burst_total")).toBe(94);
		// Subscribers get the ratings as the node sent them: the marking is the hub's reading.
		await until(
			() => forwarded.length,
			(n) => n === 100,
			{ what: "all 100 forwarded" },
		);
		expect(forwarded.filter((b) => (JSON.parse(b) as { extra?: boolean }).extra !== undefined)).toEqual([]);
		await sub.endAsync();
		await client.endAsync();
		await hub.close();

		hub = await startTestHub(dir.path);
		expect((await live(hub)).ratings).toMatchObject(expected);
		// The restarted hub knows the minute's six: one more is still past the bound.
		const again = await connect(hub.mqttUrl);
		await again.publishAsync(demoTopic("win-08", "rating"), JSON.stringify(payload({ score: 5 })), { qos: 1 });
		expect((await live(hub)).ratings).toMatchObject({ count: 6, extra: 95 });
		await again.endAsync();
		await hub.close();
		dir.remove();
	});
});
