/** Prometheus series of the broker, registered in the hub's registry; the observer feeds them. */
import { Counter, Gauge, type Registry } from "prom-client";
import type { BrokerObserver } from "./broker.ts";
import { CONNECT_REFUSAL_NAMES, DISCONNECT_NAMES, PUBLISH_REFUSAL_NAMES, SUBSCRIBE_REFUSAL_NAMES } from "./reasons.ts";

export function brokerMetrics(registry: Registry, notAuthorized: () => void) {
	const counter = <L extends string>(name: string, help: string, label: L, values: readonly string[]) => {
		const c = new Counter({ name, help, labelNames: [label] as const, registers: [registry] });
		// Zero series for every label, so dashboards and alerts see the metric before the first event.
		for (const v of values) c.inc({ [label]: v } as Record<L, string>, 0);
		return c;
	};
	const connects = counter(
		"vikno_mqtt_connects_refused_total",
		"MQTT connections refused, by reason",
		"reason",
		CONNECT_REFUSAL_NAMES,
	);
	const publishes = counter(
		"vikno_mqtt_publishes_refused_total",
		"MQTT publishes refused by the ACL, by reason",
		"reason",
		PUBLISH_REFUSAL_NAMES,
	);
	const subscribes = counter(
		"vikno_mqtt_subscribes_refused_total",
		"MQTT subscriptions refused by the ACL (SUBACK 0x80), by reason",
		"reason",
		SUBSCRIBE_REFUSAL_NAMES,
	);
	const disconnects = counter(
		"vikno_mqtt_disconnects_total",
		"MQTT connections closed by the broker, by reason",
		"reason",
		DISCONNECT_NAMES,
	);
	const qos = ["0", "1", "2"];
	const received = counter("vikno_mqtt_messages_received_total", "PUBLISH packets from clients, by QoS", "qos", qos);
	const sent = counter(
		"vikno_mqtt_messages_sent_total",
		"Messages delivered to subscribers, by the QoS they were published with",
		"qos",
		qos,
	);
	// Bound children: these two run once per message.
	const receivedBy = qos.map((q) => received.labels({ qos: q }));
	const sentBy = qos.map((q) => sent.labels({ qos: q }));
	const connecting = new Gauge({
		name: "vikno_mqtt_connecting",
		help: "MQTT clients between their CONNECT and CONNACK now (at most --max-connecting)",
		registers: [registry],
	});
	const waiting = new Gauge({
		name: "vikno_mqtt_connect_waiting",
		help: "MQTT clients whose CONNECT waits for its turn (a reconnect storm while it is high)",
		registers: [registry],
	});
	const observer: BrokerObserver = {
		connectTurns: (now, queued) => {
			connecting.set(now);
			waiting.set(queued);
		},
		connectRefused: (reason) => connects.inc({ reason }),
		publishRefused: (reason) => {
			publishes.inc({ reason });
			notAuthorized();
		},
		subscribeRefused: (reason) => subscribes.inc({ reason }),
		disconnected: (reason) => disconnects.inc({ reason }),
		messageIn: (q) => receivedBy[q]?.inc(),
		messageOut: (q) => sentBy[q]?.inc(),
	};
	return { observer };
}
