/**
 * One simulated edge node on the wire: its own MQTT connection, its retained `status` (also its
 * Last Will), and QoS 1 events stamped with a fresh UUIDv7 `id` and the node's clock as `ts`
 * (the wall clock, or simulated time when a timeline is replayed).
 */
import mqtt, { type MqttClient } from "mqtt";
import { v7 as uuidv7 } from "uuid";
import { KINDS, type Kind, type PayloadOf } from "../core/contract.ts";
import { eventTopic } from "../core/topic.ts";

export const SIM_VERSION = "vikno-sim/0.1";

export interface SimNodeOptions {
	brokerUrl: string;
	centre: string;
	node: string;
	username?: string;
	password?: string;
	/** Give up the first connection after this long (later losses reconnect on their own). */
	connectTimeoutMs?: number;
	/** The node's clock for `ts` and uptime; the wall clock by default. */
	clock?: () => number;
	/** MQTT client id prefix: `{prefix}-{centre}-{node}`. */
	clientPrefix?: string;
	log?: (message: string) => void;
}

export type EventData<K extends Kind> = Omit<PayloadOf[K], "id" | "ts">;

export class SimNode {
	readonly id: string;
	/** Messages handed to the client, and those the broker acknowledged. */
	published = 0;
	acked = 0;
	#client: MqttClient;
	#centre: string;
	#clock: () => number;
	#startedAt: number;

	private constructor(client: MqttClient, centre: string, node: string, clock: () => number) {
		this.#client = client;
		this.#centre = centre;
		this.id = node;
		this.#clock = clock;
		this.#startedAt = clock();
	}

	/** Connects (MQTT 3.1.1, clean session) and resolves once the first CONNACK arrives. */
	static connect(o: SimNodeOptions): Promise<SimNode> {
		const statusTopic = eventTopic(o.centre, o.node, "status");
		const clock = o.clock ?? Date.now;
		const client = mqtt.connect(o.brokerUrl, {
			protocolVersion: 4,
			// With credentials the broker wants the client id to be the user name ("centre/node").
			clientId: o.username ?? `${o.clientPrefix ?? "sim"}-${o.centre}-${o.node}`,
			clean: true,
			reconnectPeriod: 1000,
			connectTimeout: o.connectTimeoutMs ?? 10_000,
			...(o.username !== undefined ? { username: o.username } : {}),
			...(o.password !== undefined ? { password: o.password } : {}),
			// The broker publishes this if the node vanishes without DISCONNECT (MQTT 3.1.1 §3.1.2.5).
			will: {
				topic: statusTopic,
				payload: Buffer.from(JSON.stringify({ id: uuidv7(), ts: clock(), online: false, version: SIM_VERSION })),
				qos: 1,
				retain: true,
			},
		});
		// Each connection gets a Will of its own: the hub deduplicates by id, so a Will reused after
		// a reconnect would be dropped as a repeat and the node would stay "online".
		client.on("close", () => {
			if (client.options.will) {
				client.options.will.payload = Buffer.from(
					JSON.stringify({ id: uuidv7(), ts: clock(), online: false, version: SIM_VERSION }),
				);
			}
		});
		const node = new SimNode(client, o.centre, o.node, clock);
		const timeoutMs = o.connectTimeoutMs ?? 10_000;
		// Every (re)connect announces the node again: the Last Will may have replaced the status.
		let announced: Promise<void> | undefined;
		client.on("connect", () => {
			const status = node.#status(true);
			announced ??= status;
			status.catch((e: Error) => o.log?.(`${o.node}: status not published: ${e.message}`));
		});
		// Resolves once connected and the first retained status is acknowledged, so a subscriber
		// arriving after start finds every node's status retained at the broker.
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => fail(new Error(`not connected and announced within ${timeoutMs} ms`)), timeoutMs);
			const fail = (e: Error) => {
				clearTimeout(timer);
				client.removeListener("connect", ok);
				client.end(true);
				reject(new Error(`node ${o.node}: cannot connect to ${o.brokerUrl}: ${e.message}`));
			};
			const ok = () => {
				client.removeListener("error", fail);
				client.on("error", (e) => o.log?.(`${o.node}: ${e.message}`));
				(announced ?? Promise.resolve()).then(() => {
					clearTimeout(timer);
					resolve(node);
				}, fail);
			};
			client.once("connect", ok);
			client.once("error", fail);
		});
	}

	/**
	 * Publishes one event at QoS 1, stamped `ts` (the node's clock unless given); resolves when the
	 * broker acknowledges it (PUBACK). The UUIDv7 id carries the same instant, as a real node's does.
	 */
	async publish<K extends Kind>(kind: K, data: EventData<K>, ts = this.#clock()): Promise<void> {
		const payload = JSON.stringify({ id: uuidv7({ msecs: ts }), ts, ...data });
		this.published++;
		await this.#client.publishAsync(eventTopic(this.#centre, this.id, kind), payload, {
			qos: 1,
			retain: KINDS[kind].retained,
		});
		this.acked++;
	}

	/** Refreshes the retained status (uptime) while running. */
	heartbeat(): Promise<void> {
		return this.#status(true);
	}

	/** Says goodbye with a retained `online: false`, then disconnects cleanly (no Last Will). */
	async stop(timeoutMs = 2000): Promise<void> {
		const said = await within(this.#status(false), timeoutMs);
		// Force the close only when the goodbye could not be delivered (e.g. the broker is gone).
		await this.#client.endAsync(!said);
	}

	#status(online: boolean): Promise<void> {
		return this.publish("status", {
			online,
			version: SIM_VERSION,
			uptimeS: Math.max(0, Math.round((this.#clock() - this.#startedAt) / 1000)),
			buffered: 0,
		});
	}
}

/** True when `p` settles successfully within `ms`; never rejects, leaves no timer behind. */
function within(p: Promise<unknown>, ms: number): Promise<boolean> {
	return new Promise((resolve) => {
		const timer = setTimeout(() => resolve(false), ms);
		p.then(
			() => resolve(true),
			() => resolve(false),
		).finally(() => clearTimeout(timer));
	});
}
