/** The per-device rate: a token bucket that delays rather than drops, as a table. */
import { describe, expect, it } from "vitest";
import { type Bucket, take } from "../../core/tokenBucket.ts";

const rate = { perSecond: 10, burst: 3 };

describe("take (10 a second, 3 at once)", () => {
	it("lets a burst through, then spaces the takers 100 ms apart", () => {
		let b: Bucket | undefined;
		const waits: number[] = [];
		for (let i = 0; i < 6; i++) {
			const r = take(b, 0, rate);
			b = r.bucket;
			waits.push(r.waitMs);
		}
		expect(waits).toEqual([0, 0, 0, 100, 200, 300]);
	});

	const cases: [string, Bucket | undefined, number, number, number][] = [
		["a new device has its burst", undefined, 5_000, 0, 2],
		["refills at the rate", { tokens: 0, at: 0 }, 150, 0, 0.5],
		["never above the burst", { tokens: 0, at: 0 }, 60_000, 0, 2],
		["a debt is waited off", { tokens: -2, at: 0 }, 0, 300, -3],
		["a clock stepping back refills nothing", { tokens: 1, at: 1_000 }, 500, 0, 0],
	];
	it.each(cases)("%s", (_, bucket, now, waitMs, tokens) => {
		const r = take(bucket, now, rate);
		expect(r.waitMs).toBe(waitMs);
		expect(r.bucket.tokens).toBeCloseTo(tokens);
	});
});
