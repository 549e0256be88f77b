/**
 * Wills in the Redis store, listed in a set instead of the list aedes-persistence-redis keeps.
 * The library lists every Will key in one Redis list (`will`) and removes a key with LREM, which
 * scans the whole list — at every CONNECT (aedes drops the client's old Will, then stores the new
 * one) and at every Will dropped. With 30 000 nodes the list held 30 000 keys or more, every
 * connect cost Redis' single thread two scans of it, and after a restart of the hubs the nodes'
 * CONNACKs came so late that they gave up, connected again and took their own sessions over,
 * again and again. The library also looks at only the first 10 000 keys when it seeks the Wills of
 * brokers that are gone.
 *
 * The library's keys hold the broker's id, so a client that connects to another broker (or to a
 * restarted one, which has a new id) leaves its old Will behind, and the sweep of Wills whose broker
 * is gone would publish it — "offline" for a node that is online. Here the client's previous Will
 * is dropped when it stores a new one (`vikno:will-of`: client id → its Will key).
 *
 * Each Will key is a member of a set (`vikno:wills`: SADD and SREM are O(1)); the values stay
 * where and as the library writes them (msgpack under `will:{broker}:{client}`), so `getWill` is
 * the library's own. Keys in the old list (written by an older version) move into the set when a
 * broker opens; all brokers of a city must run a version with the set, as for the retained index.
 */
import type { Redis } from "ioredis";
import msgpack from "msgpack-lite";

export const WILLS_SET = "vikno:wills";
/** Each client's current Will key (client id → key), so a new Will replaces the one stored through another broker. */
export const WILL_OF = "vikno:will-of";
/** The library's list of Will keys. */
const WILLS_LIST = "will";

const willKey = (brokerId: unknown, clientId: string) => `will:${brokerId}:${encodeURIComponent(clientId)}`;

interface WillPacket {
	clientId?: string;
	brokerId?: string;
	[field: string]: unknown;
}

/** The Will methods of aedes-persistence-redis' AsyncPersistence. */
export interface WillStore {
	putWill(client: { id: string; broker: { id: string } }, packet: WillPacket): Promise<void>;
	delWill(client: { id: string; brokerId?: string }): Promise<WillPacket | null>;
	streamWill(brokers?: Record<string, number>): AsyncIterable<WillPacket>;
}

/** Move the keys of the library's list into the set (a broker opening on a store an older version wrote). */
export async function moveWillList(db: Redis): Promise<void> {
	const keys = await db.lrange(WILLS_LIST, 0, -1);
	if (keys.length > 0) await db.sadd(WILLS_SET, ...keys);
	await db.del(WILLS_LIST);
}

/** Replace the store's Will bookkeeping with the set's (see above). */
export function willsInSet(store: WillStore, db: Redis): void {
	store.putWill = async (client, packet) => {
		const key = willKey(client.broker.id, client.id);
		packet.clientId = client.id;
		packet.brokerId = client.broker.id;
		const previous = await db.hget(WILL_OF, client.id);
		const write = db.multi();
		if (previous && previous !== key) write.del(previous).srem(WILLS_SET, previous);
		await write.set(key, msgpack.encode(packet)).sadd(WILLS_SET, key).hset(WILL_OF, client.id, key).exec();
	};
	store.delWill = async (client) => {
		const key = willKey(client.brokerId, client.id);
		const replies = await db.multi().getBuffer(key).del(key).srem(WILLS_SET, key).exec();
		const value = replies?.[0]?.[1] as Buffer | null | undefined;
		return value ? (msgpack.decode(value) as WillPacket) : null;
	};
	// The Wills of clients whose broker is not among `brokers` (those heard from lately).
	store.streamWill = (brokers) =>
		(async function* () {
			let cursor = "0";
			do {
				const [next, keys] = await db.sscan(WILLS_SET, cursor, "COUNT", 1000);
				cursor = next;
				for (const key of keys) {
					if (brokers?.[key.split(":")[1] ?? ""]) continue;
					const value = await db.getBuffer(key);
					if (value) yield msgpack.decode(value) as WillPacket;
					else await db.srem(WILLS_SET, key);
				}
			} while (cursor !== "0");
		})();
}
