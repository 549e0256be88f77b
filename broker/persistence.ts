/**
 * Where the broker keeps sessions, retained messages and undelivered QoS 1 messages:
 * - `level`: a LevelDB directory under the data dir (one machine; survives restart and kill -9);
 * - `redis`: Redis for sessions and Redis pub/sub between broker processes, so several hubs can
 *   share the load behind one address (docs/broker.md, cluster topology);
 * - `memory`: nothing survives a restart (benchmarks, throwaway brokers).
 */
import { Readable } from "node:stream";
import type { AedesOptions, Client } from "aedes";

export type PersistenceConfig =
	| { kind: "memory" }
	| { kind: "level"; path: string }
	/** `redis://[:password@]host[:port][/db]` */
	| { kind: "redis"; url: string };

export interface OpenedPersistence {
	options: Pick<AedesOptions, "persistence" | "mq">;
	/** Release what aedes does not close itself (its close() ends the emitter, not the store). */
	close(): Promise<void>;
	describe: string;
}

/** Sessions with more queued messages than this are not delivered whole by the Redis store. */
const REDIS_MAX_SESSION_DELIVERY = 100_000;

export async function openPersistence(cfg: PersistenceConfig): Promise<OpenedPersistence> {
	switch (cfg.kind) {
		case "memory":
			return { options: {}, close: async () => {}, describe: "memory" };
		case "level": {
			const [{ Level }, { default: levelPersistence }] = await Promise.all([
				import("level"),
				import("aedes-persistence-level"),
			]);
			const db = new Level<string, Buffer>(cfg.path);
			await db.open();
			const persistence = levelPersistence(db);
			return {
				options: { persistence },
				close: () => closeStore(persistence),
				describe: `level:${cfg.path}`,
			};
		}
		case "redis": {
			const [{ default: redisPersistence }, { default: redisEmitter }] = await Promise.all([
				import("aedes-persistence-redis"),
				import("mqemitter-redis"),
			]);
			const u = new URL(cfg.url);
			if (u.protocol !== "redis:") throw new Error(`persistence URL must be redis://…, got "${cfg.url}"`);
			const conn = {
				host: u.hostname,
				port: Number(u.port || 6379),
				db: Number(u.pathname.slice(1) || 0),
				...(u.password ? { password: decodeURIComponent(u.password) } : {}),
			};
			const persistence = redisPersistence({ ...conn, maxSessionDelivery: REDIS_MAX_SESSION_DELIVERY });
			const mq = redisEmitter({ ...conn });
			return {
				options: { persistence, mq },
				close: () => closeStore(persistence),
				describe: `redis:${u.hostname}:${conn.port}/${conn.db}`,
			};
		}
	}
}

async function closeStore(persistence: unknown): Promise<void> {
	// Without a callback the stores return a promise (with one they wait for a "ready" event
	// that aedes' async setup never emits).
	try {
		await (persistence as { destroy(): Promise<void> }).destroy();
	} catch {}
}

/** The part of an aedes store that keeps a session's outgoing QoS 1 and 2 messages. */
export interface OutgoingStore {
	outgoingStream(client: Client): Readable;
	outgoingUpdate(client: Client, packet: { cmd?: string; messageId?: number }): Promise<void>;
}

/**
 * MQTT-3.3.1-1: a PUBLISH sent again must have DUP=1. aedes resends the unacknowledged messages of
 * a resumed session (MQTT-4.4.0-1) as they were stored, with DUP=0. A stored message gets its packet
 * id when it is handed to the client (outgoingUpdate), so one with an id is a redelivery; messages
 * queued while the client was away have none and go out as first deliveries (DUP=0).
 */
export function markRedeliveries(store: OutgoingStore): void {
	const replay = store.outgoingStream.bind(store);
	store.outgoingStream = (client) => Readable.from(marked(replay(client)));
}

async function* marked(stored: AsyncIterable<{ messageId?: number }>) {
	for await (const packet of stored) yield packet.messageId ? { ...packet, dup: true } : packet;
}

/**
 * A PUBREC for a packet id the broker has not sent (or no longer has in flight) is answered
 * with PUBREL and otherwise ignored, as mosquitto 2 does and as aedes already does for a clean
 * session (docs/broker.md, unsolicited acknowledgements). For a persistent session aedes first
 * records the PUBREL in the store, and every store refuses an unknown id ("no such packet"):
 * aedes would close the connection instead. A client that resends a PUBREC after a reconnect
 * must not be cut off for it; nothing is stored for an id that is not in flight.
 */
export function answerUnknownPubrec(store: OutgoingStore): void {
	const update = store.outgoingUpdate.bind(store);
	store.outgoingUpdate = async (client, packet) => {
		try {
			await update(client, packet);
		} catch (e) {
			if (packet.cmd !== "pubrel" || (e as Error).message !== "no such packet") throw e;
		}
	};
}
