/**
 * `vikno hub` as a library: broker + ingest + store + live model + HTTP in one process.
 * Symmetric start/stop; ports may be 0 (any free port) and the chosen ones are returned.
 */
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { buildApp } from "../dashboard/app.ts";
import { type Centre, type CentreIndex, indexCentre } from "../core/centre.ts";
import type { Kind } from "../core/contract.ts";
import { startBroker, type RunningBroker } from "../broker/broker.ts";
import { SqliteStore } from "../store/sqlite.ts";
import type { EventStore } from "../store/types.ts";
import { Ingest } from "./ingest.ts";
import { LiveHub } from "./liveHub.ts";
import { createLogger, type Logger } from "./logger.ts";
import { createMetrics } from "./metrics.ts";

export interface HubOptions {
	centres: readonly Centre[];
	dataDir: string;
	/** Default 1883; 0 = any free port. */
	mqttPort?: number;
	/** Default 8080; 0 = any free port. */
	httpPort?: number;
	/** Address to bind both servers to (default 0.0.0.0; the demo uses 127.0.0.1). */
	host?: string;
	log?: Logger;
	now?: () => number;
}

export interface Hub {
	mqttPort: number;
	httpPort: number;
	mqttUrl: string;
	httpUrl: string;
	store: EventStore;
	live: LiveHub;
	ingest: Ingest;
	app: FastifyInstance;
	broker: RunningBroker;
	countEvents(filter?: { centre?: string; kind?: Kind }): Promise<number>;
	close(): Promise<void>;
}

export async function startHub(opts: HubOptions): Promise<Hub> {
	const log = opts.log ?? createLogger();
	const host = opts.host ?? "0.0.0.0";
	const now = opts.now ?? Date.now;
	const centres = new Map<string, CentreIndex>(opts.centres.map((c) => [c.id, indexCentre(c)]));
	const metrics = createMetrics({ defaults: true });
	const store = new SqliteStore(join(opts.dataDir, "vikno.db"));
	const live = new LiveHub(centres, now);
	const rebuilt = await live.rebuild(store);
	if (rebuilt > 0) log.info({ events: rebuilt }, "live state rebuilt from today's stored events");

	const ingest = new Ingest({ centres, store, metrics, log, now, onAccepted: (events) => live.applyAll(events) });

	const broker = await startBroker({
		port: opts.mqttPort ?? 1883,
		host,
		async admit(packet, client, isWill) {
			const result = await ingest.handle(packet.topic, packet.payload as Buffer, {
				client: client?.id,
				stampNow: isWill,
			});
			return { forward: result !== "rejected" };
		},
		onClients: (n) => metrics.clients.set(n),
		onClientError: (client, err) => log.debug({ client: client.id, err: err.message }, "mqtt client error"),
	});

	const app = await buildApp({
		live,
		metrics,
		health: () => ({ mqttPort: broker.port, store: store.name, clients: broker.aedes.connectedClients }),
	});
	await app.listen({ port: opts.httpPort ?? 8080, host });
	const httpPort = (app.server.address() as { port: number }).port;
	const shown = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;

	return {
		mqttPort: broker.port,
		httpPort,
		mqttUrl: `mqtt://${shown}:${broker.port}`,
		httpUrl: `http://${shown}:${httpPort}`,
		store,
		live,
		ingest,
		app,
		broker,
		countEvents: (filter) => store.count(filter),
		async close() {
			await broker.close();
			await ingest.drain();
			await app.close();
			await store.close();
		},
	};
}
