/**
 * Health that tells the truth when the data dir's file system goes read-only under a running hub
 * (core/health.ts, hub/health.ts): the data dir is a small ext4 image on a loop device mounted
 * with `errors=remount-ro`; the kernel's own error path (`/sys/fs/ext4/<dev>/trigger_fs_error`,
 * what a failing disk sets off) turns it read-only while the hub holds its files open. Then
 * `/healthz` says `degraded` with `read_only` at once (no event needed), publishes from devices
 * are refused (no PUBACK: nothing is acknowledged that is not durable) and `not_durable` and
 * `store_failing` follow; `/metrics` and the `hubHealth` alert say the same, and the hub keeps
 * answering. Recovery is what docs/errors.md tells the operator: the hub stopped, the image
 * checked (`e2fsck`) and mounted again read-write, a new hub on it; the devices' resends are
 * stored, and the store file, opened directly, holds every acknowledged event and every resend,
 * each once.
 *
 * It needs root, a loop device and e2fsprogs (mkfs.ext4, e2fsck): the test command installs
 * e2fsprogs on Debian (test/setup/system-packages.sh); without them it fails saying so.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
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
	spooled?: number;
}

const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: "pipe" }).toString();
const NEEDS =
	"this test puts the hub's data dir on an ext4 image on a loop device and has the kernel turn it read-only: " +
	"it must run as root, with loop devices (the loop module), e2fsprogs (apt-get install e2fsprogs) and a kernel " +
	"with /sys/fs/ext4/<dev>/trigger_fs_error";

describe("the data dir's file system gone read-only under a running hub", () => {
	const work = mkdtempSync(join(tmpdir(), "vikno-readonly-"));
	const image = join(work, "data.img");
	const mount = join(work, "data");
	let mounted = false;
	let attached = false;
	let hub: Hub | undefined;
	const clients: MqttClient[] = [];
	const hubOptions = {
		broker: { persistence: { kind: "memory" as const } },
		health: { minFreeBytes: 1024 * 1024 },
		alertEveryMs: 100,
	};

	const mountImage = () => {
		run("mount", ["-o", "loop,errors=remount-ro", image, mount]);
		mounted = true;
		attached = true;
	};
	/** Unmount; if the kernel says busy, fail naming what in this process still holds the mount. */
	const unmount = (lazy: boolean) => {
		try {
			run("umount", lazy ? ["-l", mount] : [mount]);
		} catch (e) {
			const held = readdirSync("/proc/self/fd")
				.map((fd) => {
					try {
						return readlinkSync(`/proc/self/fd/${fd}`);
					} catch {
						return "";
					}
				})
				.filter((f) => f.startsWith(mount));
			throw new Error(`umount ${mount}: ${(e as Error).message}; held open here: ${held.join(", ") || "nothing"}`);
		}
		mounted = false;
	};

	beforeAll(async () => {
		try {
			run("mkdir", ["-p", mount]);
			run("truncate", ["-s", "32M", image]);
			run("mkfs.ext4", ["-q", "-F", image]);
			mountImage();
		} catch (e) {
			throw new Error(`${NEEDS}: ${(e as Error).message}`);
		}
		const device = run("findmnt", ["-n", "-o", "SOURCE", mount]).trim();
		if (!existsSync(`/sys/fs/ext4/${basename(device)}/trigger_fs_error`))
			throw new Error(`${NEEDS}: /sys/fs/ext4/${basename(device)}/trigger_fs_error is missing`);
		hub = await startTestHub(mount, hubOptions);
	});

	// Each step on its own, so a failure anywhere still leaves no hub, mount or loop device behind.
	afterAll(async () => {
		const failed: unknown[] = [];
		const step = async (f: () => unknown) => {
			try {
				await f();
			} catch (e) {
				failed.push(e);
			}
		};
		for (const c of clients.splice(0)) await step(() => c.endAsync(true));
		await step(() => hub?.close());
		if (mounted) await step(() => unmount(true));
		if (attached)
			await step(() => {
				// `mount -o loop` frees its loop device with the last use; make sure of it.
				for (const line of run("losetup", ["-j", image]).split("\n").filter(Boolean))
					run("losetup", ["-d", line.slice(0, line.indexOf(":"))]);
			});
		await step(() => rmSync(work, { recursive: true, force: true }));
		if (failed.length) throw new AggregateError(failed, "cleaning up after the read-only test");
	});

	/** Publish at QoS 1 and say whether the hub acknowledged it. */
	const publishOutcome = (client: MqttClient, node: string, body: object) =>
		new Promise<string>((resolve) => {
			client.once("close", () => resolve("closed without a PUBACK"));
			client.publish(demoTopic(node, "rating"), JSON.stringify(body), { qos: 1 }, (err) =>
				resolve(err ? `failed: ${err.message}` : "acknowledged"),
			);
		});

	it("says read_only, refuses what it cannot make durable, alerts, keeps answering, and lost nothing acknowledged", async () => {
		let h = hub as Hub;
		const health = async () => (await (await fetch(`${h.httpUrl}/healthz`)).json()) as HealthBody;
		const metrics = async () => (await fetch(`${h.httpUrl}/metrics`)).text();
		const reasonsOf = (b: HealthBody) => b.reasons.map((r) => r.reason);
		const watcher = await connect(h.mqttUrl, "test-alerts");
		clients.push(watcher);
		let alerts: HubStateOf["alerts"] | undefined;
		watcher.on("message", (topic, body) => {
			if (topic === "vikno/v1/demo/$hub/alerts") alerts = JSON.parse(body.toString()) as HubStateOf["alerts"];
		});
		await watcher.subscribeAsync("vikno/v1/demo/$hub/alerts", { qos: 1 });
		const hubAlerts = () =>
			(alerts?.alerts ?? []).filter((a) => a.rule === "hubHealth").map((a) => `${a.key} ${a.severity}`);

		// Events from two devices stored while the disk is well: every one acknowledged.
		const acknowledged: string[] = [];
		let first: object | undefined;
		const nodes = {
			"win-01": await connect(h.mqttUrl, "test-node-1"),
			"win-02": await connect(h.mqttUrl, "test-node-2"),
		};
		clients.push(...Object.values(nodes));
		for (let i = 0; i < 20; i++) {
			const [node, client] = i % 2 ? ["win-02", nodes["win-02"]] : ["win-01", nodes["win-01"]];
			const e = payload({ score: (i % 5) + 1 });
			first ??= e;
			await client.publishAsync(demoTopic(node, "rating"), JSON.stringify(e), { qos: 1 });
			acknowledged.push(e.id);
		}
		expect(await h.countEvents({ kind: "rating" })).toBe(20);
		expect(await health()).toMatchObject({ status: "ok", reasons: [] });
		expect(metric(await metrics(), 'vikno_health_degraded{reason="read_only"}')).toBe(0);

		// The disk fails: the kernel turns the file system read-only with the hub's files open.
		const device = run("findmnt", ["-n", "-o", "SOURCE", mount]).trim();
		writeFileSync(`/sys/fs/ext4/${basename(device)}/trigger_fs_error`, "vikno test: the disk failed\n");
		expect(() => writeFileSync(join(mount, "probe"), "x")).toThrow(/EROFS/);
		// Shown `ro`, or on a recent kernel still `rw` with `emergency_ro` (access(2) and statfs say
		// writable then: hub/health.ts opens a file for writing to see it).
		expect(run("findmnt", ["-n", "-o", "OPTIONS", mount])).toMatch(/^ro,|\bemergency_ro\b/);

		// Health says so at once, before any event tries to be written.
		const seen = await health();
		expect(seen.status).toBe("degraded");
		expect(seen.reasons).toEqual([
			{
				reason: "read_only",
				severity: "critical",
				since: expect.any(Number),
				detail: `the file system of ${mount} is read-only (EROFS)`,
			},
		]);

		// Further events, from a device already connected and one connecting now: neither can be
		// made durable anywhere, so neither is acknowledged (the hub closes the connection).
		const refused = [payload({ score: 1 }), payload({ score: 2 })];
		expect(await publishOutcome(nodes["win-01"], "win-01", refused[0] as object)).toBe("closed without a PUBACK");
		const late = await connect(h.mqttUrl, "test-node-3");
		clients.push(late);
		expect(await publishOutcome(late, "win-03", refused[1] as object)).toBe("closed without a PUBACK");

		const down = await health();
		expect(down.status).toBe("degraded");
		expect(reasonsOf(down)).toEqual(["not_durable", "store_failing", "read_only"]);
		expect(down.reasons[0]).toMatchObject({ severity: "critical", detail: expect.stringMatching(/SQLITE_READONLY/) });
		expect(down.reasons[2]?.detail).toBe(`the file system of ${mount} is read-only (EROFS)`);
		expect(down.spooled).toBe(0);
		const m = await metrics();
		for (const reason of ["not_durable", "store_failing", "read_only"])
			expect(metric(m, `vikno_health_degraded{reason="${reason}"}`), reason).toBe(1);
		expect(metric(m, 'vikno_health_degraded{reason="disk_low"}')).toBe(0);
		// The managers hear of it through the centre's alert rules.
		await until(hubAlerts, (a) => a.includes("hub:read_only critical") && a.includes("hub:not_durable critical"), {
			what: "the hubHealth alerts on $hub/alerts",
		});
		// Still serving: the public side, the health and what the store held before.
		expect((await fetch(`${h.httpUrl}/api/public/v1/centres/demo`)).status).toBe(200);
		expect(await h.countEvents({ kind: "rating" })).toBe(20);
		expect((await health()).status).toBe("degraded");

		// It does not come back by itself. The operator's way (docs/errors.md, read_only): the hub
		// stopped, the file system checked and mounted read-write again, the hub started on it.
		for (const c of clients.splice(0)) await c.endAsync(true);
		// close() resolves once every file of the hub is closed (the spool's writer thread too), so
		// a plain umount is not busy.
		await h.close();
		hub = undefined;
		unmount(false);
		try {
			run("e2fsck", ["-f", "-y", image]);
		} catch (e) {
			// Exit 1: errors were found and corrected (the error the test set off), which is expected.
			if ((e as { status?: number }).status !== 1) throw e;
		}
		mountImage();
		expect(existsSync(join(mount, "probe"))).toBe(false);
		hub = await startTestHub(mount, hubOptions);
		h = hub;
		expect(await h.countEvents({ kind: "rating" })).toBe(20);
		expect(await health()).toMatchObject({ status: "ok", reasons: [] });

		// The devices send what they kept (and one an event acknowledged before, as a device does
		// that missed the PUBACK): stored, once.
		const again = {
			"win-01": await connect(h.mqttUrl, "test-node-1"),
			"win-03": await connect(h.mqttUrl, "test-node-3"),
		};
		clients.push(...Object.values(again));
		await again["win-01"].publishAsync(demoTopic("win-01", "rating"), JSON.stringify(refused[0]), { qos: 1 });
		await again["win-03"].publishAsync(demoTopic("win-03", "rating"), JSON.stringify(refused[1]), { qos: 1 });
		await again["win-01"].publishAsync(demoTopic("win-01", "rating"), JSON.stringify(first), { qos: 1 });
		expect(await h.countEvents({ kind: "rating" })).toBe(22);
		for (const c of clients.splice(0)) await c.endAsync(true);
		await h.close();
		hub = undefined;

		// The store file itself, with the hub gone: every acknowledged event and every resend, once.
		const db = new Database(join(mount, "vikno.db"), { readonly: true, fileMustExist: true });
		try {
			const ids = (db.prepare("SELECT id FROM events WHERE kind = 'rating'").all() as { id: string }[]).map(
				(r) => r.id,
			);
			expect(ids.sort()).toEqual([...acknowledged, ...refused.map((e) => e.id)].sort());
		} finally {
			db.close();
		}
	});
});
