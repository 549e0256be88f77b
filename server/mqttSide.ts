/**
 * How a hub meets MQTT: its own aedes broker (server/embeddedBroker.ts) or an external broker it
 * subscribes to (server/externalBroker.ts). The rest of the hub — ingest, the live model, the
 * dashboard — is the same either way; it publishes through this and asks it for its health facts.
 */
import type { FastifyInstance } from "fastify";

export interface MqttSide {
	/** Where devices connect, as the hub prints it. */
	url: string;
	/** Publish as the hub: a command to a node, the `$hub` state (retained). */
	publish(topic: string, payload: Buffer, retain: boolean): void;
	/** Hand a QR rating, taken in by ingest already, to the node topic's subscribers. */
	forward(topic: string, payload: Buffer): void;
	/** For /healthz. */
	facts(): { mqttPort?: number; clients: number };
	/** Serve what needs the HTTP server (MQTT over WebSocket). */
	attach(app: FastifyInstance): void;
	/** No new messages; those in ingest are drained by the hub afterwards. */
	close(): Promise<void>;
}
