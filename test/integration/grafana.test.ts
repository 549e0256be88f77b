/**
 * The Grafana dashboard (deploy/grafana/vikno-influx.json) never ships with a broken query: every
 * InfluxQL query in it — each panel's targets and the template variables' queries — is taken
 * from the JSON, Grafana's macros and variables substituted as Grafana does ($timeFilter as
 * `time >= …ms and time <= …ms`, $__interval, $centre, $service as one value and as "All"), and
 * run against a real influxd holding a simulated Monday of the demo centre, written through a
 * real hub's InfluxDB store (MQTT → ingest → spool → influx1) whose clock is at the end of that
 * day. Each must answer without an error and with at least one series holding a value.
 */
import { readFileSync } from "node:fs";
import { DateTime } from "luxon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { replayTimeline } from "../../firmware-sim/replay.ts";
import { simulateWeek } from "../../firmware-sim/week.ts";
import type { Hub } from "../../server/hub.ts";
import { Influx1Store } from "../../store/influx1.ts";
import { demoTopic, payload } from "../fixtures/events.ts";
import { connect, demoCentre, startTestHub, tempDir } from "../fixtures/hub.ts";
import { type Influxd, influxdAvailable, startInfluxd } from "../fixtures/influxd.ts";
import { until } from "../fixtures/wait.ts";

const DASHBOARD = new URL("../../deploy/grafana/vikno-influx.json", import.meta.url);
const DB = "vikno_grafana";

interface Target {
	refId: string;
	query: string;
	rawQuery?: boolean;
}
interface Dashboard {
	panels: { title: string; targets: Target[] }[];
	templating: { list: { name: string; query: string; type: string; allValue?: string }[] };
}

const dashboard = JSON.parse(readFileSync(DASHBOARD, "utf8")) as Dashboard;

/** Every query of the dashboard, named by where it is. */
const queries = [
	...dashboard.templating.list
		.filter((v) => v.type === "query")
		.map((v) => ({ where: `variable $${v.name}`, query: v.query, raw: true })),
	...dashboard.panels.flatMap((p) =>
		p.targets.map((t) => ({ where: `panel "${p.title}" ${t.refId}`, query: t.query, raw: t.rawQuery === true })),
	),
];

const available = influxdAvailable();
const dir = tempDir();
let influxd: Influxd | undefined;
let hub: Hub | undefined;
let range = { from: 0, to: 0 };

/** The latest Monday before today in Kyiv: a busy, open day whatever day the test runs on. */
function lastMonday(): string {
	let d = DateTime.now().setZone("Europe/Kyiv").startOf("day").minus({ days: 1 });
	while (d.weekday !== 1) d = d.minus({ days: 1 });
	return d.toISODate() as string;
}

beforeAll(async () => {
	if (!available) return;
	influxd = await startInfluxd();
	const store = new Influx1Store({ host: "127.0.0.1", port: influxd.port, database: DB });
	const centre = demoCentre();
	const day = simulateWeek(centre, { startDay: lastMonday(), days: 1, seed: 17 });
	// The hub lives at the end of that Monday: the waits and service times it derives are those of
	// its own day (core/derive.ts), as they were for a hub running then.
	const offset = (day.centres[0]?.endMs ?? 0) - 60_000 - Date.now();
	hub = await startTestHub(dir.path, { store, now: () => Date.now() + offset });
	await replayTimeline({ centre, brokerUrl: hub.mqttUrl, actions: day.actions });
	// Nodes as a Raspberry Pi reports them: CPU temperature, events waiting in the outbox.
	const client = await connect(hub.mqttUrl);
	for (const node of ["win-01", "win-02", "terminal-1"])
		await client.publishAsync(
			demoTopic(node, "status"),
			JSON.stringify(payload({ online: true, version: "0.1.0", uptimeS: 3600, buffered: 2, cpuTempC: 51.5 })),
			{ qos: 1, retain: true },
		);
	await client.endAsync();
	const h = hub;
	await until(
		() => h.spool.depth,
		(d) => d === 0,
		{ timeoutMs: 60_000, what: "the spool forwarded to influxd" },
	);
	range = { from: day.centres[0]?.startMs ?? 0, to: Date.now() + 60_000 };
}, 180_000);

afterAll(async () => {
	await hub?.close();
	await influxd?.dispose();
	dir.remove();
});

/** The query as Grafana sends it, for one choice of $service. */
function substitute(query: string, service: string): string {
	const out = query
		.replaceAll("$timeFilter", `time >= ${range.from}ms and time <= ${range.to}ms`)
		.replaceAll("$__interval", "10m")
		.replaceAll("$centre", "demo")
		.replaceAll("$service", service);
	const left = out.match(/\$\w+/);
	if (left) throw new Error(`unknown Grafana variable ${left[0]} in: ${query}`);
	return out;
}

interface InfluxAnswer {
	results?: { error?: string; series?: { name: string; values: unknown[][] }[] }[];
	error?: string;
}

async function run(q: string): Promise<InfluxAnswer> {
	const url = `${(influxd as Influxd).url}/query?db=${DB}&epoch=ms&q=${encodeURIComponent(q)}`;
	return (await (await fetch(url)).json()) as InfluxAnswer;
}

describe.runIf(available)("deploy/grafana/vikno-influx.json", () => {
	it("has raw InfluxQL queries only (what is tested is what Grafana sends), in every panel", () => {
		expect(dashboard.panels.length).toBeGreaterThanOrEqual(8);
		for (const p of dashboard.panels) expect(p.targets.length, p.title).toBeGreaterThan(0);
		expect(queries.filter((q) => !q.raw).map((q) => q.where)).toEqual([]);
		const measurements = new Set(queries.flatMap((q) => [...q.query.matchAll(/FROM "(\w+)"/g)].map((m) => m[1])));
		expect([...measurements].sort()).toEqual(["node_status", "occupancy", "queue", "rating"]);
	});

	const services = dashboard.templating.list.find((v) => v.name === "service");
	for (const { where, query } of queries)
		for (const service of query.includes("$service") ? ["passports", services?.allValue ?? ".*"] : ["-"])
			it(`${where}${service === "-" ? "" : ` (service ${service})`} answers series`, async () => {
				const q = substitute(query, service);
				const answer = await run(q);
				expect(answer.error, q).toBeUndefined();
				const result = answer.results?.[0];
				expect(result?.error, q).toBeUndefined();
				const values = (result?.series ?? []).flatMap((s) => s.values.map((v) => v.slice(1)));
				expect(
					values.some((row) => row.some((x) => x !== null)),
					q,
				).toBe(true);
			});
});
