/**
 * Plausibility bounds: what a node reports, held against the centre's own figures. A value past a
 * bound is a broken sensor or a forged message, not a hall, and is refused as `implausible`
 * (docs/errors.md) before it reaches the live view, the public API or an alert.
 * Pure: the zone's capacity comes with the call.
 */
import type { OccupancyData } from "./contract.ts";

export const OCCUPANCY_BOUNDS = {
	/**
	 * A zone's `count`: at most this many times its capacity. The capacity is the planned one; a
	 * hall packed past it still counts (the occupancy alert says so), three times it does not exist.
	 */
	countFactor: 3,
	/**
	 * One message's `in` or `out`: at most this many times the capacity. A door node publishes its
	 * increments every few seconds (`publishEveryS`, default 5): a hall-full through one door in one
	 * message is already beyond any door.
	 */
	stepFactor: 1,
} as const;

/** Why an occupancy message is implausible for a zone of this capacity, or undefined when it is not. */
export function occupancyProblem(
	data: Pick<OccupancyData, "count" | "in" | "out">,
	capacity: number,
	bounds: { countFactor: number; stepFactor: number } = OCCUPANCY_BOUNDS,
): string | undefined {
	const maxCount = bounds.countFactor * capacity;
	if (data.count !== undefined && data.count > maxCount)
		return `/count ${data.count} is more than ${bounds.countFactor} × the zone's capacity ${capacity}`;
	const maxStep = bounds.stepFactor * capacity;
	for (const key of ["in", "out"] as const) {
		const v = data[key];
		if (v !== undefined && v > maxStep)
			return `/${key} ${v} in one message is more than ${bounds.stepFactor === 1 ? "" : `${bounds.stepFactor} × `}the zone's capacity ${capacity}`;
	}
	return undefined;
}
