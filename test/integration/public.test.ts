/**
 * The public API and alerts through real parts: a hub on loopback, events over MQTT, the public
 * wait endpoint over HTTP, alerts as a retained MQTT message and as POSTs to a webhook on a
 * loopback HTTP server.
 */
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Centre } from "../../core/centre.ts";
import { type Hub, startHub } from "../../hub/hub.ts";
import { silentLogger } from "../../hub/logger.ts";
import { demoTopic, payload } from "../fixtures/events.ts";
import { connect, demoCentre, tempDir } from "../fixtures/hub.ts";
import { until } from "../fixtures/wait.ts";

const dir = tempDir();
let hub: Hub;
let client: MqttClient;
let hookServer: Server;
const hooks: { event: string; alert: { key: string; rule: string } }[] = [];

beforeAll(async () => {
	hookServer = createServer((req, res) => {
		let body = "";
		req.on("data", (c: Buffer) => {
			body += c.toString();
		});
		req.on("end", () => {
			hooks.push(JSON.parse(body));
			res.writeHead(204).end();
		});
	});
	hookServer.listen(0, "127.0.0.1");
	await once(hookServer, "listening");
	const hookUrl = `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/hook`;
	const base = demoCentre();
	const centre: Centre = { ...base, alerts: { ...base.alerts, webhookUrl: hookUrl } };
	hub = await startHub({
		centres: [centre],
		dataDir: dir.path,
		mqttPort: 0,
		httpPort: 0,
		host: "127.0.0.1",
		allowAnonymous: true,
		log: silentLogger,
		alertEveryMs: 100,
		publicRateLimit: 30,
	});
	client = await connect(hub.mqttUrl);
});

afterAll(async () => {
	await client?.endAsync();
	await hub?.close();
	hookServer?.close();
	dir.remove();
});

const publish = (node: string, kind: string, data: object) =>
	client.publishAsync(demoTopic(node, kind), JSON.stringify(payload(data)), { qos: 1 });

describe("public wait API", () => {
	it("gives estimates with a range, opening hours, and no ticket numbers; CORS open, cacheable", async () => {
		for (const n of ["01", "02", "03"]) await publish(`win-${n}`, "status", { online: true });
		for (const t of ["A001", "A002", "A003", "A004"]) {
			await publish("terminal-1", "queue", { event: "issued", ticket: t, service: "passports" });
		}
		const res = await fetch(`${hub.httpUrl}/api/public/v1/centres/demo/wait`);
		expect(res.status).toBe(200);
		expect(res.headers.get("access-control-allow-origin")).toBe("*");
		expect(res.headers.get("cache-control")).toMatch(/public, max-age=\d+/);
		const text = await res.text();
		expect(text).not.toMatch(/A00\d/);
		const body = JSON.parse(text) as {
			open: { now: boolean; nextChange: { at: number; open: boolean } | null };
			services: {
				id: string;
				waiting: number;
				estimate: { minutes: number; low: number; high: number } | null;
				noEstimate?: string;
			}[];
		};
		const passports = body.services.find((s) => s.id === "passports");
		expect(passports?.waiting).toBe(4);
		const est = passports?.estimate;
		if (!est) throw new Error(`no estimate: ${JSON.stringify(passports)}`);
		expect(est.low).toBeLessThanOrEqual(est.minutes);
		expect(est.minutes).toBeLessThanOrEqual(est.high);
		expect(est.minutes).toBeGreaterThan(0);
		// No window serving land cadastre extracts is online: say so rather than invent a figure.
		expect(body.services.find((s) => s.id === "land")).toMatchObject({ estimate: null, noEstimate: "no_window_open" });
		expect(typeof body.open.now).toBe("boolean");
		expect(body.open.nextChange?.open).toBe(!body.open.now);
	});

	it("answers an unknown centre with 404 and limits requests per address", async () => {
		const unknown = await fetch(`${hub.httpUrl}/api/public/v1/centres/nowhere/wait`);
		expect(unknown.status).toBe(404);
		let limited: Response | undefined;
		for (let i = 0; i < 40 && !limited; i++) {
			const r = await fetch(`${hub.httpUrl}/api/public/v1/centres/demo/wait`);
			if (r.status === 429) limited = r;
			else await r.arrayBuffer();
		}
		if (!limited) throw new Error("never rate limited");
		expect(limited.status).toBe(429);
		expect(((await limited.json()) as { error: { code: string } }).error.code).toBe("rate_limited");
	});
});

describe("alerts", () => {
	it("raises an occupancy alert once, publishes it retained and to the webhook, and resolves it", async () => {
		await publish("door-main", "occupancy", { zone: "hall", count: 115 }); // 96 % of 120
		await until(
			() => hooks.filter((h) => h.event === "raised").length,
			(n) => n >= 1,
			{ what: "a raised alert" },
		);
		const watcher = await connect(hub.mqttUrl);
		const retained = new Promise<{ alerts: { key: string }[] }>((resolve) =>
			watcher.on("message", (_t, b) => resolve(JSON.parse(b.toString()))),
		);
		await watcher.subscribeAsync("vikno/v1/demo/$hub/alerts", { qos: 1 });
		expect((await retained).alerts.map((a) => a.key)).toContain("occupancy:hall");
		await watcher.endAsync();
		const alerts = await (await fetch(`${hub.httpUrl}/api/v1/centres/demo/alerts`)).json();
		expect((alerts as { alerts: { key: string }[] }).alerts.map((a) => a.key)).toContain("occupancy:hall");

		await new Promise((r) => setTimeout(r, 300));
		expect(hooks.filter((h) => h.alert.key === "occupancy:hall" && h.event === "raised")).toHaveLength(1);
		await publish("door-main", "occupancy", { zone: "hall", count: 40 });
		await until(
			() => hooks.filter((h) => h.alert.key === "occupancy:hall" && h.event === "resolved").length,
			(n) => n === 1,
			{ what: "the alert resolved" },
		);
	});
});
