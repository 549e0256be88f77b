/**
 * The MQTT broker (aedes over TCP). Policy lives elsewhere: the hub passes an `admit` hook
 * that runs inside aedes' authorizePublish, i.e. before the QoS 1 PUBACK is sent, so an
 * event can be made durable before its sender is told it arrived.
 */
import { once } from "node:events";
import { type AddressInfo, createServer, type Server } from "node:net";
import { Aedes, type Client, type PublishPacket } from "aedes";

export interface Admission {
	/** Forward the message to subscribers (and keep it if retained). Rejected input is not forwarded. */
	forward: boolean;
}

export interface BrokerOptions {
	port: number;
	host: string;
	/** Called for every client publish and Will; resolve to admit, reject to refuse (no PUBACK, disconnect). */
	admit: (packet: PublishPacket, client: Client | null, isWill: boolean) => Promise<Admission>;
	onClients?: (connected: number) => void;
	onClientError?: (client: Client, error: Error) => void;
}

export interface RunningBroker {
	aedes: Aedes;
	server: Server;
	port: number;
	close(): Promise<void>;
}

export async function startBroker(opts: BrokerOptions): Promise<RunningBroker> {
	// Payload buffers of messages not to forward; aedes copies the packet but keeps the buffer.
	const quarantined = new WeakSet<Buffer>();
	const aedes = await Aedes.createBroker({
		authorizePublish(client, packet, callback) {
			// aedes passes the client's own Will object when it publishes it (lib/client.js).
			const isWill = client !== null && packet === (client as Client & { will?: unknown }).will;
			opts.admit(packet, client, isWill).then(
				(admission) => {
					if (!admission.forward) {
						if (Buffer.isBuffer(packet.payload)) quarantined.add(packet.payload);
						packet.retain = false;
					}
					callback(null);
				},
				(err: Error) => callback(err),
			);
		},
		authorizeForward(_client, packet) {
			return Buffer.isBuffer(packet.payload) && quarantined.has(packet.payload) ? null : packet;
		},
	});
	const report = () => opts.onClients?.(aedes.connectedClients);
	aedes.on("client", report);
	aedes.on("clientDisconnect", report);
	aedes.on("clientError", (client, err) => opts.onClientError?.(client, err));

	// noDelay: without it Nagle + delayed ACK stall small messages by ~40 ms.
	const server = createServer({ noDelay: true }, aedes.handle);
	server.listen(opts.port, opts.host);
	await once(server, "listening");
	const port = (server.address() as AddressInfo).port;

	return {
		aedes,
		server,
		port,
		async close() {
			await new Promise<void>((resolve) => aedes.close(() => resolve()));
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}
