/**
 * A token bucket: `perSecond` tokens a second, at most `burst` saved up. Taking a token when none is
 * left does not fail: it reserves the next one (the bucket goes below zero) and says how long to
 * wait for it, so the takers of one bucket are spaced 1/perSecond apart — a rate that delays,
 * never drops. Pure: time is an argument.
 */
export interface Rate {
	perSecond: number;
	burst: number;
}

export interface Bucket {
	tokens: number;
	at: number;
}

/** Take one token at `now`; the bucket after it and how long the taker waits (0: a token was there). */
export function take(bucket: Bucket | undefined, now: number, rate: Rate): { bucket: Bucket; waitMs: number } {
	const b = bucket ?? { tokens: rate.burst, at: now };
	// A clock that steps back refills nothing (and takes nothing back).
	const at = Math.max(now, b.at);
	const tokens = Math.min(rate.burst, b.tokens + ((at - b.at) * rate.perSecond) / 1000) - 1;
	const waitMs = tokens >= 0 ? 0 : Math.ceil((-tokens * 1000) / rate.perSecond);
	return { bucket: { tokens, at }, waitMs };
}
