/**
 * The estimate's range calibration through real parts: a hub on loopback, queue events over MQTT,
 * `/metrics` and the manager's live view over HTTP. What the hub showed a ticket at its issue is
 * compared with its real wait when it is called (core/calibration.ts).
 */
import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Hub } from "../../server/hub.ts";
import { asAdmin } from "../fixtures/auth.ts";
import { demoTopic, payload } from "../fixtures/events.ts";
import { connect, lastLocal, metric, pausableClock, startTestHub, tempDir } from "../fixtures/hub.ts";
import { until } from "../fixtures/wait.ts";

const dir = tempDir();
let hub: Hub;
let client: MqttClient;
// A Wednesday at 10:00, whenever the test runs: the centre is open. The clock stands still unless
// the test moves it, so every event's time — and every wait — is exact.
const clock = pausableClock(lastLocal("wed", 10));
clock.pause();
const MIN = 60_000;

const publish = (node: string, kind: string, data: object) =>
	client.publishAsync(demoTopic(node, kind), JSON.stringify(payload(data, clock.now())), { qos: 1 });
const queue = (event: string, ticket: string, window?: string) =>
	publish(window ? `win-${window.slice(1)}` : "terminal-1", "queue", {
		event,
		ticket,
		service: "passports",
		...(window ? { window } : {}),
	});
const series = (name: string, service = "passports") => `${name}{centre="demo",service="${service}"}`;
const scrape = async () => {
	const text = await (await fetch(`${hub.httpUrl}/metrics`)).text();
	return {
		coverage: metric(text, series("vikno_estimate_coverage")),
		bias: metric(text, series("vikno_estimate_bias_minutes")),
		tickets: metric(text, series("vikno_estimate_calibration_tickets")),
		all: metric(text, series("vikno_estimate_calibration_tickets", "*")),
		high: metric(text, 'vikno_estimate_correction{centre="demo",service="passports",bound="high"}'),
		offset: metric(text, series("vikno_estimate_offset_minutes")),
	};
};
const stage = (ticket: string) => hub.live.state("demo")?.tickets.get(ticket);

beforeAll(async () => {
	hub = await startTestHub(dir.path, { now: clock.now });
	client = await connect(hub.mqttUrl);
	// One passports window open (the others' nodes never said they are online): with nobody ahead,
	// an idle window calls after its reaction delay — 10 s while none was learnt — in every run, so
	// the range shown for a ticket is exactly 0.1–0.2 min.
	await publish("win-01", "status", { online: true });
	await until(
		() => hub.live.state("demo")?.windows.get("w01")?.online,
		(on) => on === true,
		{ what: "w01 online" },
	);
});

afterAll(async () => {
	await client?.endAsync();
	await hub?.close();
	dir.remove();
});

describe("the range calibration", () => {
	it("moves vikno_estimate_coverage and the bias as tickets issued over MQTT are called", async () => {
		const before = await scrape();
		expect(before.coverage).toBeNaN(); // no series before a ticket was called
		expect(before.tickets).toBe(0);
		expect(before.high).toBe(1); // no correction yet

		// Called 10 s after its issue: inside the range shown.
		await queue("issued", "A001");
		await until(() => stage("A001"), Boolean, { what: "A001 issued" });
		clock.advance(10_000);
		await queue("called", "A001", "w01");
		const first = await until(scrape, (m) => m.tickets === 1, { what: "one called ticket in /metrics" });
		expect(first).toMatchObject({ coverage: 1, all: 1 });
		expect(first.bias).toBeCloseTo(10 / 60 - 0.2, 5);
		await queue("finished", "A001", "w01");

		// Called half an hour after its issue: far past the range shown.
		clock.advance(MIN);
		await until(() => stage("A001")?.finished, Boolean, { what: "A001 served" });
		await queue("issued", "A002");
		await until(() => stage("A002"), Boolean, { what: "A002 issued" });
		clock.advance(30 * MIN);
		await queue("called", "A002", "w01");
		const second = await until(scrape, (m) => m.tickets === 2, { what: "two called tickets in /metrics" });
		expect(second.coverage).toBe(0.5);
		expect(second.bias).toBeCloseTo((10 / 60 - 0.2 + 30 - 0.2) / 2, 5);
		await queue("finished", "A002", "w01");

		// A ticket cancelled is no wait observed; a third one called inside counts.
		clock.advance(MIN);
		await queue("issued", "A003");
		await queue("cancelled", "A003", "w01");
		await until(() => stage("A002")?.finished && stage("A003")?.cancelled, Boolean, { what: "A003 cancelled" });
		await queue("issued", "A004");
		await until(() => stage("A004"), Boolean, { what: "A004 issued" });
		clock.advance(10_000);
		await queue("called", "A004", "w01");
		const third = await until(scrape, (m) => m.tickets === 3, { what: "three called tickets in /metrics" });
		expect(third.coverage).toBeCloseTo(2 / 3, 5);
		// Too few tickets for a correction yet: neither the quantiles nor the median's offset move.
		expect([third.high, third.offset]).toEqual([1, 0]);
		await queue("finished", "A004", "w01");

		// A ticket sent on to another service is no wait of the first one either, even once called there.
		clock.advance(MIN);
		await queue("issued", "A005");
		await until(() => stage("A004")?.finished && stage("A005"), Boolean, { what: "A005 issued" });
		await publish("win-01", "queue", {
			event: "transferred",
			ticket: "A005",
			service: "passports",
			window: "w01",
			to: "social",
		});
		clock.advance(5 * MIN);
		await publish("win-05", "queue", { event: "called", ticket: "A005", service: "social", window: "w05" });
		await until(
			() => stage("A005")?.calls.size,
			(n) => n === 1,
			{ what: "A005 called at w05" },
		);
		const after = await scrape();
		expect([after.tickets, after.all]).toEqual([3, 3]);

		// The manager's live view says the same (its answer checked against the route's schema).
		const admin = await asAdmin(hub);
		const live = await admin.json<{ services: { id: string; estimateHeld: unknown }[] }>("/api/v1/centres/demo/live");
		const passports = live.services.find((s) => s.id === "passports");
		expect(passports?.estimateHeld).toEqual({ tickets: 3, coverage: 2 / 3, biasMin: 9.9 });
		expect(live.services.find((s) => s.id === "social")?.estimateHeld).toBeNull();
	});
});
