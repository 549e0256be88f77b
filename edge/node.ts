/**
 * One edge node: driver → debounce → role → outbox (on disk) → light and sound → MQTT link.
 * `startEdge` builds it from a validated config; `close` stops it and leaves the outbox on disk.
 */
import { v7 as uuidv7 } from "uuid";
import { type Command, decodeCommand } from "../core/commands.ts";
import { isWireEvent, type Kind } from "../core/contract.ts";
import type { LiveSummary } from "../core/hubState.ts";
import { type Log, silentLog } from "../core/log.ts";
import { commandPrefix, eventTopic, hubTopic } from "../core/topic.ts";
import { type Bridge, startBridge } from "./bridge.ts";
import type { EdgeConfig } from "./config.ts";
import { Debouncer } from "./debounce.ts";
import type { Driver, Output } from "./drivers/driver.ts";
import { createDriver } from "./drivers/index.ts";
import { Feedback } from "./feedback.ts";
import { readCpuTemp, statusPayload } from "./health.ts";
import { HubLive } from "./hubLive.ts";
import { Link } from "./link.ts";
import { Outbox, type OutboxHooks } from "./outbox.ts";
import { Refusals } from "./refusals.ts";
import { doorRole } from "./roles/door.ts";
import { type Fields, INITIAL_STATE, type NodeState, type Role, type RoleContext } from "./roles/role.ts";
import { terminalRole } from "./roles/terminal.ts";
import { windowRole } from "./roles/window.ts";
import { StateFile } from "./state.ts";

export interface EdgeDeps {
	/** A driver made by the caller (tests, the simulator); otherwise the config's. */
	driver?: Driver;
	log?: Log;
	now?: () => number;
	/** Called on cmd/reload; the command wires it to re-reading the config file. */
	onReload?: () => void;
	/** A terminal: each ticket's bytes once they are with the printer (benchmarks). */
	onPrinted?: (ticket: string, bytes: Uint8Array) => void;
	/** The outbox's sync of a written event (default `fdatasync`); tests wrap it to watch the order. */
	syncData?: OutboxHooks["syncData"];
}

export interface EdgeNode {
	config: Readonly<EdgeConfig>;
	driver: Driver;
	outbox: Outbox;
	link: Link;
	bridge: Bridge | undefined;
	/** Publish the retained status now. */
	publishStatus(): void;
	/** A terminal: the hub's latest `$hub/live` it holds, if fresh (tools and tests). */
	hubLive(): Promise<LiveSummary | undefined>;
	close(): Promise<void>;
}

export async function startEdge(config: Readonly<EdgeConfig>, deps: EdgeDeps = {}): Promise<EdgeNode> {
	const log = deps.log ?? silentLog;
	const now = deps.now ?? Date.now;
	const startedAt = now();
	const driver = deps.driver ?? (await createDriver(config.driver, log));
	const outbox = Outbox.open(config.dataDir, config.outbox, log, deps.syncData ? { syncData: deps.syncData } : {});
	const state = new StateFile<NodeState>(config.dataDir, "state.json", INITIAL_STATE);

	const outputs = new Map<string, Output>();
	for (const o of config.outputs) outputs.set(o.name, driver.output(o));
	const out = (name: string | undefined) => (name === undefined ? undefined : outputs.get(name));
	const feedback =
		config.role === "window"
			? new Feedback(out(config.window?.thanksLed), out(config.window?.buzzer))
			: config.role === "terminal"
				? new Feedback(out(config.terminal?.led), out(config.terminal?.buzzer))
				: new Feedback();

	let role: Role | undefined;
	let link: Link | undefined;

	const emit = <K extends Kind>(kind: K, fields: Fields<K>): string | null => {
		const id = uuidv7();
		const data = { id, ts: now(), ...fields };
		// A payload the hub would reject is a bug here: log it rather than store it.
		if (!isWireEvent({ kind, centre: config.centre, node: config.node, data })) {
			log.error({ kind, data }, "event does not match the wire contract; not stored");
			return null;
		}
		const r = outbox.append(eventTopic(config.centre, config.node, kind), data);
		if (!r.ok) return null;
		// Logged after the fsync and before light and sound: what this line names is on disk.
		log.info({ kind, id, seq: r.seq }, "event stored");
		// Publishing waits for the next turn of the event loop: light and sound come first.
		setImmediate(() => link?.kick());
		return id;
	};

	const refusals = new Refusals(log, now);
	const status = (online: boolean) =>
		statusPayload({
			id: uuidv7(),
			now: now(),
			online,
			startedAt,
			buffered: outbox.depth,
			cpuTempC: readCpuTemp(config.thermalFile),
			refused: refusals.counted(),
			extra: { role: config.role, ...(online ? role?.status?.() : {}) },
		});

	const hubLive = new HubLive(() => link?.isConnected ?? false, now);
	const ctx: RoleContext = {
		config,
		emit,
		feedback,
		now,
		log,
		state,
		publishStatus: () => link?.publishStatus(),
		hubLive: (waitMs) => hubLive.get(waitMs),
		...(deps.onPrinted ? { onPrinted: deps.onPrinted } : {}),
	};
	role =
		config.role === "window" && config.window
			? windowRole(ctx, config.window)
			: config.role === "terminal" && config.terminal
				? terminalRole(ctx, config.terminal)
				: config.door
					? doorRole(ctx, config.door)
					: { inputs: {} };

	const debouncers: Debouncer[] = [];
	for (const i of config.inputs) {
		const handler = role.inputs[i.name];
		if (!handler) continue;
		const d = new Debouncer(config.driver.debounceMs, (active) => {
			try {
				handler(active);
			} catch (e) {
				log.error({ input: i.name, err: (e as Error).message }, "input handler failed");
				feedback.error();
			}
		});
		debouncers.push(d);
		driver.input(i, (active) => d.feed(active));
	}

	/** Act on a command only once it matches its schema; a malformed one is counted and changes nothing. */
	const onCommand = (name: string, payload: Uint8Array) => {
		const d = decodeCommand(name, payload);
		if (!d.ok) {
			if (d.problem === "unknown") log.warn({ command: name }, "unknown command; ignored");
			else refusals.refuse("bad_command", d.detail, { command: name });
			return;
		}
		log.info({ command: name }, "command");
		run(d.command);
	};
	const run = (c: Command) => {
		if (c.name === "identify") feedback.identify(Math.min(c.data.seconds ?? 10, 300) * 1000);
		else if (c.name === "reload") deps.onReload?.();
		else if (c.name === "status") link?.publishStatus();
		else if (!role?.command?.(c)) log.warn({ command: c.name }, "command not for this node's role; ignored");
	};

	link = new Link({
		url: config.broker.url,
		fallbackUrls: config.broker.fallbackUrls,
		// The hub requires a node's client id to equal its user name (one session per device).
		// The broker requires the client id to be the device's user name, "centre/node" (docs/broker.md).
		clientId: config.broker.username ?? `${config.centre}/${config.node}`,
		username: config.broker.username,
		password: config.broker.password,
		caFile: config.broker.caFile,
		keepaliveS: config.broker.keepaliveS,
		reconnectMinMs: config.broker.reconnectMinMs,
		reconnectMaxMs: config.broker.reconnectMaxMs,
		inflight: config.broker.inflight,
		commandPrefix: commandPrefix(config.centre, config.node),
		statusTopic: eventTopic(config.centre, config.node, "status"),
		status,
		outbox,
		log,
		onCommand,
		...(config.role === "terminal" && config.terminal?.printer
			? {
					hubTopics: [hubTopic(config.centre, "live")],
					onHubState: (_topic: string, payload: Uint8Array) => hubLive.receive(payload),
				}
			: {}),
	});
	link.start();
	const statusTimer = setInterval(() => link?.publishStatus(), config.statusEveryS * 1000);

	let bridge: Bridge | undefined;
	if (config.bridge.enabled) {
		bridge = await startBridge(
			config.bridge,
			{
				window: config.window?.window,
				zone: config.door?.zone,
				emitQueue: (f) => {
					const id = emit("queue", f);
					if (id) role?.observeQueue?.(f);
					return id;
				},
				emitOccupancy: (f) => emit("occupancy", f),
				buffered: () => outbox.depth,
			},
			log,
		);
	}

	log.info({ centre: config.centre, node: config.node, role: config.role, driver: driver.kind }, "edge node started");
	let closed = false;
	return {
		config,
		driver,
		outbox,
		link,
		bridge,
		publishStatus: () => link?.publishStatus(),
		hubLive: () => hubLive.get(0),
		async close() {
			if (closed) return;
			closed = true;
			clearInterval(statusTimer);
			for (const d of debouncers) d.dispose();
			role?.close?.();
			feedback.stop();
			await bridge?.close();
			await link?.close();
			await driver.close();
			outbox.close();
		},
	};
}
