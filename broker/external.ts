/**
 * The hub on an external MQTT broker (mosquitto, EMQX, VerneMQ) instead of its own aedes: MQTT 5
 * connections with a persistent session, subscribed to the events through a shared subscription,
 * each message acknowledged only once `admit` (ingest) has made it durable.
 *
 * Why each part:
 * - `clean: false` and a session expiry (MQTT 5 §3.1.2.11.2): the broker keeps the subscription and
 *   every unacknowledged or undelivered message while this process is away (a crash, a restart), and
 *   sends them again when it comes back under the same client id (MQTT-4.4.0-1).
 * - `customHandleAcks`: MQTT.js sends the PUBACK when its callback is called, so it is called after
 *   the store committed. A message delivered to a process that dies before that is redelivered; the
 *   event id makes the second delivery a duplicate, stored once.
 * - MQTT.js handles a connection's packets one after another and waits for that callback before the
 *   next, so one connection carries one event per store commit. A process opens several connections
 *   into the same share group and ingest commits what arrives on them together (group commit).
 * - `$share/{group}/…` (MQTT 5 §4.8.2): the broker hands each message to one member of the group,
 *   so several hub processes (and a process's connections) share the stream.
 */
import { readFileSync } from "node:fs";
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from "mqtt";
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
/** After a message could not be made durable, the connection is dropped and made again after this. */
const RECONNECT_MS = 1_000;

/** The events of every node, for the group: `$share/{group}/vikno/v1/+/+/+`. */
export function sharedFilter(group: string): string {
	return `$share/${group}/${TOPIC_ROOT}/+/+/+`;
}

/** `vikno/v1/{centre}/$hub/{name}` is the hubs' own state, not an event: the filter matches it too. */
function isHubState(topic: string): boolean {
	return topic.split("/")[3] === HUB_NODE;
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
		// Bumped on every new connection: an acknowledgement owed to an earlier one is not sent on
		// this one (the broker redelivers that message here and it is acknowledged as a duplicate).
		let generation = 0;
		const options: IClientOptions = {
			protocolVersion: 5,
			clientId,
			clean: false,
			properties: { sessionExpiryInterval: opts.sessionExpiryS ?? DEFAULT_SESSION_EXPIRY_S },
			reconnectPeriod: RECONNECT_MS,
			connectTimeout: 10_000,
			keepalive: 30,
			resubscribe: false,
			...(opts.username !== undefined ? { username: opts.username } : {}),
			...(opts.password !== undefined ? { password: opts.password } : {}),
			...(ca ? { ca } : {}),
			customHandleAcks: (topic: string, message: Buffer, packet: IPublishPacket, done: (code: number) => void) => {
				if (isHubState(topic)) return done(0);
				const mine = generation;
				opts.admit(topic, message, packet.retain === true).then(
					() => {
						if (mine === generation) done(0);
					},
					(err: Error) => {
						// Not durable: no PUBACK. The broker sends an unacknowledged message again only on
						// a new connection (MQTT-4.4.0-1), so this one is dropped and made again.
						if (mine !== generation) return;
						log.error(
							{ err: err.message, topic, client: clientId },
							"event not made durable; reconnecting for its redelivery",
						);
						client.stream?.destroy();
					},
				);
			},
		};
		const client = mqtt.connect(opts.url, options);
		client.on("connect", (connack) => {
			generation++;
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
			await closeAll();
		},
	};
}
