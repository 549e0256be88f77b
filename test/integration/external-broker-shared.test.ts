/**
 * Two `vikno hub --broker` processes in one share group on Debian's mosquitto 2, both writing to
 * one real `influxd` — the country's store, where a redelivery to the other process would be
 * absorbed too (the point's time carries the id: the same event overwrites itself). Separate
 * SQLite files summed would not show that, so the store is InfluxDB. A stream of N events from
 * four devices: each process takes part of it, and the store holds exactly the N.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoTopic, payload } from "../fixtures/events.ts";
import { metric, tempDir } from "../fixtures/hub.ts";
import type { HubProcess } from "../fixtures/hubProcess.ts";
import { type Influxd, influxdAvailable, influxExecute, startInfluxd } from "../fixtures/influxd.ts";
import { mosquittoAvailable } from "../fixtures/mosquitto.ts";
import {
	type Deployment,
	deviceClient,
	mosquittoDeployment,
	spawnExternalHub,
} from "../fixtures/mosquittoDeployment.ts";
import { until } from "../fixtures/wait.ts";

const N = 2_000;
const NODES = ["win-01", "win-02", "win-03", "win-04"];
const DATABASE = "vikno_shared";
const available = mosquittoAvailable && influxdAvailable();
const registryDir = tempDir();
const exported = tempDir("vikno-export-");
const hubDirs = [tempDir(), tempDir()];
let influxd: Influxd | undefined;
let deployment: Deployment | undefined;
const hubs: HubProcess[] = [];

beforeAll(async () => {
	if (!available) return;
	influxd = await startInfluxd();
	deployment = await mosquittoDeployment(registryDir.path, NODES, exported.path);
	const store = `influx1://127.0.0.1:${influxd.port}/${DATABASE}`;
	for (const d of hubDirs)
		hubs.push(
			await spawnExternalHub(deployment, d.path, [
				"--store",
				store,
				"--share-group",
				"ingest",
				"--broker-connections",
				"2",
			]),
		);
});

afterAll(async () => {
	for (const h of hubs) await h.kill("SIGTERM");
	await deployment?.stop();
	await influxd?.dispose();
	for (const d of [registryDir, exported, ...hubDirs]) d.remove();
});

async function storedIds(port: number): Promise<string[]> {
	const res = await influxExecute(port, DATABASE, `SELECT "id" FROM "rating" WHERE centre = 'demo'`);
	return (res.results?.[0]?.series?.[0]?.values ?? []).map((v) => String(v[1]));
}

describe.skipIf(!available)("several hub processes sharing an external broker's stream", () => {
	it("each takes part of N events and the store has exactly N", async () => {
		const d = deployment as Deployment;
		const port = (influxd as Influxd).port;
		const devices = await Promise.all(NODES.map((n) => deviceClient(d, n)));
		// Each event its own millisecond, as a hall's are: hundreds of one series in one millisecond
		// would meet InfluxDB's key collision of two ids with the same offset (docs/storage.md, about
		// one run in ten with this loop's rate), which is not what this test is about.
		const t0 = Date.now() - N;
		const events = Array.from({ length: N }, (_, i) => {
			const node = NODES[i % NODES.length] as string;
			return { node, body: payload({ score: (i % 5) + 1 }, t0 + i) };
		});
		await Promise.all(
			events.map((e, i) =>
				devices[i % devices.length]?.publishAsync(demoTopic(e.node, "rating"), JSON.stringify(e.body), { qos: 1 }),
			),
		);
		const ids = await until(
			() => storedIds(port),
			(stored) => stored.length >= N,
			{ timeoutMs: 60_000, what: `${N} events in InfluxDB` },
		);
		expect(ids.length).toBe(N);
		expect(new Set(ids)).toEqual(new Set(events.map((e) => e.body.id)));

		const accepted = await Promise.all(
			hubs.map(async (h) =>
				metric(await (await fetch(`${h.httpUrl}/metrics`)).text(), 'vikno_messages_total{result="accepted",reason=""}'),
			),
		);
		// Each process took part, together every event once.
		for (const n of accepted) expect(n).toBeGreaterThan(0);
		expect(accepted.reduce((a, b) => a + b, 0)).toBe(N);
		await Promise.all(devices.map((c) => c.endAsync()));
	});
});
