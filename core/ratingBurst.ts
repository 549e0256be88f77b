/**
 * The hub's bound on ratings at one window, beside the edge's lockout (which makes a press within
 * `lockoutS`, default 10 s, after a rating an extra press): at most `max` counted ratings at a
 * window within any `withinMs`, by the edge's time. A rating past it — a stuck button, a node
 * replaying presses, a forged flood — is stored and counted as an extra press (`extra: true`),
 * exactly like one inside the lockout, so it moves no satisfaction figure.
 * Pure: the window's recent ratings are passed in and a new list is returned.
 */
export interface BurstBound {
	/** Counted ratings allowed within `withinMs` of one another. */
	max: number;
	withinMs: number;
	/** Edge times kept per window (the latest added): enough to judge the next one. */
	keep: number;
}

/** Six a minute: one per default lockout of 10 s — more than any window serves visitors. */
export const RATING_BURST: BurstBound = { max: 6, withinMs: 60_000, keep: 32 };

/**
 * Is a rating at `ts` past the bound, given the edge times of the ratings counted at its window
 * lately (`counted`)? It is when `max` of them lie less than `withinMs` before or after it.
 */
export function isBurst(counted: readonly number[], ts: number, bound: BurstBound = RATING_BURST): boolean {
	let near = 0;
	for (const t of counted) if (Math.abs(t - ts) < bound.withinMs && ++near >= bound.max) return true;
	return false;
}

/** `counted` with `ts` added, keeping the `keep` added last (a replayed backlog judged by its own). */
export function remember(counted: readonly number[], ts: number, bound: BurstBound = RATING_BURST): number[] {
	const next = counted.length >= bound.keep ? counted.slice(counted.length - bound.keep + 1) : [...counted];
	next.push(ts);
	return next;
}

/** `counted` without one occurrence of `ts` (its event was not accepted after all). */
export function forget(counted: readonly number[], ts: number): number[] {
	const i = counted.lastIndexOf(ts);
	return i < 0 ? [...counted] : [...counted.slice(0, i), ...counted.slice(i + 1)];
}
