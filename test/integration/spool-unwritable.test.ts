/**
 * "If even the spool cannot be written, the hook refuses the publish: no PUBACK, the node keeps
 * the event and resends it" (docs/durability.md), done for real: the hub's data folder is a small
 * tmpfs, filled up with a file, so both the SQLite store and the spool fail with SQLITE_FULL
 * (root ignores file modes, but not a full file system). The hub then drops the connection — MQTT
 * 3.1.1 has no negative PUBACK — and stores nothing; once there is room again, the node's resend
 * (the same event id, on a new connection, as an edge node replays its outbox) is stored once.
 */
import { execFileSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LiveView } from "../../core/liveView.ts";
import type { Log } from "../../core/log.ts";
import type { Hub } from "../../server/hub.ts";
import { asAdmin } from "../fixtures/auth.ts";
import { demoTopic, payload } from "../fixtures/events.ts";
import { connect, startTestHub } from "../fixtures/hub.ts";

const mount = mkdtempSync(join(tmpdir(), "vikno-spool-full-"));
const filler = join(mount, "filler");
const logged: { level: string; msg: string; obj: object }[] = [];
const at =
	(level: string) =>
	(obj: object | string, msg = ""): void => {
		logged.push(typeof obj === "string" ? { level, msg: obj, obj: {} } : { level, msg, obj });
	};
const log: Log = { info: at("info"), warn: at("warn"), error: at("error"), debug: at("debug") };
let hub: Hub | undefined;
const clients: MqttClient[] = [];

beforeAll(async () => {
	try {
		execFileSync("mount", ["-t", "tmpfs", "-o", "size=8m", "tmpfs", mount], { stdio: "pipe" });
	} catch (e) {
		throw new Error(`this test mounts a small tmpfs and must run as root: ${(e as Error).message}`);
	}
	hub = await startTestHub(mount, {
		log,
		// Sessions in memory: only the store and the spool live on the disk that fills up.
		broker: { persistence: { kind: "memory" } },
	});
	// Signed in while there is room: the user is written to DATA/users.db, the session is in memory.
	await asAdmin(hub);
});

afterAll(async () => {
	for (const c of clients) await c.endAsync(true);
	await hub?.close();
	// Lazily: the store's writer threads close their files just after the hub has closed.
	execFileSync("umount", ["-l", mount]);
	rmSync(mount, { recursive: true, force: true });
});

/** Write zeros into a file until the file system says it is full. */
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

describe("the spool cannot be written", () => {
	it("refuses the publish (no PUBACK), stores nothing, and stores the resend once when there is room again", async () => {
		const h = hub as Hub;
		const stored = async (id: string) =>
			(await h.store.readRange("demo", 0, Number.MAX_SAFE_INTEGER)).filter((e) => e.id === id).length;
		const ratingsLive = async () =>
			((await (await asAdmin(h)).inject("/api/v1/centres/demo/live")).json() as LiveView).ratings.count;

		const first = await connect(h.mqttUrl, "test-node-1");
		clients.push(first);
		const before = payload({ score: 4 });
		await first.publishAsync(demoTopic("win-01", "rating"), JSON.stringify(before), { qos: 1 });
		expect(await stored(before.id)).toBe(1);

		fillUp();
		const event = payload({ score: 5 });
		// The broker answers a refused publish by closing the connection; a PUBACK, had it been
		// sent, would have come before the close on the same TCP stream.
		const outcome = await new Promise<string>((resolve) => {
			first.once("close", () => resolve("closed without a PUBACK"));
			first.publish(demoTopic("win-01", "rating"), JSON.stringify(event), { qos: 1 }, (err) =>
				resolve(err ? `failed: ${err.message}` : "acknowledged"),
			);
		});
		expect(outcome).toBe("closed without a PUBACK");
		// Both the store and the spool were tried, and both were full.
		expect(logged.filter((l) => l.level === "warn").map((l) => l.msg)).toContain("store sqlite failed; spooling");
		const refused = logged.find((l) => l.msg === "could not make events durable; not acknowledged");
		expect(refused?.obj).toMatchObject({ err: { code: "SQLITE_FULL" }, events: 1 });
		expect(await stored(event.id)).toBe(0);
		expect(h.spool.depth).toBe(0);
		expect(await ratingsLive()).toBe(1);

		// Room again: the node connects anew and sends the same event (its outbox still holds it).
		unlinkSync(filler);
		const again = await connect(h.mqttUrl, "test-node-1");
		clients.push(again);
		await again.publishAsync(demoTopic("win-01", "rating"), JSON.stringify(event), { qos: 1 });
		expect(await stored(event.id)).toBe(1);
		expect(await h.countEvents({ kind: "rating" })).toBe(2);
		expect(await ratingsLive()).toBe(2);
	});
});
