/**
 * The hub's dispatcher through the real broker: window nodes publish `request` ("next") and
 * listen on their own `cmd/call`; two windows asking at once never get the same ticket, priority
 * tickets go first, and nobody waiting gives `ticket: null`.
 */
import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Hub } from "../../hub/hub.ts";
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
	it("hands each waiting ticket to one window, priority first, then says nobody waits", async () => {
		const terminal = await connect(hub.mqttUrl, "test-terminal");
		clients.push(terminal);
		const t0 = Date.now() - 600_000;
		for (const [ticket, priority, ts] of [
			["A001", undefined, t0],
			["A002", "veteran", t0 + 60_000],
		] as const) {
			const ev = payload({ event: "issued", ticket, service: "passports", ...(priority ? { priority } : {}) }, ts);
			await terminal.publishAsync(demoTopic("terminal-1", "queue"), JSON.stringify(ev), { qos: 1 });
		}
		const w1 = await windowNode("win-01");
		const w2 = await windowNode("win-02");
		const [r1, r2] = await Promise.all([w1.ask(), w2.ask()]);
		await until(
			() => w1.answers.length + w2.answers.length,
			(n) => n === 2,
			{ what: "two answers" },
		);
		const a1 = w1.answers[0];
		const a2 = w2.answers[0];
		expect(a1?.request).toBe(r1);
		expect(a2?.request).toBe(r2);
		expect(new Set([a1?.ticket, a2?.ticket])).toEqual(new Set(["A001", "A002"]));
		// The first request answered got the priority ticket, though it was issued later.
		const first = [a1, a2].find((a) => a?.ticket === "A002");
		expect(first).toMatchObject({ service: "passports", priority: "veteran" });

		// Both tickets are held for their windows: a third window finds nobody to call.
		const w3 = await windowNode("win-03");
		const r3 = await w3.ask();
		await until(
			() => w3.answers.length,
			(n) => n === 1,
			{ what: "the third answer" },
		);
		expect(w3.answers[0]).toEqual({ request: r3, ticket: null, service: null });
	});
});
