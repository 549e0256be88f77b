/**
 * The Prometheus side (deploy/prometheus/): the rules pass `promtool check rules` and their own
 * unit cases (`promtool test rules`), the example config passes `promtool check config` with its
 * bearer-token block switched on, every metric the rules name is one a real hub exposes, and a
 * real Prometheus (Debian's, its own config and TSDB in a temp dir) scrapes a real hub on
 * loopback: the rule for an offline device fires for the device that went offline and not for
 * one that is online; the rule for a hub that is down fires once the hub stops.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import type { Centre } from "../../core/centre.ts";
import type { Hub } from "../../server/hub.ts";
import { demoTopic, payload } from "../fixtures/events.ts";
import { connect, demoCentre, startTestHub, tempDir } from "../fixtures/hub.ts";
import { swap } from "../fixtures/nginx.ts";
import { type Prometheus, promtool, startPrometheus } from "../fixtures/prometheus.ts";
import { until } from "../fixtures/wait.ts";

const DEPLOY = fileURLToPath(new URL("../../deploy/prometheus/", import.meta.url));
const RULES = join(DEPLOY, "vikno.rules.yml");
const rulesText = readFileSync(RULES, "utf8");

describe("deploy/prometheus", () => {
	const dir = tempDir("vikno-promtool-");
	afterAll(() => dir.remove());

	it("passes promtool check rules", () => {
		const r = promtool("check", "rules", RULES);
		expect(r.out).toMatch(/SUCCESS: 5 rules found/);
		expect(r.code).toBe(0);
	});

	it("passes its own promtool unit cases, one or more for every rule", () => {
		const cases = readFileSync(join(DEPLOY, "vikno.rules.test.yml"), "utf8");
		const tested = new Set([...cases.matchAll(/alertname: (\w+)/g)].map((m) => m[1]));
		const rules = [...rulesText.matchAll(/- alert: (\w+)/g)].map((m) => m[1]);
		expect([...tested].sort()).toEqual([...rules].sort());
		const r = promtool("test", "rules", join(DEPLOY, "vikno.rules.test.yml"));
		expect(r.out).toMatch(/SUCCESS/);
		expect(r.code).toBe(0);
	});

	it("has an example config that promtool accepts, with the bearer token read from a file", () => {
		let config = readFileSync(join(DEPLOY, "prometheus.yml"), "utf8");
		config = swap(config, "    # authorization:\n", "    authorization:\n");
		config = swap(config, "    #   type: Bearer\n", "      type: Bearer\n");
		config = swap(
			config,
			"    #   credentials_file: /etc/prometheus/vikno-metrics.token",
			"      credentials_file: TOKEN",
		);
		config = swap(config, "/etc/prometheus/vikno.rules.yml", RULES);
		const token = join(dir.path, "vikno-metrics.token");
		writeFileSync(token, "a-long-random-token\n");
		config = swap(config, "TOKEN", token);
		const file = join(dir.path, "prometheus.yml");
		writeFileSync(file, config);
		const r = promtool("check", "config", file);
		expect(r.out).toMatch(/SUCCESS: 1 rule files found/);
		expect(r.code).toBe(0);
		expect(parse(config).scrape_configs[0].authorization).toEqual({ type: "Bearer", credentials_file: token });
	});
});

const ALWAYS: Centre["hours"] = Object.fromEntries(
	["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map((d) => [d, ["00:00-24:00"]]),
) as Centre["hours"];

describe("a real Prometheus scraping a real hub", () => {
	const dir = tempDir("vikno-prom-hub-");
	let hub: Hub | undefined;
	let prometheus: Prometheus | undefined;

	beforeAll(async () => {
		// Open around the clock, so the offline rule applies whenever the test runs.
		hub = await startTestHub(dir.path, { centres: [{ ...demoCentre(), hours: ALWAYS, holidays: [] }] });
	});
	afterAll(async () => {
		await prometheus?.stop();
		await hub?.close();
		dir.remove();
	});

	it("exposes every metric the rules name", async () => {
		const text = await (await fetch(`${(hub as Hub).httpUrl}/metrics`)).text();
		const exposed = new Set([...text.matchAll(/^# TYPE (\w+) /gm)].map((m) => m[1]));
		const named = new Set([...rulesText.matchAll(/\b(vikno_\w+)/g)].map((m) => m[1]));
		expect(named.size).toBeGreaterThanOrEqual(6);
		expect([...named].filter((n) => !exposed.has(n as string))).toEqual([]);
	});

	it("fires the offline-device rule for the device that went offline, and the hub-down rule once the hub stops", async () => {
		const h = hub as Hub;
		// win-01 says it goes offline, win-02 that it is online; the rest were never heard of.
		const client = await connect(h.mqttUrl);
		await client.publishAsync(
			demoTopic("win-01", "status"),
			JSON.stringify(payload({ online: false, uptimeS: 1, buffered: 0, version: "t" })),
			{ qos: 1, retain: true },
		);
		await client.publishAsync(
			demoTopic("win-02", "status"),
			JSON.stringify(payload({ online: true, uptimeS: 1, buffered: 0, version: "t" })),
			{ qos: 1, retain: true },
		);
		await client.endAsync();

		// The file's rules as they are, only their `for:` shortened so the test need not wait minutes.
		const fors = rulesText.match(/^ {8}for: \d+[smh]$/gm) ?? [];
		expect(fors).toHaveLength(5);
		const quickRules = rulesText.replace(/^( {8}for: )\d+[smh]$/gm, "$11s");
		prometheus = await startPrometheus((d) => {
			writeFileSync(join(d, "vikno.rules.yml"), quickRules);
			const example = parse(readFileSync(join(DEPLOY, "prometheus.yml"), "utf8"));
			example.global = { scrape_interval: "1s", evaluation_interval: "1s" };
			example.rule_files = [join(d, "vikno.rules.yml")];
			example.scrape_configs[0].static_configs = [{ targets: [`127.0.0.1:${h.httpPort}`] }];
			return stringify(example);
		});
		const p = prometheus;
		const firing = async (name: string) =>
			(await p.alerts()).filter((a) => a.labels.alertname === name && a.state === "firing");

		const offline = await until(
			() => firing("ViknoDeviceOffline"),
			(list) => list.some((a) => a.labels.node === "win-01"),
			{ timeoutMs: 60_000, intervalMs: 250, what: "ViknoDeviceOffline for win-01" },
		);
		const winOne = offline.find((a) => a.labels.node === "win-01");
		expect(winOne?.labels).toMatchObject({ centre: "demo", severity: "warning", job: "vikno-hub" });
		expect(winOne?.annotations.summary).toBe("vikno device demo/win-01 is offline during opening hours");
		expect(offline.map((a) => a.labels.node)).not.toContain("win-02");
		expect(await firing("ViknoHubDown")).toEqual([]);

		await h.close();
		hub = undefined;
		await until(
			() => firing("ViknoHubDown"),
			(list) => list.length === 1,
			{ timeoutMs: 60_000, intervalMs: 250, what: "ViknoHubDown once the hub stopped" },
		);
	});
});
