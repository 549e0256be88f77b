/**
 * The manager API beyond the live view, against a real hub over real HTTP and MQTT: trends, the
 * alert journal with acknowledgements (and the stream's `alerts` event), devices and identify
 * reaching a real edge node (sim driver) as a blink, the network of centres, best times, and the
 * CSV export compared cell for cell with the JSON it comes from.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AlertRecord } from "../../core/alertJournal.ts";
import type { Devices } from "../../core/devices.ts";
import { BOM, parseCsv } from "../../dashboard/csv.ts";
import type { ActiveAlerts, Network } from "../../dashboard/routes/managerSchemas.ts";
import { THROTTLE_MS } from "../../dashboard/routes/stream.ts";
import { SimDriver } from "../../edge/drivers/sim.ts";
import { parseEdgeConfig } from "../../edge/load-config.ts";
import { type EdgeNode, startEdge } from "../../edge/node.ts";
import type { Hub } from "../../server/hub.ts";
import { type Agent, signedIn } from "../fixtures/auth.ts";
import { configCentre } from "../fixtures/centres.ts";
import { demoTopic, payload } from "../fixtures/events.ts";
import { connect, demoCentre, metric, startTestHub, tempDir } from "../fixtures/hub.ts";
import { sseReader } from "../fixtures/sse.ts";
import { until } from "../fixtures/wait.ts";

const dir = tempDir();
let hub: Hub;
let mqtt: MqttClient;
let admin: Agent;
let manager: Agent;

beforeAll(async () => {
	hub = await startTestHub(dir.path, { centres: [demoCentre(), configCentre("lutsk")], alertEveryMs: 100 });
	mqtt = await connect(hub.mqttUrl);
	admin = await signedIn(hub);
	manager = await signedIn(hub, { role: "manager", centres: ["demo"] });
});

afterAll(async () => {
	await mqtt?.endAsync();
	await hub?.close();
	dir.remove();
});

const publish = (node: string, kind: string, data: object, ts = Date.now()) =>
	mqtt.publishAsync(demoTopic(node, kind), JSON.stringify(payload(data, ts)), { qos: 1 });

describe("trends", () => {
	it("gives one row per bucket, the empty ones too, agreeing with the history of each field", async () => {
		const t = Date.now() - 5 * 60_000;
		await publish("terminal-1", "queue", { event: "issued", ticket: "A001", service: "passports" }, t - 10 * 60_000);
		await publish("win-01", "queue", { event: "called", ticket: "A001", service: "passports", window: "w01" }, t);
		await publish("win-01", "rating", { score: 4 }, t + 1000);
		await publish("door-main", "occupancy", { zone: "hall", count: 12 }, t);
		await until(
			() => hub.countEvents({ centre: "demo" }),
			(n) => n >= 4,
		);
		const trends = await manager.json<{ step: string; rows: { t: number; called: number; waitMeanS: number }[] }>(
			"/api/v1/centres/demo/trends?step=1h",
		);
		expect(trends.step).toBe("1h");
		expect(trends.rows.length).toBeGreaterThanOrEqual(23);
		const waits = await manager.json<{ rows: { t: number; count: number; mean: number }[] }>(
			"/api/v1/centres/demo/history?measurement=queue&field=wait_s&event=called&step=1h",
		);
		expect(waits.rows).toHaveLength(1);
		const bucket = trends.rows.find((r) => r.t === waits.rows[0]?.t);
		expect(bucket).toMatchObject({ called: 1, waitMeanS: 600, ratings: 1, ratingMean: 4, occupancyMax: 12 });
		expect(trends.rows.filter((r) => r.called > 0)).toHaveLength(1);
		const days = await manager.json<{ rows: unknown[] }>(
			`/api/v1/centres/demo/trends?step=1d&to=${(await manager.json<{ day: string }>("/api/v1/centres/demo/live")).day}&from=2026-11-01`,
		);
		expect(days.rows.length).toBeGreaterThan(25);
	});
});

describe("the stream's pace", () => {
	it(`sends a burst of changes as at most one view per ${THROTTLE_MS} ms, the last one with all of them`, async () => {
		const ctrl = new AbortController();
		const stream = sseReader(await manager.fetch("/api/v1/stream?centre=demo", { signal: ctrl.signal }));
		try {
			await stream.until((all) => all.some((e) => e.event === "live"));
			const issued = (e: { data: unknown }) => (e.data as { tickets: { issued: number } }).tickets.issued;
			const last = stream.parsed().findLast((e) => e.event === "live");
			const base = last ? issued(last) : 0;
			const before = stream.parsed().filter((e) => e.event === "live").length;
			const t0 = performance.now();
			// One after another, each acknowledged (stored and applied) before the next: 40 changes.
			for (let i = 0; i < 40; i++)
				await publish("terminal-1", "queue", { event: "issued", ticket: `K${100 + i}`, service: "consult" });
			await stream.until((all) => all.some((e) => e.event === "live" && issued(e) === base + 40));
			const elapsed = performance.now() - t0;
			const sent = stream.parsed().filter((e) => e.event === "live").length - before;
			expect(sent).toBeGreaterThanOrEqual(1);
			expect(sent).toBeLessThanOrEqual(Math.ceil(elapsed / THROTTLE_MS) + 2);
		} finally {
			ctrl.abort();
		}
	});

	it("works a view out once a tick and sends it to every stream of the centre", async () => {
		const metrics = async () => {
			const text = await (await fetch(`${hub.httpUrl}/metrics`)).text();
			return {
				open: metric(text, "vikno_streams_open"),
				views: metric(text, "vikno_stream_views_total"),
				sent: metric(text, "vikno_stream_views_sent_total"),
			};
		};
		const ctrls = [0, 1, 2].map(() => new AbortController());
		const streams = await Promise.all(
			ctrls.map(async (c) => sseReader(await manager.fetch("/api/v1/stream?centre=demo", { signal: c.signal }))),
		);
		try {
			// Only these three (the earlier tests' streams closed).
			const m0 = await until(metrics, (m) => m.open === 3, { what: "three streams open" });
			const issued = (e: { data: unknown }) => (e.data as { tickets: { issued: number } }).tickets.issued;
			for (const s of streams) await s.until((all) => all.some((e) => e.event === "live"));
			const last = streams[0]?.parsed().findLast((e) => e.event === "live");
			const base = last ? issued(last) : 0;
			for (let i = 0; i < 20; i++)
				await publish("terminal-1", "queue", { event: "issued", ticket: `L${100 + i}`, service: "consult" });
			for (const s of streams) await s.until((all) => all.some((e) => e.event === "live" && issued(e) === base + 20));
			const m1 = await metrics();
			expect(m1.views - m0.views).toBeGreaterThanOrEqual(1);
			expect(m1.sent - m0.sent).toBe(3 * (m1.views - m0.views));
		} finally {
			for (const c of ctrls) c.abort();
		}
		await until(metrics, (m) => m.open === 0, { what: "the streams closed" });
	});
});

describe("alerts", () => {
	it("journals an alert, takes a manager's acknowledgement with a comment, and keeps it once resolved", async () => {
		const ctrl = new AbortController();
		const stream = sseReader(await manager.fetch("/api/v1/stream?centre=demo", { signal: ctrl.signal }));
		try {
			await stream.until((all) => all.some((e) => e.event === "alerts"));
			// 115 people for 120 places: over 90 %.
			await publish("door-main", "occupancy", { zone: "hall", count: 115 });
			const active = await until(
				() => manager.json<ActiveAlerts>("/api/v1/centres/demo/alerts"),
				(a) => a.records.some((r) => r.key === "occupancy:hall"),
			);
			const alert = active.alerts.find((a) => a.key === "occupancy:hall");
			expect(alert).toMatchObject({ rule: "occupancy", threshold: 0.9 });
			expect(active.records.find((r) => r.key === "occupancy:hall")).toMatchObject({
				since: alert?.since,
				resolvedAt: null,
				acks: [],
			});
			await stream.until((all) =>
				all.some(
					(e) => e.event === "alerts" && (e.data as ActiveAlerts).alerts.some((a) => a.key === "occupancy:hall"),
				),
			);

			const ack = await manager.fetch("/api/v1/centres/demo/alerts/ack", {
				method: "POST",
				headers: { "content-type": "application/json" },
				body: JSON.stringify({ key: "occupancy:hall", since: alert?.since, comment: "  opened the second hall  " }),
			});
			expect(ack.status).toBe(200);
			const record = (await ack.json()) as AlertRecord;
			expect(record.acks).toEqual([
				{ by: manager.user.name, at: expect.any(Number), comment: "opened the second hall" },
			]);
			// Every open dashboard hears it.
			await stream.until((all) =>
				all.some(
					(e) =>
						e.event === "alerts" &&
						(e.data as ActiveAlerts).records.some((r) => r.key === "occupancy:hall" && r.acks.length === 1),
				),
			);
			const unknown = await manager.fetch("/api/v1/centres/demo/alerts/ack", {
				method: "POST",
				headers: { "content-type": "application/json" },
				body: JSON.stringify({ key: "occupancy:hall", since: 1, comment: "" }),
			});
			expect(unknown.status).toBe(404);
			expect(await unknown.json()).toMatchObject({ error: { code: "unknown_alert" } });
			// Without the session's CSRF token: refused, nothing stored.
			const forged = await fetch(`${hub.httpUrl}/api/v1/centres/demo/alerts/ack`, {
				method: "POST",
				headers: { cookie: manager.cookie, "content-type": "application/json" },
				body: JSON.stringify({ key: "occupancy:hall", since: alert?.since, comment: "forged" }),
			});
			expect(forged.status).toBe(403);

			await publish("door-main", "occupancy", { zone: "hall", count: 20 });
			const past = await until(
				() => manager.json<{ alerts: AlertRecord[] }>("/api/v1/centres/demo/alerts/history"),
				(h) => h.alerts.some((r) => r.key === "occupancy:hall" && r.resolvedAt !== null),
			);
			expect(past.alerts.find((r) => r.key === "occupancy:hall")?.acks.map((a) => a.comment)).toEqual([
				"opened the second hall",
			]);
			expect((await manager.json<ActiveAlerts>("/api/v1/centres/demo/alerts")).records).toEqual([]);

			const csv = parseCsv(await (await manager.fetch("/api/v1/centres/demo/export/alerts?lang=en")).text());
			expect(csv[0]).toEqual([
				"key",
				"rule",
				"severity",
				"message",
				"since",
				"raised",
				"resolved",
				"value",
				"threshold",
				"acknowledged by",
				"acknowledged at",
				"comments",
			]);
			const row = csv.find((r) => r[0] === "occupancy:hall");
			expect(row?.[9]).toBe(manager.user.name);
			expect(row?.[11]).toMatch(/: opened the second hall$/);
		} finally {
			ctrl.abort();
		}
	});
});

describe("devices", () => {
	let node: EdgeNode | undefined;
	const edgeDir = mkdtempSync(join(tmpdir(), "vikno-identify-"));
	afterAll(async () => {
		await node?.close();
		rmSync(edgeDir, { recursive: true, force: true });
	});

	it("lists the nodes offline first, and identify makes a real edge node blink", async () => {
		const sim = new SimDriver();
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
			"identify.yaml",
		);
		node = await startEdge(config, { driver: sim });
		await node.link.whenConnected();
		const devices = await until(
			() => admin.json<Devices>("/api/v1/centres/demo/devices"),
			(d) => d.devices.some((x) => x.id === "win-02" && x.online),
		);
		expect(devices.devices.at(-1)).toMatchObject({
			id: "win-02",
			online: true,
			window: "w02",
			version: expect.any(String),
		});
		expect(devices.devices[0]?.online).toBe(false);

		expect((await manager.fetch("/api/v1/centres/demo/devices")).status).toBe(403);
		const refused = await manager.fetch("/api/v1/centres/demo/devices/win-02/identify", {
			method: "POST",
			headers: { "content-type": "application/json" },
			body: "{}",
		});
		expect(refused.status).toBe(403);
		expect(sim.changes).toEqual([]);

		const res = await admin.fetch("/api/v1/centres/demo/devices/win-02/identify", {
			method: "POST",
			headers: { "content-type": "application/json" },
			body: JSON.stringify({ seconds: 2 }),
		});
		expect(res.status).toBe(202);
		expect(await res.json()).toEqual({
			centre: "demo",
			node: "win-02",
			topic: "vikno/v1/demo/win-02/cmd/identify",
			seconds: 2,
		});
		await until(
			() => sim.changes.filter((c) => c.name === "thanks" && c.on).length,
			(n) => n >= 3,
			{ timeoutMs: 5_000, what: "the thanks light blinking" },
		);

		const missing = await admin.fetch("/api/v1/centres/demo/devices/win-99/identify", {
			method: "POST",
			headers: { "content-type": "application/json" },
			body: "{}",
		});
		expect(missing.status).toBe(404);
		expect(await missing.json()).toMatchObject({ error: { code: "unknown_node" } });
		const tooLong = await admin.fetch("/api/v1/centres/demo/devices/win-02/identify", {
			method: "POST",
			headers: { "content-type": "application/json" },
			body: JSON.stringify({ seconds: 3600 }),
		});
		expect(tooLong.status).toBe(400);
	});
});

describe("the network and best times", () => {
	it("puts every centre side by side for an admin, as CSV too", async () => {
		const net = await admin.json<Network>("/api/v1/network");
		expect(net.centres.map((c) => c.centre)).toEqual(["demo", "lutsk"]);
		const live = await admin.json<{ tickets: { waiting: number }; ratings: { count: number } }>(
			"/api/v1/centres/demo/live",
		);
		expect(net.centres[0]).toMatchObject({ waiting: live.tickets.waiting, ratings: live.ratings.count });
		const csv = parseCsv(await (await admin.fetch("/api/v1/export/network")).text());
		expect(csv.map((r) => r[0])).toEqual(["центр", "demo", "lutsk"]);
		expect(csv[1]?.[3]).toBe(String(net.centres[0]?.waiting));
		expect((await manager.fetch("/api/v1/network")).status).toBe(403);
	});

	it("gives a manager the best-times table of their centre", async () => {
		const best = await manager.json<{ centre: string; cells: unknown[] }>("/api/v1/centres/demo/best-times");
		expect(best.centre).toBe("demo");
		expect(best.cells.length).toBeGreaterThan(40);
	});
});

describe("CSV export", () => {
	it("answers UTF-8 with a byte-order mark, as a named download, with the API's figures", async () => {
		const res = await manager.fetch("/api/v1/centres/demo/export/service-levels");
		expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
		expect(res.headers.get("content-disposition")).toMatch(
			/^attachment; filename="demo-service-levels-\d{4}-\d\d-\d\d\.csv"$/,
		);
		const bytes = Buffer.from(await res.arrayBuffer());
		expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
		const rows = parseCsv(bytes.toString("utf8"));
		expect(bytes.toString("utf8").startsWith(BOM)).toBe(true);
		expect(rows[0]?.slice(0, 4)).toEqual(["день", "послуга", "назва", "норматив, хв"]);
		const api = await manager.json<{
			levels: { day: string; service: string; issued: number; withinTarget: number | null }[];
		}>("/api/v1/centres/demo/service-levels");
		const share = rows[0]?.indexOf("частка в межах нормативу") ?? -1;
		expect(rows[0]?.[share - 1]).toBe("переадресовано");
		expect(rows.slice(1).map((r) => [r[0], r[1], Number(r[4]), r[share] === "" ? null : Number(r[share])])).toEqual(
			api.levels.map((l) => [l.day, l.service, l.issued, l.withinTarget]),
		);
		expect(rows.find((r) => r[1] === "*")?.[2]).toBe("усі послуги");

		const quality = parseCsv(await (await manager.fetch("/api/v1/centres/demo/export/quality-windows?lang=en")).text());
		const q = await manager.json<{ byWindow: Record<string, { count: number; mean: number }> }>(
			"/api/v1/centres/demo/quality",
		);
		expect(quality.slice(1).map((r) => [r[0], Number(r[2]), Number(r[3])])).toEqual(
			Object.entries(q.byWindow).map(([w, f]) => [w, f.count, f.mean]),
		);
		expect((await manager.fetch("/api/v1/centres/demo/export/devices")).status).toBe(403);
		expect((await admin.fetch("/api/v1/centres/demo/export/devices")).status).toBe(200);
		expect((await manager.fetch("/api/v1/centres/demo/export/nothing")).status).toBe(400);
	});
});
