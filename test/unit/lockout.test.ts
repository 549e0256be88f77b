import { describe, expect, it } from "vitest";
import {
	type Attempts,
	afterFailure,
	type LockoutPolicy,
	Lockouts,
	lockedUntil,
	stale,
} from "../../dashboard/auth/lockout.ts";

const policy: LockoutPolicy = { maxFailures: 3, lockMs: 600_000, windowMs: 300_000 };

describe("the lock-out policy", () => {
	it("locks at the limit of failures in a row, each within the window of the one before", () => {
		let a: Attempts | undefined;
		a = afterFailure(a, 0, policy);
		a = afterFailure(a, 200_000, policy);
		expect(lockedUntil(a, 200_000)).toBeUndefined();
		a = afterFailure(a, 400_000, policy);
		expect(a).toEqual({ failures: 3, last: 400_000, lockedUntil: 1_000_000 });
		expect(lockedUntil(a, 999_999)).toBe(1_000_000);
		expect(lockedUntil(a, 1_000_000)).toBeUndefined();
	});

	it.each([
		[
			"a failure after the window starts a new count",
			{ failures: 2, last: 0 },
			300_001,
			{ failures: 1, last: 300_001 },
		],
		["a failure within the window adds to it", { failures: 1, last: 0 }, 300_000, { failures: 2, last: 300_000 }],
		[
			"a failure after a lock ended starts a new count",
			{ failures: 3, last: 0, lockedUntil: 600_000 },
			600_000,
			{ failures: 1, last: 600_000 },
		],
	] as [string, Attempts, number, Attempts][])("%s", (_what, before, now, after) => {
		expect(afterFailure(before, now, policy)).toEqual(after);
	});

	it("forgets an entry once neither a lock nor a recent failure is left", () => {
		expect(stale({ failures: 2, last: 0 }, 300_001, policy)).toBe(true);
		expect(stale({ failures: 2, last: 0 }, 300_000, policy)).toBe(false);
		expect(stale({ failures: 3, last: 0, lockedUntil: 600_000 }, 500_000, policy)).toBe(false);
	});
});

describe("Lockouts", () => {
	it("follows names on the clock it is given; a success forgets the failures", () => {
		let now = 1_000;
		const l = new Lockouts(policy, () => now);
		expect(l.failed("olena")).toBe(false);
		expect(l.failed("olena")).toBe(false);
		l.succeeded("olena");
		expect(l.failed("olena")).toBe(false);
		expect(l.failed("olena")).toBe(false);
		expect(l.failed("olena")).toBe(true);
		expect(l.lockedUntil("olena")).toBe(601_000);
		expect(l.lockedUntil("petro")).toBeUndefined();
		now += 600_000;
		expect(l.lockedUntil("olena")).toBeUndefined();
		expect(l.failed("olena")).toBe(false);
	});
});
