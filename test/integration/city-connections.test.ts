/**
 * The machinery of `npm run bench -- connections` (bench/city.ts), small: 300 nodes of a
 * generated deployment, each with its own credential, over two `vikno hub` processes sharing
 * sessions through a real `redis-server`, from two load-generator processes. One hub is
 * restarted: every node is back, and every heartbeat a node had acknowledged is stored exactly
 * once, on the hub it was sent to.
 */
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type City, hubClients, startCity } from "../../bench/city.ts";
import type { FleetReport } from "../../bench/fleetChild.ts";
import { tempDir } from "../fixtures/hub.ts";
import { redisAvailable } from "../fixtures/redis.ts";
import { until } from "../fixtures/wait.ts";

const available = redisAvailable();
const dir = tempDir("vikno-city-");
const NODES = 300;
let city: City | undefined;

beforeAll(async () => {
	if (!available) return;
	city = await startCity({
		dir: dir.path,
		centres: 20,
		nodesPerCentre: 15,
		hubs: 2,
		generators: 2,
		ratePerS: 1000,
		// Heartbeats only when the test asks (beat): a known set to count.
		heartbeatS: 0,
		// Two hubs of a city each hold at most what they must: 150 and a few spare.
		maxConnections: 200,
		keepIds: true,
	});
}, 120_000);

afterAll(async () => {
	await city?.stop();
	dir.remove();
}, 120_000);

const sum = async (c: City) => (await Promise.all(c.hubs.map(hubClients))).reduce((a, b) => a + b, 0);

describe.skipIf(!available)("the connections bench's city, small", () => {
	it("connects every node of the deployment with its own credential, half on each hub", async () => {
		const c = city as City;
		expect(c.deployment.nodes).toHaveLength(NODES);
		expect(new Set(c.deployment.nodes.map((n) => n.password)).size).toBe(NODES);
		await until(
			() => c.connected(),
			(n) => n === NODES,
			{ timeoutMs: 60_000, what: "every node connected" },
		);
		await until(
			() => Promise.all(c.hubs.map(hubClients)),
			(counts) => counts.every((n) => n === NODES / 2),
			{ timeoutMs: 20_000, what: "150 clients on each hub" },
		);
		// The generators measure themselves.
		for (const g of c.generators) expect(g.latest?.cpuMs).toBeGreaterThan(0);
	});

	it("brings every node back after a hub restart, and stores each acknowledged heartbeat once", async () => {
		const c = city as City;
		for (const g of c.generators) g.send({ type: "beat" });
		await c.restart(0);
		for (const g of c.generators) g.send({ type: "beat" });
		await until(
			() => sum(c),
			(n) => n === NODES,
			{ timeoutMs: 60_000, what: "every node back on the hubs" },
		);
		await until(
			() => c.connected(),
			(n) => n === NODES,
			{ timeoutMs: 30_000, what: "every node back by the generators" },
		);
		for (const g of c.generators) g.send({ type: "beat" });
		// Settled: every heartbeat sent was acknowledged (the ones cut by the restart resent).
		await until(
			() => c.generators.map((g) => g.latest),
			(r) => r.every((x) => x !== undefined && x.heartbeats === x.heartbeatsAcked && x.heartbeats >= 3 * (NODES / 2)),
			{ timeoutMs: 30_000, what: "every heartbeat acknowledged" },
		);
		const reports = (await c.stop()) as FleetReport[];
		const acked = reports.flatMap((r) => r.ackedIds ?? []);
		expect(acked.length).toBeGreaterThanOrEqual(3 * NODES);
		expect(new Set(acked).size).toBe(acked.length);
		// Both hubs stopped (drained): what each stored, counted in its own SQLite file.
		const stored: string[] = [];
		for (const h of c.hubs) {
			const db = new Database(join(h.dataDir, "vikno.db"), { readonly: true });
			for (const r of db.prepare("SELECT id FROM events WHERE kind = 'status'").all() as { id: string }[])
				stored.push(r.id);
			db.close();
		}
		const ackedSet = new Set(acked);
		const storedAcked = stored.filter((id) => ackedSet.has(id));
		expect(storedAcked.length).toBe(acked.length);
		expect(new Set(storedAcked).size).toBe(acked.length);
	});
});
