/**
 * `vikno hub --broker URL` on Debian's mosquitto 2, with the ACL and password file written by
 * `vikno device export --mosquitto --reissue`: a device's event stored once; the hub killed with
 * SIGKILL after it received an event and before it could store it loses nothing (its persistent
 * session gets the event again, and what was published meanwhile); a malformed payload counted
 * and dropped; a publish on another node's topic refused by mosquitto and never stored.
 */
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoTopic, payload } from "../fixtures/events.ts";
import { metric, tempDir } from "../fixtures/hub.ts";
import type { HubProcess } from "../fixtures/hubProcess.ts";
import { mosquittoAvailable } from "../fixtures/mosquitto.ts";
import {
	type Deployment,
	deviceClient,
	mosquittoDeployment,
	spawnExternalHub,
} from "../fixtures/mosquittoDeployment.ts";
import { until } from "../fixtures/wait.ts";

const dir = tempDir();
const exported = tempDir("vikno-export-");
let deployment: Deployment;
let hub: HubProcess | undefined;

beforeAll(async () => {
	if (!mosquittoAvailable) return;
	deployment = await mosquittoDeployment(dir.path, ["win-01", "win-02"], exported.path);
	hub = await spawnExternalHub(deployment, dir.path);
});

afterAll(async () => {
	await hub?.kill("SIGTERM");
	await deployment?.stop();
	dir.remove();
	exported.remove();
});

/** How many times each id is in the hub's SQLite store. */
function storedTimes(ids: string[]): number[] {
	const db = new Database(join(dir.path, "vikno.db"), { readonly: true });
	try {
		const one = db.prepare("SELECT count(*) AS n FROM events WHERE id = ?");
		return ids.map((id) => (one.get(id) as { n: number }).n);
	} finally {
		db.close();
	}
}

async function metrics(h: HubProcess): Promise<string> {
	return (await fetch(`${h.httpUrl}/metrics`)).text();
}

const rating = (score: number) => payload({ score });

describe.skipIf(!mosquittoAvailable)("a hub on an external mosquitto", () => {
	it("stores a device's event once, also when the device sends it again", async () => {
		const h = hub as HubProcess;
		const device = await deviceClient(deployment, "win-01");
		const e = rating(5);
		await device.publishAsync(demoTopic("win-01", "rating"), JSON.stringify(e), { qos: 1 });
		await until(
			() => storedTimes([e.id]),
			([n]) => n === 1,
			{ what: "the event stored" },
		);
		// The edge resends its outbox as it is: a duplicate, stored once.
		await device.publishAsync(demoTopic("win-01", "rating"), JSON.stringify(e), { qos: 1 });
		await until(
			async () => metric(await metrics(h), 'vikno_messages_total{result="duplicate",reason=""}'),
			(n) => n === 1,
			{ what: "the resend counted as a duplicate" },
		);
		expect(storedTimes([e.id])).toEqual([1]);
		await device.endAsync();
	});

	it("counts and drops a malformed payload and goes on serving", async () => {
		const h = hub as HubProcess;
		const device = await deviceClient(deployment, "win-01");
		await device.publishAsync(demoTopic("win-01", "rating"), JSON.stringify({ ...rating(5), score: "five" }), {
			qos: 1,
		});
		await device.publishAsync(demoTopic("win-01", "rating"), "not json at all", { qos: 1 });
		const after = rating(4);
		await device.publishAsync(demoTopic("win-01", "rating"), JSON.stringify(after), { qos: 1 });
		await until(
			() => storedTimes([after.id]),
			([n]) => n === 1,
			{ what: "the next event stored" },
		);
		const m = await metrics(h);
		expect(metric(m, 'vikno_messages_total{result="rejected",reason="schema"}')).toBe(1);
		expect(metric(m, 'vikno_messages_total{result="rejected",reason="not_json"}')).toBe(1);
		expect(h.child.exitCode).toBeNull();
		await device.endAsync();
	});

	it("never sees a publish on another node's topic: mosquitto's ACL from vikno device export refuses it", async () => {
		const h = hub as HubProcess;
		const before = await metrics(h);
		const device = await deviceClient(deployment, "win-01");
		const foreign = rating(1);
		// MQTT 5 lets mosquitto say why: 0x87 not authorized (MQTT 5 §3.4.2.1).
		await expect(
			device.publishAsync(demoTopic("win-02", "rating"), JSON.stringify(foreign), { qos: 1 }),
		).rejects.toMatchObject({ code: 0x87 });
		// A publish after it, on its own topic, is stored: the refused one would have been ahead of it.
		const own = rating(5);
		await device.publishAsync(demoTopic("win-01", "rating"), JSON.stringify(own), { qos: 1 });
		await until(
			() => storedTimes([own.id]),
			([n]) => n === 1,
			{ what: "the device's own event stored" },
		);
		expect(storedTimes([foreign.id])).toEqual([0]);
		const after = await metrics(h);
		for (const reason of ["schema", "wrong_role", "unknown_node"]) {
			const series = `vikno_messages_total{result="rejected",reason="${reason}"}`;
			expect(metric(after, series)).toBe(metric(before, series));
		}
		// A wrong password does not connect at all.
		await expect(
			deviceClient({ ...deployment, passwords: new Map([["demo/win-02", "not-the-password"]]) }, "win-02"),
		).rejects.toMatchObject({ code: 0x87 });
		await device.endAsync();
	});

	it("loses nothing when killed after receiving an event and before storing it", async () => {
		// Both of the hub's files held by another writer: the event is received, and neither the
		// store nor the spool can take it, so it is not acknowledged.
		const lockers = ["vikno.db", "spool.db"].map((f) => new Database(join(dir.path, f)));
		for (const l of lockers) l.exec("BEGIN IMMEDIATE");
		const received = metric(await metrics(hub as HubProcess), "vikno_ingest_lag_seconds_count");
		const device = await deviceClient(deployment, "win-02");
		const held = rating(3);
		// mosquitto acknowledges to the device: from here the broker is responsible for it.
		await device.publishAsync(demoTopic("win-02", "rating"), JSON.stringify(held), { qos: 1 });
		await until(
			async () => metric(await metrics(hub as HubProcess), "vikno_ingest_lag_seconds_count"),
			(n) => n > received,
			{ what: "the hub to receive the event" },
		);
		expect(await (hub as HubProcess).kill("SIGKILL")).toBeNull();
		hub = undefined;
		const [store] = lockers as [Database.Database, Database.Database];
		expect((store.prepare("SELECT count(*) AS n FROM events WHERE id = ?").get(held.id) as { n: number }).n).toBe(0);
		// Published while no hub runs: kept for the hub's session by mosquitto.
		const meanwhile = rating(2);
		await device.publishAsync(demoTopic("win-02", "rating"), JSON.stringify(meanwhile), { qos: 1 });
		for (const l of lockers) {
			l.exec("ROLLBACK");
			l.close();
		}

		hub = await spawnExternalHub(deployment, dir.path);
		await until(
			() => storedTimes([held.id, meanwhile.id]),
			(n) => n.every((x) => x === 1),
			{ what: "both events stored after the restart" },
		);
		// Redelivered at most as duplicates: stored once each.
		await device.endAsync();
		const stopped = hub;
		hub = undefined;
		const code = await stopped.kill("SIGTERM");
		// A graceful stop exits 0; anything else says how it ended and what the hub printed.
		expect(code, `ended by ${stopped.child.signalCode ?? `exit code ${code}`}:\n${stopped.output()}`).toBe(0);
		expect(storedTimes([held.id, meanwhile.id])).toEqual([1, 1]);
	});
});
