/**
 * Ingest that trusts neither a node's clock nor the order its events arrive in, through the real
 * broker, ingest and SQLite store, with restarts: a future `ts` cannot move the hall to another
 * day; a node whose clock runs fast still goes offline; a terminal's `issued` delivered after the
 * window's call leaves no phantom ticket; door events reordered count the same; tickets that do
 * not follow their course are counted by reason, and the live figures and the reports agree.
 */
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LiveView } from "../../core/liveView.ts";
import { localDay, startOfLocalDay } from "../../core/time.ts";
import type { Hub } from "../../server/hub.ts";
import { asAdmin } from "../fixtures/auth.ts";
import { demoTopic, payload } from "../fixtures/events.ts";
import { connect, metric, startTestHub, tempDir } from "../fixtures/hub.ts";
import { until } from "../fixtures/wait.ts";

const dir = tempDir("vikno-time-order-");
let hub: Hub;
const clients: MqttClient[] = [];
const MIN = 60_000;
const DAY = 86_400_000;
/**
 * The hub runs on a clock set to 12:00 today in the centre's zone, moving with the real one, so
 * the day's events of these tests fit in the day whatever the hour the suite runs at.
 */
const shift = startOfLocalDay(Date.now(), "Europe/Kyiv") + 12 * 3_600_000 - Date.now();
const now = () => Date.now() + shift;

beforeAll(async () => {
	hub = await startTestHub(dir.path, { now });
});
afterAll(async () => {
	for (const c of clients) c.end(true);
	await hub?.close();
	dir.remove();
});

async function client(clientId?: string): Promise<MqttClient> {
	const c = await connect(hub.mqttUrl, clientId);
	clients.push(c);
	return c;
}

async function restart(): Promise<void> {
	for (const c of clients.splice(0)) c.end(true);
	await hub.close();
	hub = await startTestHub(dir.path, { now });
}

const live = async (): Promise<LiveView> => (await asAdmin(hub)).json<LiveView>("/api/v1/centres/demo/live");
const metrics = async () => (await fetch(`${hub.httpUrl}/metrics`)).text();
const stored = async (id: string) =>
	(await hub.store.readRange("demo", 0, Number.MAX_SAFE_INTEGER)).find((e) => e.id === id);
const send = (c: MqttClient, node: string, kind: string, data: object) =>
	c.publishAsync(demoTopic(node, kind), JSON.stringify(data), { qos: 1 });
const queue = (event: string, ticket: string, service: string, ts: number, window?: string) =>
	payload({ event, ticket, service, ...(window ? { window } : {}) }, ts);
/** Windows show their state only while their node is online. */
const online = (c: MqttClient, ...nodes: string[]) =>
	Promise.all(
		nodes.map((n) => send(c, n, "status", payload({ online: true, version: "t", uptimeS: 1, buffered: 0 }, now()))),
	);
const today = () => localDay(now(), "Europe/Kyiv");

describe("a node's clock", () => {
	it("cannot move the live hall to another day: a ts ahead is set to its arrival (counted), also after a restart", async () => {
		const c = await client();
		const before = await live();
		const beforeAhead = metric(await metrics(), 'vikno_clock_corrections_total{reason="ahead"}') || 0;
		const twoDays = payload({ online: true, version: "t", uptimeS: 1, buffered: 0 }, now() + 2 * DAY);
		const year2286 = payload({ online: true, version: "t", uptimeS: 2, buffered: 0 }, 9_999_999_999_999);
		await c.publishAsync(demoTopic("win-12", "status"), JSON.stringify(twoDays), { qos: 1, retain: true });
		await send(c, "win-11", "status", year2286);
		const after = await live();
		expect(after.day).toBe(today());
		expect(after.day).toBe(before.day);
		for (const p of [twoDays, year2286]) expect((await stored(p.id))?.ts).toBeLessThanOrEqual(now());
		expect(metric(await metrics(), 'vikno_clock_corrections_total{reason="ahead"}')).toBe(beforeAhead + 2);

		// Later, correct events still count, live and after a restart.
		const ticket = queue("issued", "C901", "passports", now());
		await send(c, "terminal-1", "queue", ticket);
		const waiting = (v: LiveView) => v.services.find((s) => s.id === "passports")?.waiting ?? 0;
		const n = waiting(await live());
		expect(n).toBeGreaterThanOrEqual(1);
		await restart();
		const rebuilt = await live();
		expect(rebuilt.day).toBe(today());
		expect(waiting(rebuilt)).toBe(n);
		const pub = (await (await fetch(`${hub.httpUrl}/api/public/v1/centres/demo/wait`)).json()) as {
			services: { id: string; waiting: number }[];
		};
		expect(pub.services.find((s) => s.id === "passports")?.waiting).toBe(n);
	});

	it("refuses an event from before the hub accepts any (2001), counted as too_old", async () => {
		const c = await client();
		const before = metric(await metrics(), 'vikno_messages_total{result="rejected",reason="too_old"}');
		const old = payload({ score: 5 }, 1_000_000_000_000);
		await send(c, "win-01", "rating", old);
		expect(metric(await metrics(), 'vikno_messages_total{result="rejected",reason="too_old"}')).toBe(before + 1);
		expect(await stored(old.id)).toBeUndefined();
	});

	it("exports each node's clock offset from its statuses", async () => {
		const c = await client();
		await send(
			c,
			"door-main",
			"status",
			payload({ online: true, version: "t", uptimeS: 1, buffered: 0 }, now() - 90_000),
		);
		const offset = metric(await metrics(), 'vikno_node_clock_offset_seconds{centre="demo",node="door-main"}');
		expect(offset).toBeLessThan(-89);
		expect(offset).toBeGreaterThan(-120);
	});

	it("running fast does not keep a node online: its Last Will comes after its statuses, live and after a restart", async () => {
		const will = payload({ online: false, version: "t", uptimeS: 0, buffered: 0 }, now());
		const node = await mqtt.connectAsync(hub.mqttUrl, {
			protocolVersion: 4,
			reconnectPeriod: 0,
			clientId: "demo/win-07",
			will: { topic: demoTopic("win-07", "status"), payload: Buffer.from(JSON.stringify(will)), qos: 1, retain: true },
		});
		// An hour fast.
		await send(
			node,
			"win-07",
			"status",
			payload({ online: true, version: "t", uptimeS: 5, buffered: 0 }, now() + 3_600_000),
		);
		const state = async () => (await live()).windows.find((w) => w.id === "w07")?.state;
		expect(await state()).not.toBe("offline");
		// The connection is lost (no DISCONNECT): the broker publishes the Will.
		(node as unknown as { stream: { destroy(): void } }).stream.destroy();
		await until(state, (s) => s === "offline", { what: "w07 offline after the Will" });
		await restart();
		expect(await state()).toBe("offline");
		expect((await live()).nodes.find((n) => n.id === "win-07")?.online).toBe(false);
	});
});

describe("the order events arrive in", () => {
	it("leaves no phantom ticket when the terminal's issue arrives after the window's call", async () => {
		const c = await client();
		await online(c, "win-05");
		const t = now() - 10 * MIN;
		await send(c, "win-05", "queue", queue("called", "S501", "social", t, "w05"));
		await send(c, "terminal-1", "queue", queue("issued", "S501", "social", t - 2 * MIN));
		const v = await live();
		expect(v.services.find((s) => s.id === "social")?.waiting).toBe(0);
		expect(v.windows.find((w) => w.id === "w05")).toMatchObject({ state: "calling", ticket: "S501" });
		// The dispatcher does not hand it out again.
		const w06 = await client();
		const answers: { ticket: unknown }[] = [];
		w06.on("message", (_t, m) => answers.push(JSON.parse(m.toString())));
		await w06.subscribeAsync("vikno/v1/demo/win-06/cmd/call", { qos: 1 });
		await send(w06, "win-06", "request", payload({ action: "next" }, now()));
		await until(
			() => answers.length,
			(n) => n >= 1,
			{ what: "the dispatcher's answer" },
		);
		expect(answers[0]?.ticket).toBeNull();
		const waiting = (x: LiveView) => x.services.map((s) => [s.id, s.waiting, s.priorityWaiting]);
		const was = await live();
		await restart();
		const rebuilt = await live();
		expect(waiting(rebuilt)).toEqual(waiting(was));
		expect(rebuilt.windows.find((w) => w.id === "w05")).toMatchObject({ state: "calling", ticket: "S501" });
		expect(rebuilt.tickets).toEqual(was.tickets);
	});

	it("counts door events the same whichever order they arrive in, and after a restart", async () => {
		const c = await client();
		const t = now() - 5 * MIN;
		const reset = payload({ zone: "hall", count: 0 }, t);
		const a = payload({ zone: "hall", in: 5, out: 0 }, t + 1000);
		const b = payload({ zone: "hall", in: 0, out: 10 }, t + 2000);
		const d = payload({ zone: "hall", in: 10, out: 0 }, t + 3000);
		// Happened: 0, 5, 0 (nobody below zero), 10. Arrives: the last first.
		for (const p of [reset, d, a, b]) await send(c, "door-main", "occupancy", p);
		const count = async () => (await live()).zones.find((z) => z.id === "hall")?.count;
		expect(await count()).toBe(10);
		await restart();
		expect(await count()).toBe(10);
	});
});

describe("tickets that leave their course", () => {
	it("counts each anomaly by reason, frees the first window of a ticket called twice, and agrees with the report", async () => {
		const c = await client();
		await online(c, "win-01", "win-02", "win-03", "win-05");
		const t = now() - 30 * MIN;
		const before = (await live()).tickets;
		const events: [string, ReturnType<typeof queue>][] = [
			["terminal-1", queue("issued", "P100", "passports", t)],
			["win-01", queue("called", "P100", "passports", t + MIN, "w01")],
			["win-02", queue("called", "P100", "passports", t + 2 * MIN, "w02")],
			["terminal-1", queue("issued", "P101", "passports", t + 3 * MIN)],
			["win-03", queue("finished", "P101", "passports", t + 4 * MIN, "w03")],
			["terminal-1", queue("issued", "P102", "passports", t + 5 * MIN)],
			["terminal-1", queue("issued", "P102", "passports", t + 6 * MIN)],
			["win-05", queue("called", "P102", "passports", t + 7 * MIN, "w05")],
		];
		for (const [node, p] of events) await send(c, node, "queue", p);
		const v = await live();
		expect(v.windows.find((w) => w.id === "w01")?.state).toBe("idle");
		expect(v.windows.find((w) => w.id === "w02")).toMatchObject({ state: "calling", ticket: "P100" });
		const grew = (k: keyof LiveView["tickets"]["anomalies"]) => v.tickets.anomalies[k] - before.anomalies[k];
		expect(grew("called_twice")).toBe(1);
		expect(grew("not_called")).toBe(1);
		expect(grew("issued_twice")).toBe(1);
		expect(grew("service_not_served")).toBe(1);
		expect(v.tickets.issued - before.issued).toBe(3);
		expect(v.tickets.served - before.served).toBe(1);
		const m = await metrics();
		expect(metric(m, 'vikno_queue_anomalies{centre="demo",reason="issued_twice"}')).toBe(
			v.tickets.anomalies.issued_twice,
		);

		const report = (await (
			await (await asAdmin(hub)).fetch(`/api/v1/centres/demo/service-levels?from=${today()}&to=${today()}`)
		).json()) as { levels: { day: string; service: string; issued: number; served: number }[] };
		const all = report.levels.find((r) => r.service === "*" && r.day === today());
		expect(all?.issued).toBe(v.tickets.issued);
		expect(all?.served).toBe(v.tickets.served);

		await restart();
		expect((await live()).tickets).toEqual(v.tickets);
	});

	it("attributes a rating replayed from yesterday to the ticket finished before it yesterday", async () => {
		const c = await client();
		const yesterday = now() - DAY;
		await send(c, "win-08", "queue", queue("called", "L800", "land", yesterday - 5 * MIN, "w08"));
		await send(c, "win-08", "queue", queue("finished", "L800", "land", yesterday, "w08"));
		// Today: something else finished at w08, then yesterday's rating arrives from the outbox.
		await send(c, "win-08", "queue", queue("called", "L801", "property", now() - 2 * MIN, "w08"));
		await send(c, "win-08", "queue", queue("finished", "L801", "property", now() - MIN, "w08"));
		const rating = payload({ score: 4 }, yesterday + 2 * MIN);
		await send(c, "win-08", "rating", rating);
		expect((await stored(rating.id))?.data).toMatchObject({ window: "w08", service: "land", ticket: "L800" });
	});
});
