/**
 * Lock-out after wrong passwords, per user name: after `maxFailures` wrong passwords, each within
 * `windowMs` of the one before, the name is locked for `lockMs` — the right password is refused
 * too until then. A success forgets the failures. Names that do not exist are counted the same
 * way, so the answers do not tell which names exist. The policy is pure (time is an argument);
 * `Lockouts` keeps the state of each name in memory (a restart forgets it, as it forgets sessions).
 */

export interface LockoutPolicy {
	/** Wrong passwords in a row that lock the name (default 5). */
	maxFailures: number;
	/** How long the lock lasts (default 15 min). */
	lockMs: number;
	/** A failure longer ago than this is forgotten (default: lockMs). */
	windowMs: number;
}

export const LOCKOUT: LockoutPolicy = { maxFailures: 5, lockMs: 15 * 60_000, windowMs: 15 * 60_000 };

export interface Attempts {
	/** Wrong passwords in a row. */
	failures: number;
	/** When the latest one was. */
	last: number;
	/** Locked until this time (epoch ms), once `failures` reached the limit. */
	lockedUntil?: number;
}

/** When the lock ends, or undefined when the name is not locked at `now`. */
export function lockedUntil(a: Attempts | undefined, now: number): number | undefined {
	return a?.lockedUntil !== undefined && a.lockedUntil > now ? a.lockedUntil : undefined;
}

/** The attempts after one more wrong password at `now`. */
export function afterFailure(a: Attempts | undefined, now: number, policy: LockoutPolicy): Attempts {
	// A lock that ended, or failures too long ago, start a fresh count.
	const fresh = !a || (a.lockedUntil !== undefined && a.lockedUntil <= now) || now - a.last > policy.windowMs;
	const failures = fresh ? 1 : a.failures + 1;
	return failures >= policy.maxFailures
		? { failures, last: now, lockedUntil: now + policy.lockMs }
		: { failures, last: now };
}

/** Whether an entry can be forgotten at `now` (nothing it says still matters). */
export function stale(a: Attempts, now: number, policy: LockoutPolicy): boolean {
	return lockedUntil(a, now) === undefined && now - a.last > policy.windowMs;
}

/** Most names followed at once; beyond that the stale ones, then the oldest, are forgotten. */
const MAX_NAMES = 10_000;

export class Lockouts {
	private readonly byName = new Map<string, Attempts>();

	constructor(
		readonly policy: LockoutPolicy,
		private readonly now: () => number,
	) {}

	lockedUntil(name: string): number | undefined {
		return lockedUntil(this.byName.get(name), this.now());
	}

	/** Count a wrong password (of a name not locked now); returns true when this one locked it. */
	failed(name: string): boolean {
		const now = this.now();
		const next = afterFailure(this.byName.get(name), now, this.policy);
		this.byName.delete(name);
		this.byName.set(name, next);
		if (this.byName.size > MAX_NAMES) this.forgetSome(now);
		return next.lockedUntil !== undefined;
	}

	succeeded(name: string): void {
		this.byName.delete(name);
	}

	private forgetSome(now: number) {
		for (const [name, a] of this.byName) if (stale(a, now, this.policy)) this.byName.delete(name);
		// Insertion order is the order of the latest failure: drop the oldest.
		for (const name of this.byName.keys()) {
			if (this.byName.size <= MAX_NAMES) break;
			this.byName.delete(name);
		}
	}
}
