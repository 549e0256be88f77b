/**
 * `vikno backup` of a running hub and `vikno restore`, as an IT department would run them: a real
 * `vikno hub` process takes QoS 1 events from a device that keeps publishing; `vikno backup` (a
 * process of its own) copies the data dir meanwhile; the hub is stopped, `vikno restore` puts the
 * copy into a new data dir, and a hub started there has every event acknowledged before the
 * backup began, exactly once, and the device credentials (the device logs in with its password).
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import mqtt from "mqtt";
import * as tar from "tar";
import { afterAll, describe, expect, it } from "vitest";
import { DeviceRegistry, registryPath } from "../../broker/registry.ts";
import type { LiveView } from "../../core/liveView.ts";
import type { Hub } from "../../server/hub.ts";
import { MIGRATIONS } from "../../store/sqliteSchema.ts";
import { signedIn } from "../fixtures/auth.ts";
import { demoTopic, payload } from "../fixtures/events.ts";
import { connect, startTestHub, tempDir } from "../fixtures/hub.ts";
import { type HubProcess, spawnHub } from "../fixtures/hubProcess.ts";
import { until } from "../fixtures/wait.ts";

const BIN = fileURLToPath(new URL("../../bin/vikno.js", import.meta.url));
const dir = tempDir("vikno-backup-");
let running: HubProcess | undefined;
let restored: Hub | undefined;

afterAll(async () => {
	await running?.kill("SIGKILL");
	await restored?.close();
	dir.remove();
});

async function vikno(...args: string[]): Promise<{ code: number; out: string; err: string }> {
	try {
		const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], { timeout: 60_000 });
		return { code: 0, out: stdout, err: stderr };
	} catch (e) {
		const x = e as { code: number; stdout: string; stderr: string };
		return { code: x.code, out: x.stdout, err: x.stderr };
	}
}

describe("backup of a running hub, restore into a new data dir", () => {
	it("keeps every event acknowledged before the backup began, once, and the device credentials", async () => {
		const data = join(dir.path, "data");
		const archive = join(dir.path, "backup.tar.gz");
		mkdirSync(data);
		const device = await new DeviceRegistry(registryPath(data)).add({ kind: "node", centre: "demo", node: "win-05" });
		running = await spawnHub(data);
		const hub = running;
		// A long report query holds a read snapshot all along, as a manager's export may: no checkpoint
		// can pass it, so every event stays in vikno.db's WAL file, and a copy of the database file
		// alone would have none of them. The online backup must read them through SQLite.
		const report = new Database(join(data, "vikno.db"), { readonly: true });
		report.exec("BEGIN");
		report.prepare("SELECT count(*) FROM events").get();

		// A device that keeps publishing, at most 20 events unacknowledged at a time.
		const client = await connect(hub.mqttUrl);
		const acked: string[] = [];
		let stop = false;
		let n = 0;
		const streaming = (async () => {
			const inFlight = new Set<Promise<unknown>>();
			while (!stop) {
				const node = `win-${String((n++ % 12) + 1).padStart(2, "0")}`;
				const body = payload({ score: (n % 5) + 1 });
				const p = client
					.publishAsync(demoTopic(node, "rating"), JSON.stringify(body), { qos: 1 })
					.then(() => acked.push(body.id));
				inFlight.add(p);
				void p.finally(() => inFlight.delete(p));
				if (inFlight.size >= 20) await Promise.race(inFlight);
			}
			await Promise.all(inFlight);
		})();

		await until(
			() => acked.length,
			(k) => k >= 300,
			{ what: "300 events acknowledged" },
		);
		const before = new Set(acked);
		const backup = await vikno("backup", "--data", data, "--out", archive);
		const during = acked.length - before.size;
		stop = true;
		await streaming;
		await client.endAsync();
		report.exec("COMMIT");
		report.close();
		expect(backup.err).toBe("");
		expect(backup.code).toBe(0);
		expect(backup.out).toMatch(new RegExp(`vikno\\.db\\s+SQLite v${MIGRATIONS.length}`));
		expect(backup.out).toMatch(/spool\.db\s+SQLite/);
		expect(backup.out).toMatch(/devices\.json\s+file/);
		expect(backup.out).toMatch(/mqtt-sessions\s+left out/);
		// Events kept coming while the copy was taken: it was a running hub's.
		expect(during).toBeGreaterThan(0);
		expect(await hub.kill("SIGTERM")).toBe(0);
		running = undefined;

		// Never over an existing data dir.
		const refused = await vikno("restore", "--from", archive, "--data", data);
		expect(refused.code).toBe(2);
		expect(refused.err).toMatch(/exists and is not empty/);

		const target = join(dir.path, "restored");
		const restore = await vikno("restore", "--from", archive, "--data", target);
		expect(restore.err).toBe("");
		expect(restore.code).toBe(0);
		expect(existsSync(join(target, "vikno.db"))).toBe(true);

		restored = await startTestHub(target);
		const h = restored;
		const stored = await h.store.readRange("demo", 0, Number.MAX_SAFE_INTEGER);
		const times = new Map<string, number>();
		for (const e of stored) times.set(e.id, (times.get(e.id) ?? 0) + 1);
		expect([...before].filter((id) => times.get(id) !== 1)).toEqual([]);
		expect([...times.values()].every((k) => k === 1)).toBe(true);
		// The restored live view counts each of them once (as a rating or an extra press).
		const live = (await (await signedIn(h)).inject({ url: "/api/v1/centres/demo/live" })).json() as LiveView;
		expect(live.ratings.count + live.ratings.extra).toBe(stored.length);

		// The device's credential came back with the data dir: it logs in with its password.
		const node = await mqtt.connectAsync(h.mqttUrl, {
			protocolVersion: 4,
			reconnectPeriod: 0,
			clientId: device.username,
			username: device.username,
			password: device.password,
		});
		await node.publishAsync(demoTopic("win-05", "rating"), JSON.stringify(payload({ score: 5 })), { qos: 1 });
		await node.endAsync();
	});

	it("refuses a damaged archive and restores nothing", async () => {
		const archive = join(dir.path, "backup.tar.gz");
		const bytes = readFileSync(archive);
		const damaged = join(dir.path, "damaged.tar.gz");
		writeFileSync(damaged, bytes.subarray(0, Math.floor(bytes.length / 2)));
		const target = join(dir.path, "from-damaged");
		const r = await vikno("restore", "--from", damaged, "--data", target);
		expect(r.code).toBe(1);
		expect(r.err).toMatch(/damaged\.tar\.gz cannot be read \(.*\); nothing was restored/);
		expect(existsSync(target)).toBe(false);
		expect(readdirSync(dir.path).filter((f) => f.includes("restoring"))).toEqual([]);

		// A file changed after the backup was taken: its checksum gives it away.
		const unpacked = join(dir.path, "unpacked");
		mkdirSync(unpacked);
		await tar.x({ file: archive, cwd: unpacked });
		writeFileSync(join(unpacked, "data", "devices.json"), "{}");
		const tampered = join(dir.path, "tampered.tar.gz");
		await tar.c({ gzip: true, file: tampered, cwd: unpacked }, ["vikno-backup.json", "data"]);
		const t = await vikno("restore", "--from", tampered, "--data", target);
		expect(t.code).toBe(1);
		expect(t.err).toMatch(/is damaged; nothing was restored\n {2}devices\.json: its SHA-256 differs/);
		expect(existsSync(target)).toBe(false);
	});

	it("says in one line where it may not write, instead of a stack trace", async () => {
		// /sys refuses new entries even to root (the tests run as root, who may write anywhere else).
		const r = await vikno("restore", "--from", join(dir.path, "backup.tar.gz"), "--data", "/sys/vikno-restored");
		expect(r.code).toBe(1);
		expect(r.err).toMatch(
			/^vikno restore: mkdtemp \/sys\/\.vikno-restored\.restoring-\w+: (operation not permitted here|the file system is read-only)\n$/,
		);
	});
});
