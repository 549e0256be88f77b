/**
 * Retained messages found through an index in the Redis store. aedes-persistence-redis keeps
 * retained messages in one hash and answers a SUBSCRIBE with a wildcard by scanning the whole
 * hash (HSCAN, 10 entries a round trip) and testing every topic: with a node's status retained
 * for each of 30 000 nodes, each node's `…/cmd/#` subscription cost 3 000 round trips to Redis,
 * and a city's brokers stopped accepting connections while they scanned.
 *
 * Here every retained topic is also a member of a sorted set (`vikno:retained-topics`, all
 * scores 0), so the topics under a filter's literal prefix are one ZRANGEBYLEX away
 * (O(log N + M)); only those matching the filter are read, by exact topic, through the store
 * itself. The set is filled from the hash when a broker opens (topics retained by an older
 * version) and on every retained message stored. A cleared topic stays in the set (its read
 * finds nothing): removing it could race with another broker retaining it again.
 */
import { Readable } from "node:stream";
import type { Redis } from "ioredis";

export const RETAINED_INDEX = "vikno:retained-topics";
/** The hash aedes-persistence-redis keeps retained messages in (topic → message). */
const RETAINED_HASH = "retained";

interface RetainedStore {
	storeRetained(packet: { topic: string; payload: Buffer }, cb?: (err?: Error | null) => void): unknown;
	createRetainedStreamCombi(patterns: string[]): Readable;
	createRetainedStream(pattern: string): Readable;
}

/** Whether `topic` matches the MQTT filter `filter` (MQTT 3.1.1 §4.7; `$` topics never by a leading wildcard). */
export function matchesFilter(filter: string, topic: string): boolean {
	if (topic.startsWith("$") && (filter.startsWith("+") || filter.startsWith("#"))) return false;
	const f = filter.split("/");
	const t = topic.split("/");
	for (let i = 0; i < f.length; i++) {
		if (f[i] === "#") return true;
		if (i >= t.length) return false;
		if (f[i] !== "+" && f[i] !== t[i]) return false;
	}
	return f.length === t.length;
}

/** The part of a filter before its first wildcard level ("a/b/#" → "a/b/"). */
function literalPrefix(filter: string): string {
	const levels = filter.split("/");
	const first = levels.findIndex((l) => l === "+" || l === "#");
	return first === -1
		? filter
		: levels
				.slice(0, first)
				.map((l) => `${l}/`)
				.join("");
}

/** Fill the index from the hash: topics retained before it existed, or by an older broker. */
export async function buildRetainedIndex(db: Redis): Promise<void> {
	const topics = await db.hkeys(RETAINED_HASH);
	for (let i = 0; i < topics.length; i += 1000) {
		const chunk = topics.slice(i, i + 1000);
		await db.zadd(RETAINED_INDEX, ...chunk.flatMap((t) => [0, t]));
	}
}

/** The retained topics matching any of `patterns`, from the index. */
async function matching(db: Redis, patterns: readonly string[]): Promise<string[]> {
	const found = new Set<string>();
	for (const p of patterns) {
		const prefix = literalPrefix(p);
		if (prefix === p) {
			found.add(p);
			continue;
		}
		// 0xFF never occurs in UTF-8: "[prefix" + 0xFF bounds every topic that starts with prefix.
		const topics = prefix
			? await db.zrangebylex(
					RETAINED_INDEX,
					`[${prefix}`,
					Buffer.concat([Buffer.from(`[${prefix}`), Buffer.from([0xff])]) as unknown as string,
				)
			: await db.zrangebylex(RETAINED_INDEX, "-", "+");
		for (const t of topics) if (matchesFilter(p, t)) found.add(t);
	}
	return [...found];
}

/** Route a store's retained writes and wildcard reads through the index (see above). */
export function indexRetained(store: RetainedStore, db: Redis): void {
	const save = store.storeRetained.bind(store);
	const read = store.createRetainedStreamCombi.bind(store);
	const index = (packet: { topic: string; payload: Buffer }) =>
		packet.payload.length > 0 ? db.zadd(RETAINED_INDEX, 0, packet.topic).then(() => undefined) : Promise.resolve();
	store.storeRetained = (packet, cb) => {
		if (!cb) return Promise.resolve(save(packet)).then(() => index(packet));
		return save(packet, (err) => {
			if (err) cb(err);
			else index(packet).then(() => cb(null), cb);
		});
	};
	// The exact topics found are read by the store itself (one HGET each, decoded as it stores them).
	store.createRetainedStreamCombi = (patterns) =>
		Readable.from(
			(async function* () {
				const topics = await matching(db, patterns);
				if (topics.length) yield* read(topics);
			})(),
			{ objectMode: true },
		);
	store.createRetainedStream = (pattern) => store.createRetainedStreamCombi([pattern]);
}
