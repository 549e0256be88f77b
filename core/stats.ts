/**
 * Small numeric helpers shared by the hall computations: quantiles, means and a seeded generator.
 * Pure; the generator is deterministic for a seed, so an estimate can be reproduced exactly.
 */

/** Returns uniform numbers in [0, 1). */
export type Rng = () => number;

/** mulberry32: 32-bit state, fast, good enough for simulation (not for secrets). */
export function mulberry32(seed: number): Rng {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/**
 * The q-quantile (0 ≤ q ≤ 1) of numbers already sorted ascending, interpolating linearly between
 * the two closest ranks (Hyndman & Fan type 7, the default of R and NumPy). NaN for an empty list.
 */
export function quantileSorted(sorted: readonly number[], q: number): number {
	const n = sorted.length;
	if (n === 0) return Number.NaN;
	const h = (n - 1) * Math.min(1, Math.max(0, q));
	const lo = Math.floor(h);
	const a = sorted[lo] as number;
	const b = sorted[Math.min(n - 1, lo + 1)] as number;
	return a + (h - lo) * (b - a);
}

/** The q-quantile of unsorted numbers (see `quantileSorted`); null for an empty list. */
export function quantile(values: readonly number[], q: number): number | null {
	if (values.length === 0) return null;
	return quantileSorted(
		[...values].sort((a, b) => a - b),
		q,
	);
}

export function median(values: readonly number[]): number | null {
	return quantile(values, 0.5);
}

export function mean(values: readonly number[]): number | null {
	if (values.length === 0) return null;
	let sum = 0;
	for (const v of values) sum += v;
	return sum / values.length;
}
