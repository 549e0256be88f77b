import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Debouncer } from "../../edge/debounce.ts";
import { IDLE, onBeamBroken, type Passage } from "../../edge/direction.ts";
import { afterPress, classifyPress, type LockoutState } from "../../edge/lockout.ts";

describe("Debouncer (scripted bounce, fake timers)", () => {
	beforeEach(() => {
		vi.useFakeTimers();
	});
	afterEach(() => {
		vi.useRealTimers();
	});

	/** Play [level, msUntilNext] steps and return the accepted changes with their times. */
	function play(ms: number, script: [boolean, number][]) {
		const seen: [boolean, number][] = [];
		const start = Date.now();
		const d = new Debouncer(ms, (a) => seen.push([a, Date.now() - start]));
		for (const [level, wait] of script) {
			d.feed(level);
			vi.advanceTimersByTime(wait);
		}
		vi.advanceTimersByTime(1000);
		return seen;
	}

	it("takes the first edge at once and ignores contact bounce", () => {
		const bounce: [boolean, number][] = [
			[true, 1],
			[false, 2],
			[true, 1],
			[false, 1],
			[true, 200],
			[false, 2],
			[true, 3],
			[false, 200],
		];
		expect(play(30, bounce)).toEqual([
			[true, 0],
			[false, 205],
		]);
	});

	it("does not lose a release that happens inside the quiet window", () => {
		expect(
			play(30, [
				[true, 10],
				[false, 100],
			]),
		).toEqual([
			[true, 0],
			[false, 30],
		]);
	});

	it("counts two real presses apart from each other", () => {
		const seen = play(30, [
			[true, 50],
			[false, 50],
			[true, 50],
			[false, 50],
		]);
		expect(seen.filter(([a]) => a)).toHaveLength(2);
	});

	it("passes every edge through with debounce 0", () => {
		expect(
			play(0, [
				[true, 1],
				[false, 1],
				[true, 1],
			]),
		).toEqual([
			[true, 0],
			[false, 1],
			[true, 2],
		]);
	});
});

describe("rating lockout", () => {
	it.each([
		{ presses: [0], want: ["rating"] },
		{ presses: [0, 3_000, 9_999], want: ["rating", "extra", "extra"] },
		{ presses: [0, 10_000], want: ["rating", "rating"] },
		// Extra presses do not extend the lockout.
		{ presses: [0, 9_000, 12_000], want: ["rating", "extra", "rating"] },
		{ presses: [0, 12_000, 15_000, 22_000], want: ["rating", "rating", "extra", "rating"] },
	])("presses at $presses → $want", ({ presses, want }) => {
		let s: LockoutState = { lastRatingAt: null };
		const got = presses.map((at) => {
			const c = classifyPress(s, 1_700_000_000_000 + at, 10_000);
			s = afterPress(s, c, 1_700_000_000_000 + at);
			return c;
		});
		expect(got).toEqual(want);
	});
});

describe("door direction from two beams", () => {
	const run = (breaks: ["outer" | "inner", number][]) => {
		let s = IDLE;
		const out: Passage[] = [];
		for (const [beam, at] of breaks) {
			const r = onBeamBroken(s, beam, at, 1500);
			s = r.state;
			if (r.passage) out.push(r.passage);
		}
		return out;
	};
	it.each([
		{
			name: "outer then inner is in",
			breaks: [
				["outer", 0],
				["inner", 300],
			],
			want: ["in"],
		},
		{
			name: "inner then outer is out",
			breaks: [
				["inner", 0],
				["outer", 300],
			],
			want: ["out"],
		},
		{
			name: "too far apart is nothing",
			breaks: [
				["outer", 0],
				["inner", 2000],
			],
			want: [],
		},
		{
			name: "a turn-back at the outer beam is nothing",
			breaks: [
				["outer", 0],
				["outer", 500],
			],
			want: [],
		},
		{
			name: "two people one after another",
			breaks: [
				["outer", 0],
				["inner", 200],
				["outer", 900],
				["inner", 1200],
			],
			want: ["in", "in"],
		},
	] as { name: string; breaks: ["outer" | "inner", number][]; want: Passage[] }[])("$name", ({ breaks, want }) => {
		expect(run(breaks)).toEqual(want);
	});
});
