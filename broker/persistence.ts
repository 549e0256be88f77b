/**
 * Where the broker keeps sessions, retained messages and undelivered QoS 1 messages:
 * - `level`: a LevelDB directory under the data dir (one machine; survives restart and kill -9);
 * - `redis`: Redis for sessions and Redis pub/sub between broker processes, so several hubs can
 *   share the load behind one address (docs/broker.md, cluster topology);
 * - `memory`: nothing survives a restart (benchmarks, throwaway brokers).
 */
import { Readable } from "node:stream";
import type { AedesOptions, Client } from "aedes";
import type { Redis } from "ioredis";
import msgpack from "msgpack-lite";
import { subscribeRedisOnce } from "./redisEmitter.ts";
import { buildRetainedIndex, indexRetained } from "./redisRetained.ts";

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
			const closing = quietRetainedReadsOnClose(persistence as RetainedStreams);
			return {
				options: { persistence },
				close: () => {
					closing();
					return closeStore(persistence);
				},
				describe: `level:${cfg.path}`,
			};
		}
		case "redis": {
			const [{ default: redisPersistence }, { default: redisEmitter }, { Redis }] = await Promise.all([
				import("aedes-persistence-redis"),
				import("mqemitter-redis"),
				import("ioredis"),
			]);
			const u = new URL(cfg.url);
			if (u.protocol !== "redis:") throw new Error(`persistence URL must be redis://…, got "${cfg.url}"`);
			const conn = {
				host: u.hostname,
				port: Number(u.port || 6379),
				db: Number(u.pathname.slice(1) || 0),
				...(u.password ? { password: decodeURIComponent(u.password) } : {}),
			};
			// The store's own connection, given to it, so the retained index (redisRetained.ts) shares it.
			const db = new Redis({ ...conn });
			await buildRetainedIndex(db);
			const persistence = redisPersistence({ conn: db, maxSessionDelivery: REDIS_MAX_SESSION_DELIVERY });
			await willsInASet((persistence as { asyncPersistence: WillStore }).asyncPersistence, db);
			storeEachSubscribeOnce(persistence as SubscriptionStore);
			indexRetained(persistence as unknown as Parameters<typeof indexRetained>[0], db);
			const closing = quietRetainedReadsOnClose(persistence as RetainedStreams);
			// No ready check (INFO) on the emitter's connections: its subscriber connection could be
			// in subscribe mode when the check ran, Redis refused INFO there, and the error ended the
			// hub at start (seen with two hubs starting at once on a loaded machine).
			const mq = redisEmitter({ ...conn, enableReadyCheck: false });
			subscribeRedisOnce(mq as unknown as Parameters<typeof subscribeRedisOnce>[0]);
			return {
				options: { persistence, mq },
				close: () => {
					closing();
					return closeStore(persistence);
				},
				describe: `redis:${u.hostname}:${conn.port}/${conn.db}`,
			};
		}
	}
}

/** The Will methods of aedes-persistence-redis' store (the promise side its callback wrapper calls). */
export interface WillStore {
	readonly broker?: { id: string };
	putWill(client: { id: string }, packet: WillPacket): Promise<void>;
	getWill(client: { id: string }): Promise<WillPacket | null>;
	delWill(client: { id: string; brokerId?: string }): Promise<WillPacket | null>;
	streamWill(brokers?: Record<string, number>): AsyncIterable<WillPacket>;
}
type WillPacket = Record<string, unknown> & { clientId?: string; brokerId?: string };

/** The set of the stored Wills' keys. */
export const WILLS_SET = "wills";
/** Where aedes-persistence-redis lists them. */
export const WILLS_LIST = "will";
/** Keys per SSCAN step while the Wills are streamed. */
const WILL_SCAN = 500;

/**
 * aedes-persistence-redis lists the keys of the stored Wills in a Redis list and removes one with
 * LREM, which reads the whole list: twice for every CONNECT with a Will (0.5–0.7 ms of Redis each
 * with 25 000 nodes), so a city's hubs brought back after a restart queued behind Redis. Its
 * stream of the Wills of brokers that died reads only the first 10 001 keys, and reads every Will
 * (alive brokers' too) before it filters. Here the keys are a set (SADD, SREM: constant time),
 * every Will is streamed, and only the keys of brokers not alive are read. The keys and their
 * values are the store's own (`will:{broker}:{client}`, msgpack), and a list left by a hub of an
 * earlier version is moved into the set at start, so Wills stored before an upgrade still fire.
 */
export async function willsInASet(store: WillStore, db: Redis): Promise<void> {
	const listed = await db.lrange(WILLS_LIST, 0, -1);
	if (listed.length > 0)
		await db
			.multi()
			.sadd(WILLS_SET, ...listed)
			.del(WILLS_LIST)
			.exec();
	const key = (brokerId: string | undefined, clientId: string) => `will:${brokerId}:${encodeURIComponent(clientId)}`;
	const read = async (k: string): Promise<WillPacket | null> => {
		const value = await db.getBuffer(k);
		return value ? (msgpack.decode(value) as WillPacket) : null;
	};
	const brokerId = () => store.broker?.id;
	store.putWill = async (client, packet) => {
		const k = key(brokerId(), client.id);
		packet.clientId = client.id;
		packet.brokerId = brokerId();
		await db.multi().sadd(WILLS_SET, k).set(k, msgpack.encode(packet)).exec();
	};
	store.getWill = (client) => read(key(brokerId(), client.id));
	store.delWill = async (client) => {
		const k = key(client.brokerId, client.id);
		const [, [, value]] = (await db.multi().srem(WILLS_SET, k).getBuffer(k).del(k).exec()) as [
			unknown,
			[Error | null, Buffer | null],
		];
		return value ? (msgpack.decode(value) as WillPacket) : null;
	};
	store.streamWill = (brokers) => streamWills(db, brokers, read);
}

async function* streamWills(
	db: Redis,
	brokers: Record<string, number> | undefined,
	read: (k: string) => Promise<WillPacket | null>,
): AsyncGenerator<WillPacket> {
	let cursor = "0";
	do {
		const [next, keys] = await db.sscan(WILLS_SET, cursor, "COUNT", WILL_SCAN);
		cursor = next;
		for (const k of keys) {
			// will:{broker}:{client}: a live broker's Wills are not read at all.
			if (brokers?.[k.split(":")[1] ?? ""]) continue;
			const will = await read(k);
			if (will) yield will;
			else await db.srem(WILLS_SET, k);
		}
	} while (cursor !== "0");
}

interface SubscriptionStore {
	addSubscriptions(client: Client, subs: readonly object[]): Promise<unknown>;
}

/**
 * aedes stores a SUBSCRIBE's whole list of filters once per filter, all at once. The Redis store
 * answers a call when its own broadcast of the new subscriptions comes back, and it waits for that
 * under the client id and the list's first filter: of several calls with the same list only the
 * last is answered, and a persistent client subscribing to two filters in one SUBSCRIBE never
 * got its SUBACK. Calls with the list already being stored share that one store.
 */
function storeEachSubscribeOnce(store: SubscriptionStore): void {
	const add = store.addSubscriptions.bind(store);
	const storing = new WeakMap<readonly object[], Promise<unknown>>();
	store.addSubscriptions = (client, subs) => {
		let stored = storing.get(subs);
		if (!stored) {
			stored = add(client, subs).finally(() => storing.delete(subs));
			storing.set(subs, stored);
		}
		return stored;
	};
}

interface RetainedStreams {
	createRetainedStreamCombi(patterns: string[]): Readable;
	createRetainedStream(pattern: string): Readable;
}

/**
 * aedes reads a SUBSCRIBE's retained messages as a stream it gives no error handler: a client that
 * subscribes while the hub stops has its read cut by the store closing (LevelDB: "iterator is not
 * open"), which would end the process with an uncaught error. Once closing has begun, such a
 * stream just ends; before, an error stays what it was. Returns the function that marks the start
 * of closing.
 */
function quietRetainedReadsOnClose(store: RetainedStreams): () => void {
	let closing = false;
	const guard = (stream: Readable) =>
		stream.on("error", (err) => {
			if (!closing) throw err;
			stream.destroy();
		});
	const combi = store.createRetainedStreamCombi.bind(store);
	const single = store.createRetainedStream.bind(store);
	store.createRetainedStreamCombi = (patterns) => guard(combi(patterns));
	store.createRetainedStream = (pattern) => guard(single(pattern));
	return () => {
		closing = true;
	};
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
 * `replayed` hears of every stored message as it is sent (the session gate needs to know).
 */
export function markRedeliveries<P extends { messageId?: number }>(
	store: OutgoingStore,
	replayed: (client: Client, packet: P) => void = () => {},
): void {
	const replay = store.outgoingStream.bind(store);
	store.outgoingStream = (client) => Readable.from(marked(client, replay(client), replayed));
}

async function* marked<P extends { messageId?: number }>(
	client: Client,
	stored: AsyncIterable<P>,
	replayed: (client: Client, packet: P) => void,
) {
	for await (const packet of stored) {
		replayed(client, packet);
		yield packet.messageId ? { ...packet, dup: true } : packet;
	}
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
