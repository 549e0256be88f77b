/**
 * Health that tells the truth (core/health.ts, hub/health.ts): a real hub whose data dir is a
 * small tmpfs says `degraded` with the reason when the disk runs low and when neither the store
 * nor the spool can write, exposes it in /metrics and raises it as an alert through the centres'
 * rules (`hubHealth`, published retained on `$hub/alerts`), and says `ok` again once there is room
 * and the resend is stored. Also a real influxd stopped while events arrive (the store fails,
 * the spool grows and its oldest event ages), and events that all arrive late (ingest lag).
 *
 * A file system gone read-only under the hub: health-readonly.test.ts (an ext4 image the kernel
 * turns read-only through its own error path, with the hub's files open).
 */
import { execFileSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HubStateOf } from "../../core/hubState.ts";
import type { Hub } from "../../server/hub.ts";
import { Influx1Store } from "../../store/influx1.ts";
import { demoTopic, payload } from "../fixtures/events.ts";
import { connect, metric, startTestHub, tempDir } from "../fixtures/hub.ts";
import { type Influxd, influxdAvailable, startInfluxd } from "../fixtures/influxd.ts";
import { until } from "../fixtures/wait.ts";

const MIB = 1024 * 1024;

interface HealthBody {
	status: string;
	reasons: { reason: string; severity: string; since: number; detail: string }[];
	freeBytes?: number;
	spooled?: number;
	spoolOldestAgeS?: number;
}

const healthOf = async (h: Hub) => (await (await fetch(`${h.httpUrl}/healthz`)).json()) as HealthBody;
const metricsOf = async (h: Hub) => (await fetch(`${h.httpUrl}/metrics`)).text();
const reasonsOf = (b: HealthBody) => b.reasons.map((r) => r.reason);

/** The hub's alerts of the `hubHealth` rule, as last published retained on `$hub/alerts`. */
function watchAlerts(client: MqttClient) {
	let latest: HubStateOf["alerts"] | undefined;
	client.on("message", (topic, body) => {
		if (topic === "vikno/v1/demo/$hub/alerts") latest = JSON.parse(body.toString()) as HubStateOf["alerts"];
	});
	return () => (latest?.alerts ?? []).filter((a) => a.rule === "hubHealth").map((a) => `${a.key} ${a.severity}`);
}

describe("on a small disk that fills up", () => {
	const mount = mkdtempSync(join(tmpdir(), "vikno-health-"));
	const filler = join(mount, "filler");
	let hub: Hub | undefined;
	const clients: MqttClient[] = [];

	beforeAll(async () => {
		try {
			execFileSync("mount", ["-t", "tmpfs", "-o", "size=8m", "tmpfs", mount], { stdio: "pipe" });
		} catch (e) {
			throw new Error(`this test mounts a small tmpfs and must run as root: ${(e as Error).message}`);
		}
		hub = await startTestHub(mount, {
			broker: { persistence: { kind: "memory" } },
			health: { minFreeBytes: 2 * MIB },
			alertEveryMs: 100,
		});
	});

	afterAll(async () => {
		for (const c of clients) await c.endAsync(true);
		await hub?.close();
		execFileSync("umount", ["-l", mount]);
		rmSync(mount, { recursive: true, force: true });
	});

	function fillUp(): void {
		const fd = openSync(filler, "w");
		const block = Buffer.alloc(64 * 1024);
		try {
			for (;;) writeSync(fd, block);
		} catch (e) {
			if ((e as NodeJS.ErrnoException).code !== "ENOSPC") throw e;
		} finally {
			closeSync(fd);
		}
	}

	it("says ok, then disk_low, then not_durable and store_failing with the error, alerts, and ok again", async () => {
		const h = hub as Hub;
		const watcher = await connect(h.mqttUrl, "test-alerts");
		clients.push(watcher);
		const alerts = watchAlerts(watcher);
		await watcher.subscribeAsync("vikno/v1/demo/$hub/alerts", { qos: 1 });

		const ok = await healthOf(h);
		expect(ok).toMatchObject({ status: "ok", reasons: [] });
		expect(ok.freeBytes).toBeGreaterThan(2 * MIB);
		expect(ok.freeBytes).toBeLessThanOrEqual(8 * MIB);
		const before = await metricsOf(h);
		expect(metric(before, "vikno_data_free_bytes")).toBeGreaterThan(2 * MIB);
		expect(metric(before, 'vikno_health_degraded{reason="disk_low"}')).toBe(0);
		expect(metric(before, 'vikno_health_degraded{reason="not_durable"}')).toBe(0);

		// The disk fills (another program's file): degraded at once, with no event needed.
		fillUp();
		const low = await healthOf(h);
		expect(low.status).toBe("degraded");
		expect(reasonsOf(low)).toEqual(["disk_low"]);
		expect(low.reasons[0]?.detail).toMatch(/MiB free, below 2 MiB/);
		expect(metric(await metricsOf(h), 'vikno_health_degraded{reason="disk_low"}')).toBe(1);

		// A publish now can be made durable nowhere: refused (no PUBACK), and health says why.
		const node = await connect(h.mqttUrl, "test-node-1");
		clients.push(node);
		const event = payload({ score: 5 });
		const outcome = await new Promise<string>((resolve) => {
			node.once("close", () => resolve("closed without a PUBACK"));
			node.publish(demoTopic("win-01", "rating"), JSON.stringify(event), { qos: 1 }, (err) =>
				resolve(err ? `failed: ${err.message}` : "acknowledged"),
			);
		});
		expect(outcome).toBe("closed without a PUBACK");
		const full = await healthOf(h);
		expect(reasonsOf(full)).toEqual(["not_durable", "store_failing", "disk_low"]);
		expect(full.reasons[0]).toMatchObject({ severity: "critical", detail: expect.stringMatching(/SQLITE_FULL/) });
		const during = await metricsOf(h);
		expect(metric(during, 'vikno_health_degraded{reason="not_durable"}')).toBe(1);
		expect(metric(during, 'vikno_health_degraded{reason="store_failing"}')).toBe(1);
		// The managers hear of it through the centre's alert rules.
		await until(alerts, (a) => a.includes("hub:not_durable critical") && a.includes("hub:disk_low warning"), {
			what: "the hubHealth alerts on $hub/alerts",
		});

		// Room again: the node's resend is stored, and the hub is healthy again by itself.
		unlinkSync(filler);
		const again = await connect(h.mqttUrl, "test-node-1");
		clients.push(again);
		await again.publishAsync(demoTopic("win-01", "rating"), JSON.stringify(event), { qos: 1 });
		expect(await h.countEvents({ kind: "rating" })).toBe(1);
		expect(await healthOf(h)).toMatchObject({ status: "ok", reasons: [] });
		expect(metric(await metricsOf(h), 'vikno_health_degraded{reason="not_durable"}')).toBe(0);
		await until(alerts, (a) => a.length === 0, { what: "the hubHealth alerts to be resolved" });
	});
});

describe("events that all arrive late", () => {
	const dir = tempDir();
	let hub: Hub | undefined;
	afterAll(async () => {
		await hub?.close();
		dir.remove();
	});

	it("say ingest_lag while every event of the last minute is later than the bound, ok after a fresh one", async () => {
		hub = await startTestHub(dir.path, { health: { maxLagMs: 60_000 } });
		const h = hub;
		const node = await connect(h.mqttUrl);
		const late = Date.now() - 5 * 60_000;
		for (let i = 0; i < 3; i++)
			await node.publishAsync(demoTopic("win-02", "rating"), JSON.stringify(payload({ score: 4 }, late + i)), {
				qos: 1,
			});
		const behind = await healthOf(h);
		expect(reasonsOf(behind)).toEqual(["ingest_lag"]);
		expect(behind.reasons[0]?.detail).toMatch(/arrived 300 s after its edge time/);
		await node.publishAsync(demoTopic("win-02", "rating"), JSON.stringify(payload({ score: 4 })), { qos: 1 });
		expect(await healthOf(h)).toMatchObject({ status: "ok", reasons: [] });
		await node.endAsync();
	});
});

const available = influxdAvailable();

describe.runIf(available)("InfluxDB stopped while events arrive", () => {
	const dir = tempDir();
	let influxd: Influxd | undefined;
	let hub: Hub | undefined;
	beforeAll(async () => {
		influxd = await startInfluxd();
	});
	afterAll(async () => {
		await hub?.close();
		await influxd?.dispose();
		dir.remove();
	});

	it("says store_failing, then spool_behind as the spool's oldest event ages, and ok once forwarded", async () => {
		const db = influxd as Influxd;
		const store = new Influx1Store({ host: "127.0.0.1", port: db.port, database: "vikno_health" });
		hub = await startTestHub(dir.path, {
			store,
			health: { maxSpoolAgeMs: 1_000 },
			forwarding: { minBackoffMs: 50, maxBackoffMs: 200 },
		});
		const h = hub;
		const node = await connect(h.mqttUrl);
		const publish = (n: number) =>
			Promise.all(
				Array.from({ length: n }, (_, i) =>
					node.publishAsync(
						demoTopic(`win-${String((i % 12) + 1).padStart(2, "0")}`, "rating"),
						JSON.stringify(payload({ score: 3 })),
						{ qos: 1 },
					),
				),
			);
		await publish(5);
		await until(
			() => h.spool.depth,
			(d) => d === 0,
			{ what: "the first events forwarded" },
		);
		expect(await healthOf(h)).toMatchObject({ status: "ok", reasons: [] });

		await db.stop();
		await publish(12);
		const failing = await until(
			() => healthOf(h),
			(b) => reasonsOf(b).includes("store_failing") && reasonsOf(b).includes("spool_behind"),
			{ what: "store_failing and spool_behind" },
		);
		expect(failing.spooled).toBe(12);
		expect(failing.spoolOldestAgeS).toBeGreaterThanOrEqual(1);
		const m = await metricsOf(h);
		expect(metric(m, "vikno_spool_depth")).toBe(12);
		expect(metric(m, "vikno_spool_oldest_age_seconds")).toBeGreaterThanOrEqual(1);
		expect(metric(m, 'vikno_health_degraded{reason="spool_behind"}')).toBe(1);

		await db.restart();
		await until(
			() => healthOf(h),
			(b) => b.status === "ok",
			{ what: "health ok once the spool is forwarded" },
		);
		expect(h.spool.depth).toBe(0);
		expect(metric(await metricsOf(h), "vikno_spool_oldest_age_seconds")).toBe(0);
		await node.endAsync();
	});
});
