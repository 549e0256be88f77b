/**
 * One Redis subscription per broker for messages between brokers. mqemitter-redis subscribes
 * Redis to every filter a client subscribes to (PSUBSCRIBE per distinct filter), and Redis
 * matches each PUBLISH against every pattern: with each of 30 000 nodes subscribed to its own
 * `…/cmd/#`, a PUBLISH cost Redis about 1 ms, and the heartbeats alone (1 000 a second) took all
 * of its one core — the limit where a city's brokers stopped answering CONNECTs.
 *
 * Here the emitter subscribes Redis once, to every channel (`*`), and keeps matching filters
 * locally, as it already does for every message it receives (its own mqemitter); a message is
 * sent over Redis once whatever its subscribers. The Redis of a city must then be vikno's own: a
 * message another program publishes there reaches the brokers too (and is ignored when it is not
 * one of theirs).
 */

interface RedisEmitter {
	_on(topic: string, cb: unknown): unknown;
	_removeListener(topic: string, cb: unknown): unknown;
	on(topic: string, cb: unknown, done?: () => void): unknown;
	removeListener(topic: string, cb: unknown, done?: () => void): unknown;
	subConn: { psubscribe(pattern: string): Promise<unknown> };
	_onError(err: Error): void;
}

export function subscribeRedisOnce(mq: RedisEmitter): void {
	let all: Promise<unknown> | undefined;
	mq.on = (topic, cb, done) => {
		mq._on(topic, cb);
		all ??= mq.subConn.psubscribe("*");
		all.then(
			() => done && setImmediate(done),
			(err: Error) => mq._onError(err),
		);
		return mq;
	};
	mq.removeListener = (topic, cb, done) => {
		mq._removeListener(topic, cb);
		if (done) setImmediate(done);
		return mq;
	};
}
