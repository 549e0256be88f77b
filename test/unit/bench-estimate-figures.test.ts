/** The estimate bench's figures for a group chosen by its outcome (bench/estimate.ts). */
import { describe, expect, it } from "vitest";
import { type Compared, coverageIfExact, figures } from "../../bench/estimate.ts";
import { mulberry32 } from "../../core/stats.ts";

const Z90 = 1.2815516;

/** Tickets shown `range`, each with a real wait drawn from exactly what the range says. */
function drawn(range: { low: number; minutes: number; high: number }, n: number, seed: number): Compared[] {
	const rng = mulberry32(seed);
	const out: Compared[] = [];
	for (let i = 0; i < n; i++) {
		// Box–Muller: a standard normal z, then the two-piece log-normal through low, median, high.
		const z = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
		const side = z < 0 ? Math.log(range.minutes / range.low) : Math.log(range.high / range.minutes);
		const real = range.minutes * Math.exp((z * side) / Z90);
		out.push({ ...range, raw: range, baseline: null, real, issuedAt: i });
	}
	return out;
}

describe("coverageIfExact", () => {
	it("is the share of waits over an hour inside their range when the waits follow the ranges", () => {
		// Most tickets told 15 min [5–45], a few 55 min [40–80]: every wait drawn from its range.
		const xs = [
			...drawn({ low: 5, minutes: 15, high: 45 }, 40_000, 1),
			...drawn({ low: 40, minutes: 55, high: 80 }, 4_000, 2),
		];
		const long = figures(xs.filter((x) => x.real > 60));
		const exact = coverageIfExact(xs) as number;
		expect(Math.abs(exact - (long.coverage as number))).toBeLessThan(0.02);
		// 80 % of all inside, yet far fewer of those over an hour: the short ones' tail is outside.
		expect(figures(xs).coverage).toBeCloseTo(0.8, 1);
		expect(exact).toBeLessThan(0.5);
	});

	it("holds none where no range reaches past the hour, and is null without a chance of one", () => {
		const short = drawn({ low: 5, minutes: 10, high: 20 }, 100, 3);
		expect(coverageIfExact(short)).toBe(0);
		expect(coverageIfExact([])).toBeNull();
	});

	it("is 80 % where every range lies well past the hour", () => {
		// Every wait is over the hour (P(W ≤ 60) is nil), and 80 % of them are inside.
		const far = drawn({ low: 120, minutes: 150, high: 190 }, 10, 4);
		expect(coverageIfExact(far)).toBeCloseTo(0.8, 3);
	});
});
