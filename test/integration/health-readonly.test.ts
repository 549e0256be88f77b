/**
 * Health that tells the truth when the data dir's file system goes read-only under a running hub
 * (core/health.ts, hub/health.ts): the data dir is a small ext4 image on a loop device mounted
 * with `errors=remount-ro`; the kernel's own error path (`/sys/fs/ext4/<dev>/trigger_fs_error`,
 * what a failing disk sets off) turns it read-only while the hub holds its files open. Then a
 * publish is refused (no PUBACK: nothing is acknowledged that is not durable), `/healthz` says
 * `degraded` with `not_durable` and `store_failing` and the file system's own words, `/metrics`
 * and the `hubHealth` alert say the same, and the hub keeps answering. After it stops, the image
 * checked and mounted again holds every event acknowledged before, once.
 *
 * It needs root, a loop device and e2fsprogs (mkfs.ext4, e2fsck): the test command installs
 * e2fsprogs on Debian (test/setup/system-packages.sh); without them it fails saying so.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import Database from "better-sqlite3";
import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HubStateOf } from "../../core/hubState.ts";
import type { Hub } from "../../server/hub.ts";
import { demoTopic, payload } from "../fixtures/events.ts";
import { connect, metric, startTestHub } from "../fixtures/hub.ts";
import { until } from "../fixtures/wait.ts";

interface HealthBody {
	status: string;
	reasons: { reason: string; severity: string; since: number; detail: string }[];
}

const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: "pipe" }).toString();

describe("the data dir's file system gone read-only under a running hub", () => {
	const work = mkdtempSync(join(tmpdir(), "vikno-readonly-"));
	const image = join(work, "data.img");
	const mount = join(work, "data");
	let device = "";
	let mounted = false;
	let hub: Hub | undefined;
	const clients: MqttClient[] = [];
	const acknowledged: string[] = [];

	beforeAll(async () => {
		try {
			run("mkdir", ["-p", mount]);
			run("truncate", ["-s", "32M", image]);
			run("mkfs.ext4", ["-q", "-F", image]);
			run("mount", ["-o", "loop,errors=remount-ro", image, mount]);
			mounted = true;
		} catch (e) {
			throw new Error(
				`this test mounts an ext4 image on a loop device: it must run as root with a loop device and e2fsprogs (apt-get install e2fsprogs): ${(e as Error).message}`,
			);
		}
		device = run("findmnt", ["-n", "-o", "SOURCE", mount]).trim();
		hub = await startTestHub(mount, {
			broker: { persistence: { kind: "memory" } },
			health: { minFreeBytes: 1024 * 1024 },
			alertEveryMs: 100,
		});
	});

	afterAll(async () => {
		for (const c of clients) await c.endAsync(true);
		await hub?.close();
		if (mounted) run("umount", ["-l", mount]);
		rmSync(work, { recursive: true, force: true });
	});

	it("refuses what it cannot make durable, says why everywhere, keeps answering, and lost nothing acknowledged", async () => {
		const h = hub as Hub;
		const health = async () => (await (await fetch(`${h.httpUrl}/healthz`)).json()) as HealthBody;
		const metrics = async () => (await fetch(`${h.httpUrl}/metrics`)).text();
		const watcher = await connect(h.mqttUrl, "test-alerts");
		clients.push(watcher);
		let alerts: HubStateOf["alerts"] | undefined;
		watcher.on("message", (topic, body) => {
			if (topic === "vikno/v1/demo/$hub/alerts") alerts = JSON.parse(body.toString()) as HubStateOf["alerts"];
		});
		await watcher.subscribeAsync("vikno/v1/demo/$hub/alerts", { qos: 1 });
		const hubAlerts = () =>
			(alerts?.alerts ?? []).filter((a) => a.rule === "hubHealth").map((a) => `${a.key} ${a.severity}`);

		// Events stored while the disk is well: every one acknowledged.
		const node = await connect(h.mqttUrl, "test-node-1");
		clients.push(node);
		for (let i = 0; i < 20; i++) {
			const e = payload({ score: (i % 5) + 1 });
			await node.publishAsync(demoTopic("win-01", "rating"), JSON.stringify(e), { qos: 1 });
			acknowledged.push(e.id);
		}
		expect(await h.countEvents({ kind: "rating" })).toBe(20);
		expect(await health()).toMatchObject({ status: "ok", reasons: [] });

		// The disk fails: the kernel turns the file system read-only with the hub's files open.
		writeFileSync(`/sys/fs/ext4/${basename(device)}/trigger_fs_error`, "vikno test: the disk failed\n");
		expect(() => writeFileSync(join(mount, "probe"), "x")).toThrow(/EROFS/);

		// A publish now can be made durable nowhere: no PUBACK, the connection is closed.
		const late = await connect(h.mqttUrl, "test-node-2");
		clients.push(late);
		const outcome = await new Promise<string>((resolve) => {
			late.once("close", () => resolve("closed without a PUBACK"));
			late.publish(demoTopic("win-02", "rating"), JSON.stringify(payload({ score: 3 })), { qos: 1 }, (err) =>
				resolve(err ? `failed: ${err.message}` : "acknowledged"),
			);
		});
		expect(outcome).toBe("closed without a PUBACK");

		const down = await health();
		expect(down.status).toBe("degraded");
		expect(down.reasons.map((r) => r.reason)).toEqual(expect.arrayContaining(["not_durable", "store_failing"]));
		const notDurable = down.reasons.find((r) => r.reason === "not_durable");
		expect(notDurable).toMatchObject({ severity: "critical" });
		// In the words of the store and of the file system: read-only.
		expect(notDurable?.detail).toMatch(/read-only|READONLY/i);
		const m = await metrics();
		expect(metric(m, 'vikno_health_degraded{reason="not_durable"}')).toBe(1);
		expect(metric(m, 'vikno_health_degraded{reason="store_failing"}')).toBe(1);
		await until(hubAlerts, (a) => a.includes("hub:not_durable critical"), {
			what: "the hubHealth alert on $hub/alerts",
		});
		// Still serving: the live view and the public side answer.
		expect((await fetch(`${h.httpUrl}/api/public/v1/centres/demo`)).status).toBe(200);
		expect((await health()).status).toBe("degraded");

		// Stopped, checked, mounted again: every acknowledged event is there, once.
		for (const c of clients.splice(0)) await c.endAsync(true);
		await h.close();
		hub = undefined;
		run("umount", [mount]);
		mounted = false;
		try {
			run("e2fsck", ["-f", "-y", image]);
		} catch (e) {
			// Exit 1: errors were found and corrected (the error the test set off), which is expected.
			if ((e as { status?: number }).status !== 1) throw e;
		}
		run("mount", ["-o", "loop,ro", image, mount]);
		mounted = true;
		const db = new Database(join(mount, "vikno.db"), { readonly: true, fileMustExist: true });
		try {
			const ids = (db.prepare("SELECT id FROM events WHERE kind = 'rating'").all() as { id: string }[]).map(
				(r) => r.id,
			);
			expect(ids.sort()).toEqual([...acknowledged].sort());
		} finally {
			db.close();
		}
		expect(existsSync(join(mount, "probe"))).toBe(false);
	});
});
