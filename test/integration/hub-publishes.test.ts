/**
 * What the hub itself publishes passes the contract's schemas: every command its dispatcher sends
 * to a node (`…/{node}/cmd/call`: a ticket, a priority ticket, nobody waits) and every state it
 * publishes under `…/$hub/` (the alerts, empty and with one raised), as a subscriber receives them
 * from the real broker, each checked against the schema its topic names in the tables.
 */
import type { MqttClient } from "mqtt";
import { Compile } from "typebox/compile";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMMANDS, isCommandName } from "../../core/commands.ts";
import { HUB_TOPICS } from "../../core/hubState.ts";
import { HUB_NODE, TOPIC_ROOT } from "../../core/topic.ts";
import type { Hub } from "../../server/hub.ts";
import { demoTopic, payload } from "../fixtures/events.ts";
import { connect, startTestHub, tempDir } from "../fixtures/hub.ts";
import { until } from "../fixtures/wait.ts";

const dir = tempDir();
let hub: Hub;
const clients: MqttClient[] = [];

beforeAll(async () => {
	hub = await startTestHub(dir.path, { alertEveryMs: 100 });
});
afterAll(async () => {
	await Promise.all(clients.map((c) => c.endAsync()));
	await hub.close();
	dir.remove();
});

const validators = new Map<string, ReturnType<typeof Compile>>();
/** The schema a topic's payload must match, by the tables: `…/{node}/cmd/{name}` or `…/$hub/{name}`. */
function validatorOf(topic: string): ReturnType<typeof Compile> {
	const [root, version, , node, level, name, ...more] = topic.split("/");
	if (`${root}/${version}` !== TOPIC_ROOT || more.length > 0) throw new Error(`not a topic of the hub: ${topic}`);
	let key: string | undefined;
	if (node === HUB_NODE && level && Object.hasOwn(HUB_TOPICS, level) && name === undefined) key = `$hub/${level}`;
	else if (level === "cmd" && name && isCommandName(name)) key = `cmd/${name}`;
	if (!key) throw new Error(`no schema for ${topic}`);
	let v = validators.get(key);
	if (!v) {
		const schema = key.startsWith("$hub/")
			? HUB_TOPICS[key.slice(5) as keyof typeof HUB_TOPICS].schema
			: COMMANDS[key.slice(4) as keyof typeof COMMANDS].schema;
		v = Compile(schema);
		validators.set(key, v);
	}
	return v;
}

describe("what the hub publishes", () => {
	it("matches the schemas of its commands and its $hub state", async () => {
		const seen: { topic: string; body: Record<string, unknown> }[] = [];
		const watcher = await connect(hub.mqttUrl, "test-watcher");
		clients.push(watcher);
		watcher.on("message", (topic, body) => seen.push({ topic, body: JSON.parse(body.toString()) }));
		await watcher.subscribeAsync(["vikno/v1/demo/win-01/cmd/#", "vikno/v1/demo/win-02/cmd/#", "vikno/v1/demo/$hub/#"], {
			qos: 1,
		});

		const terminal = await connect(hub.mqttUrl, "test-terminal");
		const windows = await connect(hub.mqttUrl, "test-windows");
		const door = await connect(hub.mqttUrl, "test-door");
		clients.push(terminal, windows, door);
		const t0 = Date.now() - 600_000;
		for (const [ticket, priority, ts] of [
			["A001", undefined, t0],
			["A002", "veteran", t0 + 60_000],
		] as const) {
			const ev = payload({ event: "issued", ticket, service: "passports", ...(priority ? { priority } : {}) }, ts);
			await terminal.publishAsync(demoTopic("terminal-1", "queue"), JSON.stringify(ev), { qos: 1 });
		}
		// Three windows ask in turn: the priority ticket, the regular one, then nobody is left.
		for (const node of ["win-01", "win-02", "win-01"]) {
			const asked = seen.filter((m) => m.topic.includes("/cmd/")).length;
			await windows.publishAsync(demoTopic(node, "request"), JSON.stringify(payload({ action: "next" })), { qos: 1 });
			await until(
				() => seen.filter((m) => m.topic.includes("/cmd/")).length,
				(n) => n === asked + 1,
				{ what: `the answer to ${node}` },
			);
		}
		// The hall nearly full raises an alert (published as the whole active set).
		await door.publishAsync(
			demoTopic("door-main", "occupancy"),
			JSON.stringify(payload({ zone: "hall", count: 115 })),
			{
				qos: 1,
			},
		);
		await until(
			() => seen.filter((m) => m.topic.endsWith("/$hub/alerts") && (m.body.alerts as unknown[]).length > 0).length,
			(n) => n >= 1,
			{ what: "the alerts with one raised" },
		);

		const calls = seen.filter((m) => m.topic.includes("/cmd/")).map((m) => m.body);
		expect(calls.map((c) => [c.ticket, c.priority])).toEqual([
			["A002", "veteran"],
			["A001", undefined],
			[null, undefined],
		]);
		const alerts = seen.filter((m) => m.topic.endsWith("/$hub/alerts")).map((m) => m.body.alerts as unknown[]);
		expect(alerts.some((a) => a.length === 0)).toBe(true);
		for (const m of seen) {
			const v = validatorOf(m.topic);
			expect([...v.Errors(m.body)].map((e) => `${m.topic} ${e.instancePath} ${e.message}`)).toEqual([]);
		}
	});
});
