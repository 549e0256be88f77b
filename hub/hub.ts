/**
 * `vikno hub` as a library: broker + ingest + store + live model + HTTP in one process.
 * Symmetric start/stop; ports may be 0 (any free port) and the chosen ones are returned.
 */
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { type RunningBroker, startBroker } from "../broker/broker.ts";
import { type Centre, type CentreIndex, indexCentre } from "../core/centre.ts";
import type { Kind } from "../core/contract.ts";
import { buildApp } from "../dashboard/app.ts";
import { SqliteStore } from "../store/sqlite.ts";
import type { EventStore } from "../store/types.ts";
import { Forwarder } from "./forwarder.ts";
import { Ingest } from "./ingest.ts";
import { LiveHub } from "./liveHub.ts";
import { createLogger, type Logger } from "./logger.ts";
import { createMetrics } from "./metrics.ts";
import { Spool } from "./spool.ts";

export interface HubOptions {
	centres: readonly Centre[];
	dataDir: string;
	/** Default 1883; 0 = any free port. */
	mqttPort?: number;
	/** Default 8080; 0 = any free port. */
	httpPort?: number;
	/** Address to bind both servers to (default 0.0.0.0; the demo uses 127.0.0.1). */
	host?: string;
	/** The store (default: SQLite at DATA/vikno.db). The hub closes it. */
	store?: EventStore;
	log?: Logger;
	now?: () => number;
	/** Spool forwarding: batch size and backoff bounds (tests shorten them). */
	forwarding?: { batchSize?: number; minBackoffMs?: number; maxBackoffMs?: number };
}

export interface Hub {
	mqttPort: number;
	httpPort: number;
	mqttUrl: string;
	httpUrl: string;
	store: EventStore;
	spool: Spool;
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
	const store = opts.store ?? new SqliteStore(join(opts.dataDir, "vikno.db"));
	await store.init();
	const spool = new Spool(join(opts.dataDir, "spool.db"));
	const forwarder = new Forwarder({ spool, store, metrics, log, now, ...opts.forwarding });
	if (spool.depth > 0) log.info({ spooled: spool.depth }, "events left in the spool; forwarding them to the store");
	forwarder.kick();

	const live = new LiveHub(centres, now);
	const rebuilt = await live.rebuild(
		store,
		spool.peek(Number.MAX_SAFE_INTEGER).map((r) => r.event),
	);
	if (rebuilt > 0) log.info({ events: rebuilt }, "live state rebuilt from today's events");

	const ingest = new Ingest({ centres, store, spool, forwarder, metrics, log, now, live });

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
		health: () => ({
			mqttPort: broker.port,
			store: store.name,
			spooled: spool.depth,
			clients: broker.aedes.connectedClients,
		}),
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
		spool,
		live,
		ingest,
		app,
		broker,
		countEvents: (filter) => store.count(filter),
		async close() {
			await broker.close();
			await ingest.drain();
			await forwarder.close();
			await app.close();
			await store.close();
			spool.close();
		},
	};
}
