/**
 * The hub as a service (deploy/vikno-hub.service, deploy/hub.env.example): `systemd-analyze
 * verify` accepts the unit; its ExecStart, with the example environment file, starts a hub (paths
 * moved to a temporary dir, loopback and free ports added) from the bundle `npm run build` makes
 * (dist/vikno.mjs, built here first), which serves the browser scripts and styles it reads from the
 * checkout; the unit's KillSignal while a device
 * streams QoS 1 events stops it gracefully within the unit's TimeoutStopSec — exit 0, "ingest
 * drained" in the log, every acknowledged event in the store and the SQLite files closed (no WAL
 * left behind, as a SIGKILL leaves it) — and the service started again takes the device's resend
 * of everything it sent, storing each event once.
 * (SIGKILL loses no acknowledged event either, docs/durability.md; a graceful stop adds the clean
 * exit and the closed files.) systemd itself does not run here: no unit is installed or started.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { environmentFile } from "../fixtures/envFile.ts";
import { demoTopic, payload } from "../fixtures/events.ts";
import { connect, DEMO_YAML, tempDir } from "../fixtures/hub.ts";
import { type HubProcess, startHubProcess } from "../fixtures/hubProcess.ts";
import { until } from "../fixtures/wait.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "");
const UNIT_FILE = join(ROOT, "deploy/vikno-hub.service");
const SYSTEMD_ANALYZE = "/usr/bin/systemd-analyze";
const unitText = readFileSync(UNIT_FILE, "utf8");

/** The unit's [Service] settings, key → value (the last one for a key given twice). */
function service(text: string): Map<string, string> {
	const body = text.split(/^\[Service\]$/m)[1]?.split(/^\[/m)[0] ?? "";
	const out = new Map<string, string>();
	for (const line of body.split("\n")) {
		const m = line.match(/^([A-Za-z]+)=(.*)$/);
		if (m) out.set(m[1] as string, m[2] as string);
	}
	return out;
}

const dir = tempDir("vikno-service-");
let running: HubProcess | undefined;
// The unit runs the bundle; this is the only test that builds it (so no two write it at once).
beforeAll(() => {
	const r = spawnSync("npm", ["run", "-s", "build"], { cwd: ROOT, encoding: "utf8" });
	expect(`${r.stdout}${r.stderr}`).toBe("");
	expect(r.status).toBe(0);
}, 60_000);
afterAll(async () => {
	await running?.kill("SIGKILL");
	dir.remove();
});

describe("deploy/vikno-hub.service", () => {
	it("passes systemd-analyze verify", () => {
		// With the node this test runs on, where /usr/bin/node is not it.
		const unit = join(dir.path, "vikno-hub.service");
		writeFileSync(unit, existsSync("/usr/bin/node") ? unitText : unitText.replace("/usr/bin/node", process.execPath));
		const r = spawnSync(SYSTEMD_ANALYZE, ["verify", unit], { encoding: "utf8", cwd: dir.path });
		expect(`${r.stdout}${r.stderr}`).toBe("");
		expect(r.status).toBe(0);
	});

	it("has a backup service and timer that pass systemd-analyze verify", () => {
		const names = ["vikno-backup.service", "vikno-backup.timer"];
		for (const name of names) {
			const text = readFileSync(join(ROOT, "deploy", name), "utf8");
			writeFileSync(
				join(dir.path, name),
				existsSync("/usr/bin/node") ? text : text.replace("/usr/bin/node", process.execPath),
			);
		}
		const r = spawnSync(SYSTEMD_ANALYZE, ["verify", ...names.map((n) => join(dir.path, n))], {
			encoding: "utf8",
			cwd: dir.path,
		});
		expect(`${r.stdout}${r.stderr}`).toBe("");
		expect(r.status).toBe(0);
	});

	it("is hardened as the deployment guide says", () => {
		const s = service(unitText);
		expect(s.get("User")).toBe("vikno");
		expect(s.get("ProtectSystem")).toBe("strict");
		expect(s.get("ReadWritePaths")).toBe("/var/lib/vikno");
		expect(s.get("NoNewPrivileges")).toBe("true");
		expect(s.get("Restart")).toBe("on-failure");
		expect(s.get("KillSignal")).toBe("SIGTERM");
		expect(s.get("ExecStart")).toContain("--data /var/lib/vikno");
	});

	it("starts from its ExecStart and stops gracefully on its KillSignal while events stream in, losing and doubling none", async () => {
		const s = service(unitText);
		const env = environmentFile();
		const data = join(dir.path, "var-lib-vikno");
		const etc = join(dir.path, "etc-vikno");
		mkdirSync(etc);
		copyFileSync(DEMO_YAML, join(etc, "centre.yaml"));
		const move = (arg: string) =>
			arg.replace("/opt/vikno", ROOT).replace("/var/lib/vikno", data).replace("/etc/vikno", etc);
		// On loopback and free ports, and anonymous clients for the test's device.
		const options = `${env.VIKNO_HUB_OPTIONS ?? ""} --host 127.0.0.1 --http-port 0 --mqtt-port 0 --allow-anonymous`;
		const argv = (s.get("ExecStart") ?? "")
			.split(/\s+/)
			.flatMap((a) => (a === "$VIKNO_HUB_OPTIONS" ? options.trim().split(/\s+/) : [move(a)]));
		const [command, ...args] = argv;
		const start = () =>
			startHubProcess(existsSync(command as string) ? (command as string) : process.execPath, args, {
				env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env, VIKNO_LOG_LEVEL: "warn" },
				cwd: move(s.get("WorkingDirectory") ?? ROOT),
			});
		expect(argv).toContain(join(ROOT, "dist/vikno.mjs"));
		running = await start();
		const hub = running;

		// The bundle finds the browser sources and styles in the checkout beside it.
		for (const [path, type, text] of [
			["/public.js", "javascript", "customElements"],
			["/widget.js", "javascript", "vikno-wait"],
			["/public.css", "text/css", "residents"],
		] as const) {
			const r = await fetch(`${hub.httpUrl}${path}`);
			expect(`${path} ${r.status}`).toBe(`${path} 200`);
			expect(r.headers.get("content-type")).toContain(type);
			expect(await r.text()).toContain(text);
		}

		// A device streaming QoS 1 events, at most 50 unacknowledged at a time.
		const client = await connect(hub.mqttUrl, "test-device");
		client.on("error", () => {});
		const sent: { topic: string; body: string; id: string }[] = [];
		const acked = new Set<string>();
		let closed = false;
		const gone = new Promise<void>((resolve) =>
			client.once("close", () => {
				closed = true;
				resolve();
			}),
		);
		const streaming = (async () => {
			const inFlight = new Set<Promise<unknown>>();
			for (let n = 0; !closed; n++) {
				const e = payload({ score: (n % 5) + 1 });
				const m = {
					topic: demoTopic(`win-${String((n % 12) + 1).padStart(2, "0")}`, "rating"),
					body: JSON.stringify(e),
					id: e.id,
				};
				sent.push(m);
				const p = client.publishAsync(m.topic, m.body, { qos: 1 }).then(
					() => acked.add(m.id),
					() => {},
				);
				inFlight.add(p);
				void p.finally(() => inFlight.delete(p));
				if (inFlight.size >= 50) await Promise.race([...inFlight, gone]);
			}
		})();
		await until(
			() => acked.size,
			(k) => k >= 500,
			{ what: "500 events acknowledged" },
		);

		const stopping = Date.now();
		const code = await hub.kill(s.get("KillSignal") as NodeJS.Signals);
		const tookMs = Date.now() - stopping;
		running = undefined;
		await streaming;
		await client.endAsync(true);
		expect(code).toBe(0);
		expect(hub.output()).toMatch(/vikno hub: stopped on SIGTERM; ingest drained in \d+ ms/);
		expect(tookMs).toBeLessThan(Number.parseInt(s.get("TimeoutStopSec") ?? "0", 10) * 1000);
		expect(sent.length).toBeGreaterThan(acked.size);

		// The SQLite files closed cleanly (their WAL checkpointed and removed); every acknowledged event in the store.
		expect(readdirSync(data).filter((f) => f.endsWith("-wal"))).toEqual([]);
		const db = new Database(join(data, "vikno.db"), { readonly: true });
		const stored = new Set((db.prepare("SELECT id FROM events").pluck().all() as string[]) ?? []);
		db.close();
		expect([...acked].filter((id) => !stored.has(id))).toEqual([]);

		// Started again (as Restart= or an upgrade would), it takes the device's resend of everything.
		running = await start();
		const again = await connect(running.mqttUrl, "test-device");
		await Promise.all(sent.map((m) => again.publishAsync(m.topic, m.body, { qos: 1 })));
		await again.endAsync();
		expect(await running.kill("SIGTERM")).toBe(0);
		running = undefined;
		const after = new Database(join(data, "vikno.db"), { readonly: true });
		const rows = after.prepare("SELECT id, count(*) AS n FROM events GROUP BY id").all() as { id: string; n: number }[];
		after.close();
		expect(rows.length).toBe(sent.length);
		expect(rows.every((r) => r.n === 1)).toBe(true);
	});

	it("has a backup service whose command makes an archive of the data dir", () => {
		const data = join(dir.path, "var-lib-vikno");
		const backups = join(dir.path, "var-backups-vikno");
		mkdirSync(backups);
		const unit = service(readFileSync(join(ROOT, "deploy/vikno-backup.service"), "utf8"));
		// systemd's own rules: %% is %, and the sh -c line is run by /bin/sh.
		const line = (unit.get("ExecStart") ?? "")
			.replaceAll("%%", "%")
			.replaceAll("/opt/vikno", ROOT)
			.replaceAll("/var/lib/vikno", data)
			.replaceAll("/var/backups/vikno", backups)
			.replace("/usr/bin/node", existsSync("/usr/bin/node") ? "/usr/bin/node" : process.execPath);
		const m = line.match(/^\/bin\/sh -c '(.*)'$/);
		expect(m).not.toBeNull();
		const r = spawnSync("/bin/sh", ["-c", m?.[1] ?? ""], { encoding: "utf8", cwd: ROOT });
		expect(r.stderr).toBe("");
		expect(r.status).toBe(0);
		expect(readdirSync(backups)).toEqual([expect.stringMatching(/^vikno-\d{8}-\d{6}\.tar\.gz$/)]);
	});
});
