/** The hub's bound on ratings per window and minute, as tables. */
import { describe, expect, it } from "vitest";
import { forget, isBurst, RATING_BURST, remember } from "../../core/ratingBurst.ts";

const S = 1_000;
const T = 1_760_000_000_000;

describe("isBurst (6 a minute)", () => {
	const cases: [string, number[], number, boolean][] = [
		["the first rating", [], T, false],
		["a sixth within a minute", [0, 10, 20, 30, 40].map((s) => T + s * S), T + 50 * S, false],
		["a seventh within a minute", [0, 10, 20, 30, 40, 50].map((s) => T + s * S), T + 55 * S, true],
		["one a minute after the first of six", [0, 10, 20, 30, 40, 50].map((s) => T + s * S), T + 60 * S, false],
		["one every ten seconds forever", [10, 20, 30, 40, 50].map((s) => T + s * S), T + 60 * S, false],
		["a late one among six", [0, 10, 20, 30, 40, 50].map((s) => T + s * S), T + 25 * S, true],
		["an old one, judged by its own minute", [0, 10, 20, 30, 40, 50].map((s) => T + 3600 * S + s * S), T, false],
	];
	it.each(cases)("%s", (_, counted, ts, burst) => {
		expect(isBurst(counted, ts)).toBe(burst);
	});
});

describe("remember and forget", () => {
	it("keeps the latest added, and takes one back", () => {
		let counted: number[] = [];
		for (let i = 0; i < 40; i++) counted = remember(counted, T + i * S);
		expect(counted.length).toBe(RATING_BURST.keep);
		expect(counted[0]).toBe(T + (40 - RATING_BURST.keep) * S);
		expect(forget([T, T + S, T], T)).toEqual([T, T + S]);
		expect(forget([T], T + S)).toEqual([T]);
	});

	it("counts a flood of a hundred presses as six ratings", () => {
		let counted: number[] = [];
		let bursts = 0;
		for (let i = 0; i < 100; i++) {
			const ts = T + i * 100;
			if (isBurst(counted, ts)) bursts++;
			else counted = remember(counted, ts);
		}
		expect(bursts).toBe(94);
	});
});
