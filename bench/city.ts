/**
 * The city topology on one machine, for the connections bench and its test: a generated
 * deployment (centre files and a credential per node, made as `vikno device add` makes them),
 * one `redis-server`, several `vikno hub` processes sharing sessions and messages through it
 * (`--mqtt-sessions redis://…`, docs/broker.md), and load generators as child processes
 * (bench/fleetChild.ts), each holding a share of the nodes. Everything on 127.0.0.1; `stop()`
 * ends every process it started.
 */
import { type ChildProcess, fork, spawn } from "node:child_process";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DeviceRegistry, registryPath } from "../broker/registry.ts";
import type { FleetRole } from "../firmware-sim/faults.ts";
import type { FleetNode } from "../firmware-sim/fleet.ts";
import { freePort } from "../test/fixtures/influxd.ts";
import { type RedisServer, startRedis } from "../test/fixtures/redis.ts";
import type { FleetReport, ToFleet } from "./fleetChild.ts";

const BIN = fileURLToPath(new URL("../bin/vikno.js", import.meta.url));
const FLEET_CHILD = fileURLToPath(new URL("./fleetChild.ts", import.meta.url));

export interface Deployment {
	configFiles: string[];
	nodes: Omit<FleetNode, "url">[];
}

/**
 * `centres` centre files of `nodesPerCentre` nodes each (windows, a terminal, a door), and a
 * credential for every node in `dataDirs[0]`'s devices.json, copied to the other data dirs (every
 * hub reads the same file: docs/broker.md).
 */
export function generateDeployment(
	dir: string,
	centres: number,
	nodesPerCentre: number,
	dataDirs: string[],
): Deployment {
	mkdirSync(join(dir, "centres"), { recursive: true });
	const configFiles: string[] = [];
	const accounts: { kind: "node"; centre: string; node: string }[] = [];
	const roles: FleetRole[] = [];
	const windows = Math.max(1, nodesPerCentre - 2);
	for (let c = 0; c < centres; c++) {
		const id = `c${String(c).padStart(4, "0")}`;
		const ws = Array.from({ length: windows }, (_, w) => `w${String(w + 1).padStart(2, "0")}`);
		const nodes = ws.map((w) => ({ id: `win-${w.slice(1)}`, role: "window", window: w }));
		if (nodesPerCentre >= 2) nodes.push({ id: "terminal-1", role: "terminal", window: "" });
		if (nodesPerCentre >= 3) nodes.push({ id: "door-main", role: "door", window: "" });
		const yaml = [
			`id: ${id}`,
			`name: { uk: "ЦНАП ${c}", en: "Centre ${c}" }`,
			"timeZone: Europe/Kyiv",
			"hours:",
			...["mon", "tue", "wed", "thu", "fri"].map((d) => `  ${d}: ["08:00-20:00"]`),
			"services:",
			"  - { id: general, name: { uk: Послуги, en: Services }, prefix: A, targetWaitMin: 15 }",
			"windows:",
			...ws.map((w) => `  - { id: ${w}, services: [general] }`),
			"zones:",
			"  - { id: hall, name: { uk: Зал, en: Hall }, capacity: 100 }",
			"nodes:",
			...nodes.map((n) =>
				n.role === "window"
					? `  - { id: ${n.id}, role: window, window: ${n.window} }`
					: n.role === "door"
						? `  - { id: ${n.id}, role: door, zone: hall }`
						: `  - { id: ${n.id}, role: terminal }`,
			),
		].join("\n");
		const file = join(dir, "centres", `${id}.yaml`);
		writeFileSync(file, `${yaml}\n`);
		configFiles.push(file);
		for (const n of nodes) {
			accounts.push({ kind: "node", centre: id, node: n.id });
			roles.push(n.role as FleetRole);
		}
	}
	const [first, ...others] = dataDirs;
	if (!first) throw new Error("no data dir");
	for (const d of dataDirs) mkdirSync(d, { recursive: true });
	const made = new DeviceRegistry(registryPath(first)).addMany(accounts);
	for (const d of others) copyFileSync(registryPath(first), registryPath(d));
	const nodes = made.map((m, i) => {
		const a = accounts[i] as (typeof accounts)[0];
		return { centre: a.centre, node: a.node, username: m.username, password: m.password, role: roles[i] };
	});
	return { configFiles, nodes };
}

export interface HubProc {
	dataDir: string;
	mqttPort: number;
	mqttUrl: string;
	httpUrl: string;
	pid: number;
	output(): string;
	/** Stop (SIGTERM, the graceful stop; SIGKILL after `graceMs`) and wait for the exit. */
	stop(graceMs?: number): Promise<void>;
}

export interface HubSpec {
	dataDir: string;
	configFiles: string[];
	redisUrl: string;
	mqttPort: number;
	maxConnections: number;
	/** Extra arguments of `vikno hub`. */
	extra?: string[];
}

/** A `vikno hub` process on loopback; resolves once its MQTT port listens. */
export async function startHubProc(spec: HubSpec, timeoutMs = 120_000): Promise<HubProc> {
	// VIKNO_BENCH_HUB_NODE_ARGS: flags for the hubs' node (e.g. --cpu-prof --cpu-prof-dir=DIR to profile them).
	const nodeArgs = (process.env.VIKNO_BENCH_HUB_NODE_ARGS ?? "").split(" ").filter(Boolean);
	const args = [
		...nodeArgs,
		BIN,
		"hub",
		...spec.configFiles.flatMap((f) => ["--config", f]),
		"--data",
		spec.dataDir,
		"--host",
		"127.0.0.1",
		"--mqtt-port",
		String(spec.mqttPort),
		"--http-port",
		"0",
		"--ws-path",
		"off",
		"--mqtt-sessions",
		spec.redisUrl,
		"--max-connections",
		String(spec.maxConnections),
		...(spec.extra ?? []),
	];
	const child = spawn(process.execPath, args, {
		stdio: ["ignore", "pipe", "pipe"],
		env: { ...process.env, VIKNO_LOG_LEVEL: "warn" },
	});
	let out = "";
	child.stdout?.on("data", (b: Buffer) => {
		out = (out + b.toString()).slice(-20_000);
	});
	child.stderr?.on("data", (b: Buffer) => {
		out = (out + b.toString()).slice(-20_000);
	});
	const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
	const deadline = Date.now() + timeoutMs;
	while (!/MQTT mqtt:\/\//.test(out)) {
		if (child.exitCode !== null || Date.now() > deadline) {
			child.kill("SIGKILL");
			throw new Error(`vikno hub did not start:\n${out}`);
		}
		await new Promise((r) => setTimeout(r, 50));
	}
	const mqttUrl = out.match(/MQTT (mqtt:\/\/\S+)/)?.[1] ?? "";
	const httpUrl = out.match(/dashboard (http:\/\/\S+?)\/?\s/)?.[1] ?? "";
	return {
		dataDir: spec.dataDir,
		mqttPort: spec.mqttPort,
		mqttUrl,
		httpUrl,
		pid: child.pid ?? 0,
		output: () => out,
		async stop(graceMs = 30_000) {
			if (child.exitCode !== null || child.signalCode !== null) return;
			child.kill("SIGTERM");
			const t = setTimeout(() => child.kill("SIGKILL"), graceMs);
			await exited;
			clearTimeout(t);
		},
	};
}

/** The number of MQTT clients a hub holds now (`vikno_mqtt_clients_connected` of its /metrics). */
export function hubClients(hub: HubProc): Promise<number> {
	return hubMetric(hub, "vikno_mqtt_clients_connected ");
}

/** A counter or gauge of a hub's /metrics: the first line that starts with `series` (name and labels). */
export async function hubMetric(hub: HubProc, series: string): Promise<number> {
	const text = await (await fetch(`${hub.httpUrl}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
	const line = text.split("\n").find((l) => l.startsWith(series));
	return line ? Number(line.slice(line.lastIndexOf(" ") + 1)) : Number.NaN;
}

export interface Generator {
	child: ChildProcess;
	latest: FleetReport | undefined;
	send(m: ToFleet): void;
	/** Ask it to disconnect its nodes and exit; the last report (with ids when asked for). */
	stop(timeoutMs?: number): Promise<FleetReport | undefined>;
}

/** A load-generator process holding `nodes`; reports arrive in `latest` every second. */
export function startGenerator(
	nodes: FleetNode[],
	o: { ratePerS: number; heartbeatS: number; keepaliveS?: number; eventsPerHour?: number; keepIds?: boolean },
): Generator {
	const child = fork(FLEET_CHILD, [], {
		execArgv: ["--import", "tsx"],
		stdio: ["ignore", "inherit", "inherit", "ipc"],
	});
	const g: Generator = {
		child,
		latest: undefined,
		send: (m) => {
			if (child.connected) child.send(m);
		},
		async stop(timeoutMs = 60_000) {
			if (child.exitCode !== null || child.signalCode !== null) return g.latest;
			const stopped = new Promise<FleetReport | undefined>((resolve) => {
				child.on("message", (r: FleetReport) => {
					if (r.type === "stopped") resolve(r);
				});
				child.once("exit", () => resolve(g.latest));
			});
			g.send({ type: "stop" });
			const t = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
			const last = await stopped;
			clearTimeout(t);
			if (child.exitCode === null && child.signalCode === null)
				await new Promise((resolve) => child.once("exit", resolve));
			return last;
		},
	};
	child.on("message", (r: FleetReport) => {
		g.latest = r;
	});
	g.send({
		type: "start",
		options: {
			nodes,
			ratePerS: o.ratePerS,
			heartbeatS: o.heartbeatS,
			...(o.keepaliveS ? { keepaliveS: o.keepaliveS } : {}),
			...(o.eventsPerHour ? { eventsPerHour: o.eventsPerHour } : {}),
		},
		...(o.keepIds ? { keepIds: true } : {}),
	});
	return g;
}

export interface CityOptions {
	dir: string;
	centres: number;
	nodesPerCentre: number;
	hubs: number;
	generators: number;
	/** Connections per second per generator. */
	ratePerS: number;
	heartbeatS: number;
	/** Each node's own events per hour (firmware-sim/fleet.ts), besides its heartbeats. */
	eventsPerHour?: number;
	maxConnections: number;
	keepIds?: boolean;
	/** Extra arguments of every `vikno hub` (e.g. `--heap-growth 30`). */
	hubArgs?: string[];
	/** Start the generators later (`city.connect()`), e.g. after an idle measurement. */
	deferConnect?: boolean;
}

export interface City {
	redis: RedisServer;
	hubs: HubProc[];
	generators: Generator[];
	deployment: Deployment;
	/** Start the load generators (when deferred). */
	connect(): void;
	/** Restart hub `i` (all with undefined) on the same port; resolves when it listens again. */
	restart(i?: number, graceMs?: number): Promise<void>;
	/** Nodes connected by the generators' last reports. */
	connected(): number;
	stop(): Promise<(FleetReport | undefined)[]>;
}

/**
 * Generate, provision and start the city. Node k talks to hub k mod `hubs`, so each hub process
 * holds its share (a TCP load balancer with source affinity does the same in production).
 */
export async function startCity(o: CityOptions): Promise<City> {
	const dataDirs = Array.from({ length: o.hubs }, (_, i) => join(o.dir, `hub-${i}`));
	const deployment = generateDeployment(o.dir, o.centres, o.nodesPerCentre, dataDirs);
	const redis = await startRedis();
	const specs: HubSpec[] = [];
	for (const dataDir of dataDirs)
		specs.push({
			dataDir,
			configFiles: deployment.configFiles,
			redisUrl: redis.url,
			mqttPort: await freePort(),
			maxConnections: o.maxConnections,
			...(o.hubArgs ? { extra: o.hubArgs } : {}),
		});
	const hubs: HubProc[] = [];
	const generators: Generator[] = [];
	const stop = async () => {
		const last = await Promise.all(generators.map((g) => g.stop()));
		await Promise.all(hubs.map((h) => h.stop()));
		await redis.stop();
		return last;
	};
	try {
		hubs.push(...(await Promise.all(specs.map((s) => startHubProc(s)))));
	} catch (e) {
		await stop();
		throw e;
	}
	const connect = () => {
		if (generators.length) return;
		const withUrl = deployment.nodes.map((n, k) => ({ ...n, url: hubs[k % hubs.length]?.mqttUrl ?? "" }));
		for (let g = 0; g < o.generators; g++) {
			const share = withUrl.filter((_, k) => k % o.generators === g);
			generators.push(
				startGenerator(share, {
					ratePerS: o.ratePerS,
					heartbeatS: o.heartbeatS,
					...(o.eventsPerHour ? { eventsPerHour: o.eventsPerHour } : {}),
					keepIds: o.keepIds ?? false,
				}),
			);
		}
	};
	if (!o.deferConnect) connect();
	return {
		redis,
		hubs,
		generators,
		deployment,
		connect,
		async restart(i, graceMs) {
			const which = i === undefined ? hubs.map((_, k) => k) : [i];
			await Promise.all(which.map((k) => hubs[k]?.stop(graceMs)));
			const fresh = await Promise.all(which.map((k) => startHubProc(specs[k] as HubSpec)));
			for (const [j, k] of which.entries()) hubs[k] = fresh[j] as HubProc;
		},
		connected: () => generators.reduce((s, g) => s + (g.latest?.connected ?? 0), 0),
		stop,
	};
}
