/**
 * The hub on an external broker (`vikno hub --broker URL`): ingest subscribes through the share
 * group and acknowledges a message only after it is durable (broker/external.ts). Who may connect
 * and publish what is the external broker's to enforce (`vikno device export --mosquitto`).
 */
import { connectExternalBroker, type ExternalBroker, type ExternalBrokerSettings } from "../broker/external.ts";
import type { Log } from "../core/log.ts";
import type { Ingest } from "../hub/ingest.ts";
import type { Metrics } from "../hub/metrics.ts";
import type { MqttSide } from "./mqttSide.ts";

export async function startExternalBroker(
	settings: ExternalBrokerSettings,
	deps: { ingest: Ingest; metrics: Metrics; log: Log },
): Promise<MqttSide & { external: ExternalBroker }> {
	const { ingest, metrics, log } = deps;
	let stopped = false;
	const external = await connectExternalBroker({
		...settings,
		log,
		// After close() nothing new goes into ingest: the message stays unacknowledged at the broker
		// and goes to another member of the group, or to this process when it comes back.
		admit: (topic, payload, retain) =>
			stopped ? new Promise<never>(() => {}) : ingest.handle(topic, payload, { client: "external-broker", retain }),
		onConnections: (n) => metrics.clients.set(n),
	});
	return {
		external,
		url: settings.url,
		publish: (topic, payload, retain) => external.publish(topic, payload, retain),
		// A QR rating is ingested by this hub already; put on a node's topic it would come back to
		// the share group as an event (a duplicate at best), so it is not published.
		forward: () => {},
		facts: () => ({ clients: external.connected() }),
		attach: () => {},
		async close() {
			// What ingest holds is made durable and acknowledged before the connections end, so a
			// graceful stop leaves nothing for the broker to redeliver.
			stopped = true;
			await ingest.drain();
			await new Promise<void>((resolve) => setImmediate(resolve));
			await external.close();
		},
	};
}
