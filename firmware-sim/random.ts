/**
 * The distributions the hall needs, drawn from a seeded generator (`mulberry32` in core/stats.ts),
 * so a simulated day can be replayed exactly in tests and benchmarks.
 */
import type { Rng } from "../core/stats.ts";

export function uniform(rng: Rng, min: number, max: number): number {
	return min + (max - min) * rng();
}

export function chance(rng: Rng, p: number): boolean {
	return rng() < p;
}

/** Exponential with the given mean (gaps between Poisson arrivals). */
export function exponential(rng: Rng, mean: number): number {
	return -mean * Math.log(1 - rng());
}

/** Poisson-distributed count with the given mean (Knuth's method; a normal approximation above 30). */
export function poisson(rng: Rng, mean: number): number {
	if (!(mean > 0)) return 0;
	if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal(rng)));
	const limit = Math.exp(-mean);
	let k = 0;
	let p = rng();
	while (p > limit) {
		k++;
		p *= rng();
	}
	return k;
}

/** Standard normal by Box–Muller. */
export function normal(rng: Rng): number {
	const u = 1 - rng();
	const v = rng();
	return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Log-normal whose mean (not median) is `mean`; `sigma` is the spread of the underlying normal. */
export function lognormal(rng: Rng, mean: number, sigma: number): number {
	const mu = Math.log(mean) - (sigma * sigma) / 2;
	return Math.exp(mu + sigma * normal(rng));
}

/** Picks one item with probability proportional to its weight; undefined when all weights are 0. */
export function pickWeighted<T>(rng: Rng, items: readonly T[], weight: (item: T) => number): T | undefined {
	let total = 0;
	for (const item of items) total += Math.max(0, weight(item));
	if (total <= 0) return undefined;
	let r = rng() * total;
	let last: T | undefined;
	for (const item of items) {
		const w = Math.max(0, weight(item));
		if (w === 0) continue;
		last = item;
		r -= w;
		if (r < 0) return item;
	}
	return last;
}

export function pick<T>(rng: Rng, items: readonly T[]): T | undefined {
	return items[Math.floor(rng() * items.length)];
}
