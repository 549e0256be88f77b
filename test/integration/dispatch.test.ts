/**
 * The hub's dispatcher through the real broker: window nodes publish `request` ("next") and
 * listen on their own `cmd/call`; a priority ticket goes first even when it was issued last, two
 * windows asking at once never get the same ticket, and nobody waiting gives `ticket: null`.
 */
import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Hub } from "../../server/hub.ts";
import { demoTopic, payload } from "../fixtures/events.ts";
import { connect, startTestHub, tempDir } from "../fixtures/hub.ts";
import { until } from "../fixtures/wait.ts";

const dir = tempDir();
let hub: Hub;
const clients: MqttClient[] = [];

beforeAll(async () => {
	hub = await startTestHub(dir.path);
});
afterAll(async () => {
	await Promise.all(clients.map((c) => c.endAsync()));
	await hub.close();
	dir.remove();
});

async function windowNode(node: string) {
	const c = await connect(hub.mqttUrl, `test-${node}`);
	clients.push(c);
	const answers: { request: string; ticket: string | null; service: string | null; priority?: string }[] = [];
	c.on("message", (_t, body) => answers.push(JSON.parse(body.toString())));
	await c.subscribeAsync(`vikno/v1/demo/${node}/cmd/#`, { qos: 1 });
	const ask = async () => {
		const req = payload({ action: "next" });
		await c.publishAsync(demoTopic(node, "request"), JSON.stringify(req), { qos: 1 });
		return req.id;
	};
	return { client: c, answers, ask };
}

describe("dispatcher", () => {
	it("calls a priority ticket issued after regular ones first, hands each ticket to one window, then says nobody waits", async () => {
		const terminal = await connect(hub.mqttUrl, "test-terminal");
		clients.push(terminal);
		const t0 = Date.now() - 600_000;
		// Two regular tickets wait, then a veteran takes one: by age alone it would be called last.
		for (const [ticket, priority, ts] of [
			["A001", undefined, t0],
			["A002", undefined, t0 + 60_000],
			["A003", "veteran", t0 + 120_000],
		] as const) {
			const ev = payload({ event: "issued", ticket, service: "passports", ...(priority ? { priority } : {}) }, ts);
			await terminal.publishAsync(demoTopic("terminal-1", "queue"), JSON.stringify(ev), { qos: 1 });
		}
		// w01 is a regular window serving passports: it serves both kinds of ticket.
		const w1 = await windowNode("win-01");
		const r1 = await w1.ask();
		await until(
			() => w1.answers.length,
			(n) => n === 1,
			{ what: "the first answer" },
		);
		expect(w1.answers[0]).toEqual({ request: r1, ticket: "A003", service: "passports", priority: "veteran" });

		// Two windows asking at once get the two regular tickets, one each.
		const w2 = await windowNode("win-02");
		const w3 = await windowNode("win-03");
		const [r2, r3] = await Promise.all([w2.ask(), w3.ask()]);
		await until(
			() => w2.answers.length + w3.answers.length,
			(n) => n === 2,
			{ what: "two answers" },
		);
		expect(w2.answers[0]?.request).toBe(r2);
		expect(w3.answers[0]?.request).toBe(r3);
		expect(new Set([w2.answers[0]?.ticket, w3.answers[0]?.ticket])).toEqual(new Set(["A001", "A002"]));

		// Every ticket is held for its window: a fourth window finds nobody to call.
		const w4 = await windowNode("win-04");
		const r4 = await w4.ask();
		await until(
			() => w4.answers.length,
			(n) => n === 1,
			{ what: "the fourth answer" },
		);
		expect(w4.answers[0]).toEqual({ request: r4, ticket: null, service: null });
	});
});
