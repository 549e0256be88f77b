/**
 * Which values of a line the chart marks with a point. A line joins neighbouring values and a
 * bucket without a figure is a gap, so a value with no figure on either side would not show at
 * all: the first bucket of a day on the occupancy chart (the live count, its history still empty),
 * or one report between two gaps. Short series get a point on every value; long ones (more than
 * `ALL_POINTS_UP_TO` buckets, where points would crowd the line) only on those lone values.
 */
export const ALL_POINTS_UP_TO = 31;

/** The indices of values with no figure before or after them. */
export function lonePoints(values: readonly (number | null)[]): number[] {
	const lone: number[] = [];
	for (let i = 0; i < values.length; i++)
		if (values[i] != null && (values[i - 1] ?? null) === null && (values[i + 1] ?? null) === null) lone.push(i);
	return lone;
}
