/** The chart's points: a value with no neighbour to draw a line to is still drawn. */
import { describe, expect, it } from "vitest";
import { lonePoints } from "../../dashboard/web/chartPoints.ts";

describe("lonePoints", () => {
	it.each([
		["the live bucket alone at the end (a day's first quarter hour)", [null, null, null, 7], [3]],
		["one report between gaps", [null, 4, null, null, 5, 6], [1]],
		["at the start, then a gap", [3, null, 2, 2], [0]],
		["a line: no point needed", [1, 2, 3], []],
		["zero is a figure, not a gap", [0, null, 0, 0], [0]],
		["nothing at all", [null, null], []],
		["no values", [], []],
	] as [string, (number | null)[], number[]][])("%s", (_, values, lone) => {
		expect(lonePoints(values)).toEqual(lone);
	});
});
