/**
 * The city topology (docs/broker.md, several brokers): two `vikno hub` processes whose brokers
 * share sessions through a real Redis and write to one real InfluxDB. Three window nodes (real edge
 * nodes, sim driver: the only fake) press their buttons without pause; two are on hub A with hub B
 * as their fallback, one on B. Hub A is killed with SIGKILL in the middle of it. Its nodes are on
 * B within their reconnect delay, their outboxes send what A never acknowledged; what A did
 * acknowledge is in its spool (a remote store is written through it), forwarded once A is started
 * again on its data dir — and then the store holds every press of every node exactly once.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLog } from "../../core/log.ts";
import { SimDriver } from "../../edge/drivers/sim.ts";
import { parseEdgeConfig } from "../../edge/load-config.ts";
import { type EdgeNode, startEdge } from "../../edge/node.ts";
import { Influx1Store } from "../../store/influx1.ts";
import { type HubProcess, spawnHub } from "../fixtures/hubProcess.ts";
import { type Influxd, influxdAvailable, startInfluxd } from "../fixtures/influxd.ts";
import { type RedisServer, redisAvailable, startRedis } from "../fixtures/redis.ts";
import { until } from "../fixtures/wait.ts";

const available = redisAvailable() && influxdAvailable();
const DB = "vikno_failover";

describe.skipIf(!available)("two hubs on one Redis, one killed while its nodes press", () => {
	const dir = mkdtempSync(join(tmpdir(), "vikno-failover-"));
	let redis: RedisServer | undefined;
	let influxd: Influxd | undefined;
	let a: HubProcess | undefined;
	let b: HubProcess | undefined;
	let store: Influx1Store | undefined;
	const nodes: { id: string; node: EdgeNode; sim: SimDriver; presses: number }[] = [];

	const hub = (name: string) => {
		const data = join(dir, name);
		mkdirSync(data, { recursive: true });
		return spawnHub(data, [
			"--mqtt-sessions",
			(redis as RedisServer).url,
			"--store",
			`influx1://127.0.0.1:${(influxd as Influxd).port}/${DB}?flushMs=0`,
		]);
	};

	async function windowNode(id: string, window: string, url: string, fallback: string) {
		const sim = new SimDriver();
		const ratingButtons = ["r1", "r2", "r3", "r4", "r5"];
		const config = parseEdgeConfig(
			{
				centre: "demo",
				node: id,
				role: "window",
				dataDir: join(dir, id),
				broker: { url, fallbackUrls: [fallback], keepaliveS: 5, reconnectMinMs: 50, reconnectMaxMs: 300 },
				driver: { type: "sim", debounceMs: 0 },
				inputs: ratingButtons.map((name, i) => ({ name, pin: i + 2 })),
				outputs: [{ name: "thanks", pin: 20 }],
				window: { window, ratingButtons, thanksLed: "thanks", lockoutS: 0 },
			},
			`${id}.yaml`,
		);
		const node = await startEdge(config, { driver: sim, log: silentLog });
		nodes.push({ id, node, sim, presses: 0 });
		await node.link.whenConnected();
	}

	beforeAll(async () => {
		[redis, influxd] = await Promise.all([startRedis(), startInfluxd()]);
		[a, b] = await Promise.all([hub("a"), hub("b")]);
		store = new Influx1Store({ host: "127.0.0.1", port: influxd.port, database: DB });
		await windowNode("win-01", "w01", a.mqttUrl, b.mqttUrl);
		await windowNode("win-02", "w02", a.mqttUrl, b.mqttUrl);
		await windowNode("win-05", "w05", b.mqttUrl, a.mqttUrl);
	}, 90_000);

	afterAll(async () => {
		for (const n of nodes) await n.node.close();
		await a?.kill("SIGTERM");
		await b?.kill("SIGTERM");
		await store?.close();
		await influxd?.dispose();
		await redis?.stop();
		rmSync(dir, { recursive: true, force: true });
	});

	/** Every node presses a rating button `n` times, a few milliseconds apart. */
	async function press(n: number) {
		for (let i = 0; i < n; i++) {
			for (const x of nodes) {
				x.sim.tap(`r${(i % 5) + 1}`);
				x.presses++;
			}
			await new Promise((r) => setImmediate(r));
		}
	}

	const storedBy = async () => {
		const events = await (store as Influx1Store).readRange("demo", 0, Number.MAX_SAFE_INTEGER);
		const ratings = events.filter((e) => e.kind === "rating");
		const by: Record<string, number> = {};
		for (const e of ratings) by[e.node] = (by[e.node] ?? 0) + 1;
		return { by, ids: ratings.length, unique: new Set(ratings.map((e) => e.id)).size };
	};

	it("moves A's nodes to B, and stores every press of every node once", async () => {
		const hubA = a as HubProcess;
		const hubB = b as HubProcess;
		await press(40);
		// Some of the presses so far are acknowledged by A, some in flight: A dies now.
		expect(await hubA.kill("SIGKILL")).toBeNull();
		await press(40);
		// A's nodes are on B now: the link's address is B's, and connected.
		for (const x of nodes.slice(0, 2))
			await until(
				() => x.node.link.isConnected && x.node.link.url === hubB.mqttUrl,
				(ok) => ok,
				{ what: `${x.id} connected to hub B` },
			);
		await press(20);
		for (const x of nodes)
			await until(
				() => x.node.outbox.depth,
				(d) => d === 0,
				{ what: `${x.id}'s outbox sent`, timeoutMs: 20_000 },
			);
		// What A acknowledged is durable in its spool (DATA/spool.db: a remote store is written
		// through the spool): A restarted on its data dir forwards the rest to InfluxDB.
		a = await hub("a");
		const want = new Map(nodes.map((x) => [x.id, x.presses]));
		expect(want.get("win-01")).toBe(100);
		const got = await until(storedBy, (s) => nodes.every((x) => (s.by[x.id] ?? 0) >= x.presses), {
			what: "every press in the store",
		});
		expect(got.by).toEqual(Object.fromEntries(want));
		// Once each: no id twice.
		expect(got.unique).toBe(got.ids);
		expect(hubB.output()).not.toMatch(/uncaught|unhandled/i);
	});
});
