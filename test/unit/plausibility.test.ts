/** Plausibility bounds of occupancy against a zone's capacity, as a table. */
import { describe, expect, it } from "vitest";
import { OCCUPANCY_BOUNDS, occupancyProblem } from "../../core/plausibility.ts";

describe("occupancyProblem (capacity 120)", () => {
	const cases: [string, { count?: number; in?: number; out?: number }, RegExp | undefined][] = [
		["an empty hall", { count: 0 }, undefined],
		["a full hall", { count: 120 }, undefined],
		["packed to three times the capacity", { count: 360 }, undefined],
		["one more", { count: 361 }, /\/count 361 is more than 3 × the zone's capacity 120/],
		["a forged count", { count: 100_000 }, /\/count 100000/],
		["a few in and out", { in: 3, out: 1 }, undefined],
		["a whole hall through the door at once", { in: 120, out: 120 }, undefined],
		["more than a hall in one message", { in: 121 }, /\/in 121 in one message is more than the zone's capacity 120/],
		["more than a hall out in one message", { in: 0, out: 10_000 }, /\/out 10000/],
	];
	it.each(cases)("%s", (_, data, problem) => {
		const found = occupancyProblem(data, 120);
		if (problem) expect(found).toMatch(problem);
		else expect(found).toBeUndefined();
	});

	it("scales with the zone and the bounds", () => {
		expect(OCCUPANCY_BOUNDS).toEqual({ countFactor: 3, stepFactor: 1 });
		expect(occupancyProblem({ count: 31 }, 10)).toMatch(/capacity 10/);
		expect(occupancyProblem({ in: 25 }, 10, { countFactor: 3, stepFactor: 2 })).toMatch(/2 × the zone's capacity 10/);
		expect(occupancyProblem({ in: 20 }, 10, { countFactor: 3, stepFactor: 2 })).toBeUndefined();
	});
});
