/**
 * When visitors come: a weekday × hour-of-day shape of the arrival rate, in the centre's local
 * time, zero while the centre is closed. The shape is relative; a profile scales it so that the
 * mean over the open hours of a week is the rate asked for.
 *
 * The shape follows what centres report: the most visitors on Monday and in the late morning,
 * a quieter early afternoon, fewer on Friday and Saturday, and after-work visitors on the one
 * long evening (Tuesday until 20:00 at Kryvyi Rih, DOMAIN.md).
 */
import type { Centre } from "../core/centre.ts";
import type { ArrivalProfile } from "./behaviour.ts";
import { isOpen, localClock, openMinutesPerWeek, type WeekIntervals, weekIntervals } from "./hours.ts";

/** Relative arrivals by weekday, Monday first. */
export const WEEKDAY_SHAPE: readonly number[] = [1.2, 1.05, 1.0, 0.95, 0.85, 0.7, 0.6];

/**
 * Relative arrivals by local hour (index = the hour that starts there). The night values only
 * matter for a centre open then; closed hours give no arrivals whatever the table says.
 */
export const HOUR_SHAPE: readonly number[] = [
	0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.3, 0.5, 0.8, 1.05, 1.35, 1.35, 1.15, 0.85, 0.8, 0.8, 0.75, 0.95, 0.8, 0.55, 0.35,
	0.25, 0.2, 0.2,
];

/** The hour shape at a local minute, linear between the middles of the hours (no steps on the hour). */
export function hourShape(minute: number): number {
	const h = minute / 60 - 0.5;
	const i = Math.floor(h);
	const f = h - i;
	const at = (k: number) => HOUR_SHAPE[Math.min(23, Math.max(0, k))] ?? 0;
	return at(i) * (1 - f) + at(i + 1) * f;
}

/** The weekly shape at a local weekday and minute, 0 when the centre is closed then. */
export function weekShape(week: WeekIntervals, weekday: number, minute: number): number {
	if (!isOpen(week, { weekday, minute })) return 0;
	return (WEEKDAY_SHAPE[weekday] ?? 0) * hourShape(minute);
}

/**
 * Arrivals that follow the centre's opening hours and the weekly shape, with `meanPerHour`
 * visitors per open hour on average over a week. A centre with no open hours gets no visitors.
 */
export function weeklyProfile(centre: Pick<Centre, "hours" | "timeZone">, meanPerHour: number): ArrivalProfile {
	const week = weekIntervals(centre.hours);
	// Averaged minute by minute over one week of opening hours (at most 10 080 samples).
	let sum = 0;
	let peak = 0;
	let open = 0;
	for (let d = 0; d < 7; d++) {
		for (const [from, to] of week[d] ?? []) {
			for (let m = from; m < to; m++) {
				const s = weekShape(week, d, m + 0.5);
				sum += s;
				open++;
				peak = Math.max(peak, s);
			}
		}
	}
	if (open === 0 || sum === 0 || meanPerHour <= 0) return { perHour: () => 0, maxPerHour: 0 };
	const scale = (meanPerHour * open) / sum;
	const clock = localClock(centre.timeZone);
	return {
		perHour(atMs) {
			const t = clock(atMs);
			return scale * weekShape(week, t.weekday, t.minute);
		},
		// The shape is linear between samples a minute apart, so the sampled peak is the true one
		// up to that minute's slope; a little headroom keeps thinning exact.
		maxPerHour: scale * peak * 1.01,
	};
}

/**
 * The hall's arrivals: a constant rate is flat around the clock, or, following opening hours,
 * the weekly shape with that mean; a given profile is used as it is, silenced while closed.
 */
export function arrivalsFor(
	centre: Pick<Centre, "hours" | "timeZone">,
	rate: number | ArrivalProfile,
	followHours: boolean,
): ArrivalProfile {
	if (typeof rate === "number")
		return followHours ? weeklyProfile(centre, rate) : { perHour: () => rate, maxPerHour: rate };
	if (!followHours) return rate;
	const week = weekIntervals(centre.hours);
	const clock = localClock(centre.timeZone);
	return {
		perHour: (at) => (isOpen(week, clock(at)) ? rate.perHour(at) : 0),
		maxPerHour: openMinutesPerWeek(week) > 0 ? rate.maxPerHour : 0,
	};
}
