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
import { type HoursOf, openingCalendar } from "../core/openingHours.ts";
import { localClock, parseInterval, WEEKDAYS, type Weekday } from "../core/time.ts";
import type { ArrivalProfile } from "./behaviour.ts";

/** Relative arrivals by weekday. */
export const WEEKDAY_SHAPE: Readonly<Record<Weekday, number>> = {
	mon: 1.2,
	tue: 1.05,
	wed: 1.0,
	thu: 0.95,
	fri: 0.85,
	sat: 0.7,
	sun: 0.6,
};

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

/** The weekly shape at a local weekday and minute of the day (whether the centre is open is asked apart). */
export function weekShape(weekday: Weekday, minuteOfDay: number): number {
	return WEEKDAY_SHAPE[weekday] * hourShape(minuteOfDay);
}

/** Open minutes in a regular week (holidays aside): the law asks for at least 35 reception hours (DOMAIN.md). */
export function openMinutesPerWeek(hours: Centre["hours"]): number {
	let total = 0;
	for (const d of WEEKDAYS) {
		for (const text of hours[d]) {
			const iv = parseInterval(text);
			total += iv.to - iv.from;
		}
	}
	return total;
}

/**
 * Arrivals that follow the centre's opening hours (core/openingHours.ts, holidays included: the
 * hub's own answer) and the weekly shape, with `meanPerHour` visitors per open hour on average
 * over a regular week. A centre with no open hours gets no visitors.
 */
export function weeklyProfile(centre: HoursOf, meanPerHour: number): ArrivalProfile {
	// Averaged minute by minute over one week of opening hours (at most 10 080 samples).
	let sum = 0;
	let peak = 0;
	let open = 0;
	for (const d of WEEKDAYS) {
		for (const text of centre.hours[d]) {
			const { from, to } = parseInterval(text);
			for (let m = from; m < to; m++) {
				const s = weekShape(d, m + 0.5);
				sum += s;
				open++;
				peak = Math.max(peak, s);
			}
		}
	}
	if (open === 0 || sum === 0 || meanPerHour <= 0) return { perHour: () => 0, maxPerHour: 0 };
	const scale = (meanPerHour * open) / sum;
	const hours = openingCalendar(centre);
	const clock = localClock(centre.timeZone);
	return {
		perHour(atMs) {
			if (!hours.isOpen(atMs)) return 0;
			const t = clock.at(atMs);
			return scale * weekShape(t.weekday, t.minuteOfDay);
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
export function arrivalsFor(centre: HoursOf, rate: number | ArrivalProfile, followHours: boolean): ArrivalProfile {
	if (typeof rate === "number")
		return followHours ? weeklyProfile(centre, rate) : { perHour: () => rate, maxPerHour: rate };
	if (!followHours) return rate;
	const hours = openingCalendar(centre);
	return {
		perHour: (at) => (hours.isOpen(at) ? rate.perHour(at) : 0),
		maxPerHour: openMinutesPerWeek(centre.hours) > 0 ? rate.maxPerHour : 0,
	};
}
