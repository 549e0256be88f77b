import { describe, expect, it } from "vitest";
import { reconnectDelay } from "../../core/backoff.ts";

describe("reconnectDelay (the edge node's back-off)", () => {
	it("waits between half and all of min × 2^attempt, half of it drawn", () => {
		expect(reconnectDelay(0, 500, 15_000, () => 0)).toBe(250);
		expect(reconnectDelay(0, 500, 15_000, () => 0.999999)).toBeCloseTo(500, 3);
		expect(reconnectDelay(3, 500, 15_000, () => 0)).toBe(2_000);
		expect(reconnectDelay(3, 500, 15_000, () => 0.5)).toBe(3_000);
	});

	it("never waits longer than max, however many attempts failed", () => {
		for (const attempt of [5, 6, 20, 100]) {
			expect(reconnectDelay(attempt, 500, 15_000, () => 0)).toBe(7_500);
			expect(reconnectDelay(attempt, 500, 15_000, () => 0.999999)).toBeLessThanOrEqual(15_000);
		}
	});
});
