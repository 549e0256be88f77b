/**
 * An event id used again, through real parts (aedes on loopback, MQTT.js, the SQLite file, a
 * restart): a repeat of the same bytes is a duplicate, stored once; another event under the id —
 * another payload, node or kind — is refused as `id_reused`, counted, logged, and the acknowledged
 * first event stays. Checked in the hub's memory, against the stored row after a restart, and
 * against the spool (where events wait while the store cannot be written, and where InfluxDB's
 * events are kept 24 h).
 */
import { join } from "node:path";
import Database from "better-sqlite3";
import type { MqttClient } from "mqtt";
import { afterEach, describe, expect, it } from "vitest";
import type { LiveView } from "../../core/liveView.ts";
import type { Hub } from "../../server/hub.ts";
import type { SqliteStore } from "../../store/sqlite.ts";
import { asAdmin } from "../fixtures/auth.ts";
import { demoTopic, payload } from "../fixtures/events.ts";
import { connect, metric, recordingLogger, startTestHub, tempDir } from "../fixtures/hub.ts";
import { until } from "../fixtures/wait.ts";

const dirs: ReturnType<typeof tempDir>[] = [];
afterEach(() => {
	for (const d of dirs.splice(0)) d.remove();
});

const counts = async (h: Hub) => {
	const text = await (await fetch(`${h.httpUrl}/metrics`)).text();
	return {
		duplicate: metric(text, 'vikno_messages_total{result="duplicate",reason=""}'),
		reused: metric(text, 'vikno_messages_total{result="rejected",reason="id_reused"}'),
	};
};
const waiting = async (h: Hub, service: string) =>
	(await (await asAdmin(h)).json<LiveView>("/api/v1/centres/demo/live")).services.find((s) => s.id === service)
		?.waiting;

function storedData(h: Hub, id: string): string[] {
	const db = new Database((h.store as SqliteStore).path, { readonly: true });
	try {
		return db.prepare("SELECT data FROM events WHERE id = ?").pluck().all(id) as string[];
	} finally {
		db.close();
	}
}

/** An issued ticket, the same id with another ticket, and the same id as a rating of another node. */
function messages() {
	const issued = payload({ event: "issued", ticket: "A100", service: "passports" });
	return {
		id: issued.id,
		issued: JSON.stringify(issued),
		otherTicket: JSON.stringify({ ...issued, ticket: "A101" }),
		otherNode: JSON.stringify({ id: issued.id, ts: issued.ts, score: 5 }),
	};
}

const queue = demoTopic("terminal-1", "queue");
const send = (c: MqttClient, topic: string, body: string) => c.publishAsync(topic, body, { qos: 1 });

describe("an event id used again", () => {
	it("is a duplicate when the same bytes come again, and refused as id_reused otherwise — in memory and after a restart", async () => {
		const dir = tempDir();
		dirs.push(dir);
		const log = recordingLogger();
		let hub = await startTestHub(dir.path, { log });
		let c = await connect(hub.mqttUrl);
		const m = messages();
		await send(c, queue, m.issued);
		const c0 = await counts(hub);
		await send(c, queue, m.issued);
		expect(await counts(hub)).toEqual({ ...c0, duplicate: c0.duplicate + 1 });
		await send(c, queue, m.otherTicket);
		await send(c, demoTopic("win-01", "rating"), m.otherNode);
		expect(await counts(hub)).toEqual({ duplicate: c0.duplicate + 1, reused: c0.reused + 2 });
		expect(storedData(hub, m.id)).toEqual([m.issued]);
		expect(await waiting(hub, "passports")).toBe(1);
		// Logged once for the interval, with how many were not logged since.
		const lines = log.lines.filter((l) => /message rejected \(id_reused\)/.test(l.msg));
		expect(lines.length).toBe(1);
		expect(lines[0]?.obj).toMatchObject({ reason: "id_reused", topic: queue });
		await c.endAsync();
		await hub.close();

		// A new process remembers nothing: the stored row tells.
		hub = await startTestHub(dir.path);
		c = await connect(hub.mqttUrl);
		const c2 = await counts(hub);
		await send(c, queue, m.otherTicket);
		expect(await counts(hub)).toEqual({ ...c2, reused: c2.reused + 1 });
		await send(c, queue, m.issued);
		expect(await counts(hub)).toEqual({ duplicate: c2.duplicate + 1, reused: c2.reused + 1 });
		expect(storedData(hub, m.id)).toEqual([m.issued]);
		expect(await waiting(hub, "passports")).toBe(1);
		await c.endAsync();
		await hub.close();
	});

	it("is told apart against the spool while the store cannot be written", async () => {
		const dir = tempDir();
		dirs.push(dir);
		const more = { forwarding: { minBackoffMs: 20, maxBackoffMs: 100 } };
		let hub = await startTestHub(dir.path, more);
		const locker = new Database((hub.store as SqliteStore).path);
		locker.exec("BEGIN IMMEDIATE");
		let c = await connect(hub.mqttUrl);
		const m = messages();
		await send(c, queue, m.issued);
		expect(hub.spool.depth).toBe(1);
		await c.endAsync();
		await hub.close();

		hub = await startTestHub(dir.path, more);
		c = await connect(hub.mqttUrl);
		const c0 = await counts(hub);
		await send(c, queue, m.otherTicket);
		expect(await counts(hub)).toEqual({ ...c0, reused: c0.reused + 1 });
		await send(c, queue, m.issued);
		expect(await counts(hub)).toEqual({ duplicate: c0.duplicate + 1, reused: c0.reused + 1 });
		expect(hub.spool.depth).toBe(1);

		locker.exec("ROLLBACK");
		locker.close();
		const h = hub;
		await until(
			() => h.spool.depth,
			(d) => d === 0,
			{ what: "the spool to drain" },
		);
		expect(storedData(hub, m.id)).toEqual([m.issued]);
		expect(await waiting(hub, "passports")).toBe(1);
		await c.endAsync();
		await hub.close();
	});

	it("is told apart against the store while new events go to the spool (the store locked)", async () => {
		const dir = tempDir();
		dirs.push(dir);
		const more = { forwarding: { minBackoffMs: 20, maxBackoffMs: 100 } };
		let hub = await startTestHub(dir.path, more);
		let c = await connect(hub.mqttUrl);
		const m = messages();
		await send(c, queue, m.issued);
		expect(storedData(hub, m.id)).toEqual([m.issued]);
		await c.endAsync();
		await hub.close();

		const locker = new Database(join(dir.path, "vikno.db"));
		locker.exec("BEGIN IMMEDIATE");
		hub = await startTestHub(dir.path, more);
		c = await connect(hub.mqttUrl);
		// Something new first, so the store is known to be failing and events go to the spool.
		await send(c, queue, JSON.stringify(payload({ event: "issued", ticket: "A102", service: "passports" })));
		expect(hub.spool.depth).toBe(1);
		const c0 = await counts(hub);
		await send(c, queue, m.otherTicket);
		expect(await counts(hub)).toEqual({ ...c0, reused: c0.reused + 1 });
		await send(c, queue, m.issued);
		expect(await counts(hub)).toEqual({ duplicate: c0.duplicate + 1, reused: c0.reused + 1 });
		expect(hub.spool.depth).toBe(1);
		expect(await waiting(hub, "passports")).toBe(2);

		locker.exec("ROLLBACK");
		locker.close();
		const h = hub;
		await until(
			() => h.spool.depth,
			(d) => d === 0,
			{ what: "the spool to drain" },
		);
		expect(storedData(hub, m.id)).toEqual([m.issued]);
		expect(await hub.countEvents({ kind: "queue" })).toBe(2);
		await c.endAsync();
		await hub.close();
	});
});
