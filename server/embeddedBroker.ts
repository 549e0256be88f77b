/**
 * The hub's own broker: aedes (broker/) with ingest as its `admit` hook, so a node's PUBACK follows
 * the store's commit; devices authenticate against DATA/devices.json and the ACL applies.
 */
import { join } from "node:path";
import type { Client } from "aedes";
import { type BrokerSettings, type RunningBroker, startBroker } from "../broker/broker.ts";
import type { Identity } from "../broker/identity.ts";
import { brokerMetrics } from "../broker/metrics.ts";
import { DeviceRegistry, registryPath } from "../broker/registry.ts";
import type { CentreIndex } from "../core/centre.ts";
import type { Log } from "../core/log.ts";
import type { Ingest } from "../hub/ingest.ts";
import type { Metrics } from "../hub/metrics.ts";
import type { NodeRate } from "../hub/nodeRate.ts";
import type { MqttSide } from "./mqttSide.ts";
import { clientAddress, type TrustProxy } from "./trustProxy.ts";

export interface EmbeddedBrokerOptions {
	port: number;
	host: string;
	dataDir: string;
	allowAnonymous: boolean;
	settings: BrokerSettings | undefined;
	trustProxy: TrustProxy | undefined;
	centres: ReadonlyMap<string, CentreIndex>;
	ingest: Ingest;
	nodeRate: NodeRate | undefined;
	metrics: Metrics;
	log: Log;
}

export async function startEmbeddedBroker(o: EmbeddedBrokerOptions): Promise<MqttSide & { broker: RunningBroker }> {
	const { ingest, nodeRate, metrics, log } = o;
	// Set once the broker is up; a publish is admitted only after that.
	let identityOf: (client: Client) => Identity | undefined = () => undefined;
	const broker = await startBroker({
		port: o.port,
		host: o.host,
		async admit(packet, client, isWill) {
			// A device over its rate waits here, and its PUBACK with it: backpressure, nothing dropped.
			// (Anonymous clients exist only on loopback — the demo, tests — and are not paced.)
			const identity = client && !isWill ? identityOf(client) : undefined;
			if (identity?.kind === "node") await nodeRate?.wait(identity.username);
			let payload: Buffer | undefined;
			const result = await ingest.handle(packet.topic, packet.payload as Buffer, {
				client: client?.id,
				stampNow: isWill,
				retain: packet.retain,
				replace: (cleaned) => {
					payload = cleaned;
				},
			});
			return { forward: result !== "rejected", ...(payload ? { payload } : {}) };
		},
		auth: {
			registry: new DeviceRegistry(registryPath(o.dataDir)),
			allowAnonymous: o.allowAnonymous,
			nodeRole: (centre, node) => o.centres.get(centre)?.nodes.get(node)?.role,
			...(o.settings?.revocationPollMs ? { revocationPollMs: o.settings.revocationPollMs } : {}),
		},
		limits: o.settings?.limits ?? {},
		tls: o.settings?.tls,
		persistence: o.settings?.persistence ?? { kind: "level", path: join(o.dataDir, "mqtt-sessions") },
		// Refused connects, publishes and subscriptions, disconnects, messages in/out; a refused
		// publish is also a rejected message.
		observer: brokerMetrics(metrics.registry, () =>
			metrics.messages.inc({ result: "rejected", reason: "not_authorized" }),
		).observer,
		log,
		onClients: (n) => metrics.clients.set(n),
		onClientError: (client, err) => log.debug({ client: client.id, err: err.message }, "mqtt client error"),
	});
	identityOf = (client) => broker.identityOf(client);
	const shown = o.host === "0.0.0.0" || o.host === "::" ? "127.0.0.1" : o.host;
	return {
		broker,
		url: `mqtt://${shown}:${broker.port}`,
		publish(topic, payload, retain) {
			broker.aedes.publish({ cmd: "publish", topic, payload, qos: 1, retain, dup: false }, (err) => {
				if (err) log.warn({ topic, err: err.message }, "could not publish a command");
			});
		},
		forward(topic, payload) {
			broker.aedes.publish({ cmd: "publish", topic, payload, qos: 1, retain: false, dup: false }, (err) => {
				if (err) log.warn({ topic, err: err.message }, "could not forward a QR rating");
			});
		},
		facts: () => ({ mqttPort: broker.port, clients: broker.aedes.connectedClients }),
		attach(app) {
			if (o.settings?.websocketPath === false) return;
			const trusted = o.trustProxy;
			broker.attachWebSocket(
				app.server,
				o.settings?.websocketPath || "/mqtt",
				trusted ? (req, peer) => clientAddress(peer, req.headers["x-forwarded-for"], trusted) : undefined,
			);
		},
		close: () => broker.close(),
	};
}
