/**
 * The hub on an external MQTT broker (mosquitto, EMQX, VerneMQ) instead of its own aedes: MQTT 5
 * connections with a persistent session, subscribed to the events through a shared subscription,
 * each message acknowledged only once `admit` (ingest) has made it durable.
 *
 * Why each part:
 * - `clean: false` and a session expiry (MQTT 5 §3.1.2.11.2): the broker keeps the subscription and
 *   every unacknowledged or undelivered message while this process is away (a crash, a restart), and
 *   sends them again when it comes back under the same client id (MQTT-4.4.0-1).
 * - The PUBACK only after the store committed: a message delivered to a process that dies before
 *   that is redelivered; the event id makes the second delivery a duplicate, stored once.
 * - Held PUBACKs: MQTT.js handles a connection's packets one after another and writes each PUBACK
 *   (once `customHandleAcks` calls back) before it reads the next, so a connection would carry one
 *   event per store commit (at 20 000 events/s offered, two processes of 128 connections waited on
 *   commits and stored 12 000 a second). Here `customHandleAcks` calls back at once and the PUBACK
 *   MQTT.js then writes is held (`holdAcks`) until the event is durable, in the order the messages
 *   came (MQTT-4.6.0-2), so every message the broker has in flight on a connection (up to the
 *   receive maximum) goes into the same group commit. A message that cannot be made durable stops
 *   every later acknowledgement of its connection, and the connection is made again.
 * - Several connections into the same share group spread the stream over a process's connections
 *   and over the hub processes; ingest commits what arrives on all of them together.
 * - `$share/{group}/…` (MQTT 5 §4.8.2): the broker hands each message to one member of the group,
 *   so several hub processes (and a process's connections) share the stream.
 */
import { readFileSync } from "node:fs";
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient, type Packet } from "mqtt";
import { type Log, silentLog } from "../core/log.ts";
import { HUB_NODE, TOPIC_ROOT } from "../core/topic.ts";

export interface ExternalBrokerSettings {
	/** mqtt://HOST:PORT or mqtts://HOST:PORT. */
	url: string;
	/** The hub's service account on that broker. */
	username?: string;
	password?: string;
	/** A CA certificate (PEM) to verify an mqtts:// broker by, when it is not one the system trusts. */
	caFile?: string;
	/** Stable across restarts (the broker finds the session by it); connection i adds `-i`. */
	clientId: string;
	/** The shared subscription's group: every hub process of one deployment uses the same. */
	group: string;
	/** Connections of this process in the group (default 4). */
	connections?: number;
	/** How long the broker keeps the session while the hub is away, seconds (default 7 days). */
	sessionExpiryS?: number;
	/**
	 * Messages the broker may have in flight on one connection, awaiting their PUBACK (MQTT 5
	 * receive maximum, default 256; the broker may allow fewer: mosquitto's `max_inflight_messages`).
	 */
	receiveMaximum?: number;
}

/** What ingest made of a message; it throws when the message could not be made durable. */
export type ExternalAdmit = (topic: string, payload: Buffer, retain: boolean) => Promise<unknown>;

export interface ExternalBrokerOptions extends ExternalBrokerSettings {
	admit: ExternalAdmit;
	log?: Log;
	/** Told how many of the connections are up, on every change. */
	onConnections?: (up: number) => void;
	/** Wait for the first connection to come up before resolving (default 30 s, then it fails). */
	connectTimeoutMs?: number;
}

export interface ExternalBroker {
	url: string;
	group: string;
	/** The filter each connection subscribes with. */
	filter: string;
	/** Publish as the hub (commands, `$hub` state) through the first connection that is up. */
	publish(topic: string, payload: Buffer, retain: boolean): void;
	/** Connections up now. */
	connected(): number;
	close(): Promise<void>;
}

/** The external broker could not be reached or refused the hub at start. */
export class ExternalBrokerError extends Error {}

export const DEFAULT_SHARE_GROUP = "vikno-ingest";
const DEFAULT_CONNECTIONS = 4;
const DEFAULT_SESSION_EXPIRY_S = 7 * 24 * 3600;
const DEFAULT_RECEIVE_MAXIMUM = 256;
/** After a message could not be made durable, the connection is dropped and made again after this. */
const RECONNECT_MS = 1_000;

/** The events of every node, for the group: `$share/{group}/vikno/v1/+/+/+`. */
export function sharedFilter(group: string): string {
	return `$share/${group}/${TOPIC_ROOT}/+/+/+`;
}

/** `vikno/v1/{centre}/$hub/{name}` is the hubs' own state, not an event: the filter matches it too. */
const HUB_STATE = `/${HUB_NODE}/`;
function isHubState(topic: string): boolean {
	// `vikno/v1/{centre}/$hub/…`: the fourth level (a centre id holds no "/").
	const afterCentre = topic.indexOf("/", TOPIC_ROOT.length + 1);
	return afterCentre > 0 && topic.startsWith(HUB_STATE, afterCentre);
}

export async function connectExternalBroker(opts: ExternalBrokerOptions): Promise<ExternalBroker> {
	const log = opts.log ?? silentLog;
	const filter = sharedFilter(opts.group);
	const count = opts.connections ?? DEFAULT_CONNECTIONS;
	const ca = opts.caFile ? readFileSync(opts.caFile) : undefined;
	const clients: MqttClient[] = [];
	const up = new Set<MqttClient>();
	let closing = false;
	/** Set while starting: the first subscription granted makes the hub ready. */
	let subscribed: (() => void) | undefined;
	const report = () => opts.onConnections?.(up.size);

	const open = (i: number): MqttClient => {
		const clientId = count === 1 ? opts.clientId : `${opts.clientId}-${i}`;
		// Bumped on every new connection: an acknowledgement owed on an earlier one is not sent on
		// this one (the broker redelivers that message here and it is acknowledged as a duplicate).
		let generation = 0;
		// Each message's way to durable, by packet id, from its arrival until MQTT.js sends its PUBACK.
		const owed = new Map<number, Promise<boolean>>();
		const options: IClientOptions = {
			protocolVersion: 5,
			clientId,
			clean: false,
			properties: {
				sessionExpiryInterval: opts.sessionExpiryS ?? DEFAULT_SESSION_EXPIRY_S,
				receiveMaximum: opts.receiveMaximum ?? DEFAULT_RECEIVE_MAXIMUM,
			},
			reconnectPeriod: RECONNECT_MS,
			connectTimeout: 10_000,
			keepalive: 30,
			resubscribe: false,
			// MQTT.js' own debug log, asked on every packet, is not used.
			log: () => {},
			...(opts.username !== undefined ? { username: opts.username } : {}),
			...(opts.password !== undefined ? { password: opts.password } : {}),
			...(ca ? { ca } : {}),
			customHandleAcks: (topic: string, message: Buffer, packet: IPublishPacket, done: (code: number) => void) => {
				const id = packet.messageId;
				if (id !== undefined) {
					const mine = generation;
					owed.set(
						id,
						isHubState(topic)
							? Promise.resolve(true)
							: opts.admit(topic, message, packet.retain === true).then(
									() => true,
									(err: Error) => {
										// Not durable: no PUBACK for it nor after it. The broker sends an unacknowledged
										// message again only on a new connection (MQTT-4.4.0-1): this one is made again.
										if (mine === generation) {
											log.error(
												{ err: err.message, topic, client: clientId },
												"event not made durable; reconnecting for its redelivery",
											);
											client.stream?.destroy();
										}
										return false;
									},
								),
					);
				}
				// MQTT.js goes on to the next packet once its PUBACK is written: holdAcks keeps it back.
				done(0);
			},
		};
		const client = mqtt.connect(opts.url, options);
		const ackInTurn = holdAcks(client, owed, () => generation);
		client.on("connect", (connack) => {
			generation++;
			owed.clear();
			ackInTurn.reset();
			up.add(client);
			report();
			log.info({ client: clientId, sessionPresent: connack.sessionPresent }, "connected to the external broker");
			// Subscribing again on a present session only renews it (MQTT-3.8.4-3); the broker then
			// keeps the subscription in the session while this process is away.
			client.subscribe(filter, { qos: 1, rap: true }, (err, granted) => {
				const refused = granted?.find((g) => g.qos > 1);
				if (err || refused)
					return log.error(
						{ client: clientId, filter, err: err?.message, code: refused?.qos },
						"the external broker refused the hub's subscription (its ACL, or no shared subscriptions)",
					);
				subscribed?.();
			});
		});
		// QoS 0 (a device may publish so, the subscription's QoS 1 is only a maximum): nothing to
		// acknowledge, handed to ingest all the same; what it cannot make durable is lost, as QoS 0 allows.
		client.on("message", (topic, message, packet) => {
			if (packet.qos !== 0 || isHubState(topic)) return;
			opts.admit(topic, message, packet.retain === true).catch((err: Error) => {
				log.error({ err: err.message, topic, client: clientId }, "QoS 0 event not made durable");
			});
		});
		client.on("close", () => {
			if (up.delete(client)) report();
			if (!closing) log.warn({ client: clientId }, "connection to the external broker lost; reconnecting");
		});
		client.on("error", (err) => log.warn({ client: clientId, err: err.message }, "external broker connection error"));
		return client;
	};

	for (let i = 0; i < count; i++) clients.push(open(i));
	// A DISCONNECT after the acknowledgements already written (a forced end would drop them), or
	// forced when the broker does not answer.
	const closeAll = () =>
		Promise.all(
			clients.map(
				(c) =>
					new Promise<void>((resolve) => {
						const force = setTimeout(() => c.end(true, {}, () => resolve()), 5_000);
						c.end(false, {}, () => {
							clearTimeout(force);
							resolve();
						});
					}),
			),
		);
	// At start a broker that cannot be reached or refuses the account stops the hub with the reason;
	// the hub is ready once one connection's subscription is granted. Later losses are reconnected.
	const deadline = opts.connectTimeoutMs ?? 30_000;
	await new Promise<void>((resolve, reject) => {
		const settle = (err?: Error) => {
			clearTimeout(timer);
			subscribed = undefined;
			for (const c of clients) c.off("error", failed);
			if (!err) return resolve();
			closing = true;
			closeAll().then(() => reject(err));
		};
		const failed = (err: Error) => settle(new ExternalBrokerError(`MQTT broker ${opts.url}: ${err.message}`));
		const timer = setTimeout(
			() =>
				settle(
					new ExternalBrokerError(
						`no subscription to ${filter} granted by the MQTT broker ${opts.url} within ${deadline} ms`,
					),
				),
			deadline,
		);
		subscribed = () => settle();
		for (const c of clients) c.once("error", failed);
	});

	return {
		url: opts.url,
		group: opts.group,
		filter,
		publish(topic, payload, retain) {
			const client = clients.find((c) => up.has(c)) ?? clients[0];
			client?.publish(topic, payload, { qos: 1, retain }, (err) => {
				if (err) log.warn({ topic, err: err.message }, "could not publish to the external broker");
			});
		},
		connected: () => up.size,
		async close() {
			closing = true;
			// The PUBACKs of events already durable are written first (their turns are microtasks).
			await new Promise<void>((resolve) => setImmediate(resolve));
			await closeAll();
		},
	};
}

type SendPacket = (packet: Packet, cb?: (err?: Error) => void, ...rest: unknown[]) => void;

/**
 * Holds the PUBACKs MQTT.js writes for the messages in `owed` until each is durable, and lets
 * MQTT.js go on at once. They are written in the order they were asked for, and only on the
 * connection the message came on: once one is not durable, none after it on that connection is
 * written. This wraps MQTT.js' `_sendPacket` (every packet it writes goes through it; mqtt 5.x),
 * the one way to acknowledge a message later than its handler returns.
 */
function holdAcks(client: MqttClient, owed: Map<number, Promise<boolean>>, generation: () => number) {
	const target = client as unknown as { _sendPacket?: SendPacket };
	if (typeof target._sendPacket !== "function")
		throw new Error("MQTT.js without _sendPacket: the acknowledgements cannot be held");
	const send = target._sendPacket.bind(client);
	/** The previous PUBACK of this connection: written, or not durable (false). */
	let turn: Promise<boolean> = Promise.resolve(true);
	target._sendPacket = (packet, cb, ...rest) => {
		const durable = packet.cmd === "puback" && packet.messageId !== undefined ? owed.get(packet.messageId) : undefined;
		if (!durable) return send(packet, cb, ...rest);
		owed.delete(packet.messageId as number);
		const mine = generation();
		turn = turn.then((before) =>
			before
				? durable.then((ok) => {
						if (!ok || mine !== generation() || !client.connected) return false;
						send(packet);
						return true;
					})
				: false,
		);
		cb?.();
	};
	return {
		/** A new connection: nothing owed on the last one is written on it. */
		reset() {
			turn = Promise.resolve(true);
		},
	};
}
