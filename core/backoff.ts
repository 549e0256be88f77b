/**
 * How long an edge node waits before its next attempt to reach the hub: exponential from `minMs`
 * (attempt 0) to at most `maxMs`, with "equal jitter" — half of it fixed, half drawn — so a fleet
 * that lost its hub at the same moment does not come back at the same moment. `random` in [0, 1).
 */
export function reconnectDelay(attempt: number, minMs: number, maxMs: number, random: () => number): number {
	const base = Math.min(maxMs, minMs * 2 ** attempt);
	return base / 2 + random() * (base / 2);
}

/** Attempts are counted up to this; past it the delay is `maxMs` anyway. */
export const MAX_ATTEMPT = 20;

/**
 * How long an edge node waits for its CONNACK before it gives up on an attempt, ms. Long on
 * purpose: after a hub restart the hub takes its nodes back a few hundred a second, and a node
 * that gives up after 10 s is queued again behind all the others — measured with 30 000 nodes,
 * 10 s brought back 15 000 in 3 minutes, the hub spending its time on connections whose nodes had
 * already left (docs/benchmarks.md, connections).
 */
export const CONNACK_TIMEOUT_MS = 30_000;
