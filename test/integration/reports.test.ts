/**
 * Manager reports over the real store: events go in over MQTT; quality, service levels and
 * history come out over HTTP with the figures the events imply.
 */
import { DateTime } from "luxon";
import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Hub } from "../../server/hub.ts";
import { asAdmin } from "../fixtures/auth.ts";
import { demoTopic, payload } from "../fixtures/events.ts";
import { connect, startTestHub, tempDir } from "../fixtures/hub.ts";

const dir = tempDir();
let hub: Hub;
let client: MqttClient;
// Early today in Kyiv: the events fall in the hub's current local day whatever the hour the test runs.
const t0 = DateTime.now().setZone("Europe/Kyiv").startOf("day").plus({ minutes: 1 }).toMillis();
const day = DateTime.fromMillis(t0, { zone: "Europe/Kyiv" }).toISODate() ?? "";
const MIN = 60_000;

beforeAll(async () => {
	hub = await startTestHub(dir.path);
	client = await connect(hub.mqttUrl);
	const send = (node: string, kind: string, data: object, ts: number) =>
		client.publishAsync(demoTopic(node, kind), JSON.stringify(payload(data, ts)), { qos: 1 });
	await send("terminal-1", "queue", { event: "issued", ticket: "A001", service: "passports" }, t0);
	await send("win-01", "queue", { event: "called", ticket: "A001", service: "passports", window: "w01" }, t0 + 5 * MIN);
	await send(
		"win-01",
		"queue",
		{ event: "started", ticket: "A001", service: "passports", window: "w01" },
		t0 + 6 * MIN,
	);
	await send(
		"win-01",
		"queue",
		{ event: "finished", ticket: "A001", service: "passports", window: "w01" },
		t0 + 16 * MIN,
	);
	await send("win-01", "rating", { score: 5 }, t0 + 16 * MIN + 5_000);
	await send("win-01", "rating", { score: 5, extra: true }, t0 + 16 * MIN + 7_000);
	await send("win-02", "rating", { score: 1 }, t0 + 20 * MIN);
});

afterAll(async () => {
	await client?.endAsync();
	await hub?.close();
	dir.remove();
});

const get = async (path: string) => {
	const res = await (await asAdmin(hub)).fetch(path);
	return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe("reports", () => {
	it("gives service quality of a local day, attributed to window and service", async () => {
		const { status, body } = await get(`/api/v1/centres/demo/quality?from=${day}`);
		expect(status).toBe(200);
		expect(body).toMatchObject({
			from: day,
			to: day,
			all: { count: 2, mean: 3, extra: 1, meaningful: false, distribution: [1, 0, 0, 0, 1] },
			byWindow: { w01: { count: 1, mean: 5 }, w02: { count: 1, mean: 1 } },
			byService: { passports: { count: 1, mean: 5 } },
			unattributed: { window: 0, service: 1 },
		});
	});

	it("gives service levels: wait and service time from the stored derived values", async () => {
		const { body } = await get(`/api/v1/centres/demo/service-levels?from=${day}&to=${day}`);
		const passports = (body.levels as { day: string; service: string }[]).find(
			(l) => l.service === "passports" && l.day === day,
		);
		expect(passports).toMatchObject({
			issued: 1,
			called: 1,
			served: 1,
			withinTarget: 1,
			wait: { meanS: 300 },
			serviceTime: { meanS: 600 },
		});
	});

	it("gives time-bucketed history from the store", async () => {
		const { body } = await get(`/api/v1/centres/demo/history?measurement=rating&field=score&from=${day}&step=1d`);
		expect(body.rows).toEqual([expect.objectContaining({ count: 2, mean: 3 })]);
		const grouped = await get(
			`/api/v1/centres/demo/history?measurement=queue&field=wait_s&event=called&from=${day}&step=1h&groupBy=service`,
		);
		expect(grouped.body.rows).toEqual([expect.objectContaining({ group: "passports", count: 1, mean: 300 })]);
	});

	it("answers bad ranges and parameters with 400 and the reason", async () => {
		const backwards = await get(`/api/v1/centres/demo/quality?from=2026-11-20&to=2026-11-10`);
		expect(backwards.status).toBe(400);
		expect(JSON.stringify(backwards.body)).toMatch(/before/);
		// A year is one request where the store keeps roll-ups (SQLite); more is not.
		const year = await get(`/api/v1/centres/demo/service-levels?from=2026-01-01&to=2026-12-31`);
		expect(year.status).toBe(200);
		const tooLong = await get(`/api/v1/centres/demo/service-levels?from=2025-01-01&to=2026-12-31`);
		expect(tooLong.status).toBe(400);
		expect(JSON.stringify(tooLong.body)).toMatch(/at most 366 days/);
		const badField = await get(`/api/v1/centres/demo/history?measurement=rating&field=DROP%20TABLE`);
		expect(badField.status).toBe(400);
		expect((await get(`/api/v1/centres/nowhere/quality`)).status).toBe(404);
	});
});
