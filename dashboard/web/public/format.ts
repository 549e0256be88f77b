/**
 * Pure formatters of the residents' side (tested in test/unit/public-format.test.ts). No clocks:
 * `now` is the hub's time from the answer (`at`), so a closed centre reads "opens tomorrow" by the
 * hub's calendar, not the phone's.
 */
import { addDays, localTime, type Weekday } from "../../../core/time.ts";
import { fill, type Lang, WORDS } from "./i18n.ts";

export interface BandLike {
	minutes: number;
	low: number;
	high: number;
}

/** The step a band's ends are rounded to: minutes under 10, five under an hour, quarters beyond. */
function stepFor(minutes: number): number {
	if (minutes <= 10) return 1;
	if (minutes <= 60) return 5;
	return 15;
}

function duration(minutes: number, lang: Lang): string {
	const w = WORDS[lang];
	if (minutes < 60) return `${minutes} ${w.min}`;
	const h = Math.floor(minutes / 60);
	const m = minutes % 60;
	return m ? `${h} ${w.hr} ${m} ${w.min}` : `${h} ${w.hr}`;
}

/**
 * The estimate as a band a resident reads at a glance: "10–20 хв", "до 5 хв", "45 хв – 1 год 15 хв".
 * The high end is rounded up — to whole minutes up to 10, to 5 minutes up to an hour, to quarters of
 * an hour beyond — and the low end down in the same grain (quarters from an hour), so the band never
 * claims more precision than it has and never gets narrower than the estimate's range; a band with
 * both ends equal is widened by one step.
 */
export function bandText(band: BandLike, lang: Lang = "uk"): string {
	const w = WORDS[lang];
	const highRaw = Math.max(0, band.high, band.minutes);
	const stepHigh = stepFor(highRaw);
	let high = Math.max(1, Math.ceil(highRaw / stepHigh) * stepHigh);
	const lowRaw = Math.max(0, Math.min(band.low, band.minutes));
	// Both ends in the same grain under an hour ("5–20", not "8–20"); quarters beyond.
	const stepLow = lowRaw >= 60 ? 15 : Math.min(5, stepHigh);
	const low = Math.floor(lowRaw / stepLow) * stepLow;
	if (low >= high) high = low + stepFor(low);
	if (low <= 0) return `${w.upTo} ${duration(high, lang)}`;
	if (high < 60) return `${low}–${high} ${w.min}`;
	if (low >= 60 && low % 60 === 0 && high % 60 === 0) return `${low / 60}–${high / 60} ${w.hr}`;
	return `${duration(low, lang)} – ${duration(high, lang)}`;
}

/** Why there is no estimate, in words; a reason this version does not know reads "no estimate". */
export function reasonText(reason: string | undefined, lang: Lang = "uk"): string {
	const w = WORDS[lang];
	switch (reason) {
		case "closed":
			return w.reasonClosed;
		case "no_window_open":
			return w.reasonNoWindow;
		case "no_service_times":
			return w.reasonNoData;
		default:
			return w.noEstimate;
	}
}

/** "9:00", "14:30": the centre's wall-clock time of `ts` (hours not padded, as said aloud). */
export function clockText(ts: number, timeZone: string): string {
	const { minuteOfDay } = localTime(ts, timeZone);
	const m = Math.floor(minuteOfDay);
	return `${Math.floor(m / 60)}:${String(m % 60).padStart(2, "0")}`;
}

/** "HH:MM" as said aloud: "09:00" → "9:00". */
export function clockOf(hhmm: string): string {
	return hhmm.replace(/^0(\d)/, "$1");
}

/** An opening interval as read: "09:00-16:00" → "9:00–16:00". */
export function intervalText(interval: string): string {
	return interval.split("-").map(clockOf).join("–");
}

/** "завтра о 9:00", "у понеділок о 9:00", "on 2 January at 9:00": when `at` comes, seen from `now`. */
export function whenText(at: number, now: number, timeZone: string, lang: Lang = "uk"): string {
	const w = WORDS[lang];
	const today = localTime(now, timeZone).day;
	const then = localTime(at, timeZone);
	const time = `${w.at} ${clockText(at, timeZone)}`;
	if (then.day === today) return `${w.today} ${time}`;
	if (then.day === addDays(today, 1)) return `${w.tomorrow} ${time}`;
	if (then.day < addDays(today, 7)) return `${w.weekdaysOn[then.weekday as Weekday]} ${time}`;
	const [, month = "1", day = "1"] = then.day.split("-");
	const date = new Intl.DateTimeFormat(lang === "uk" ? "uk-UA" : "en-GB", {
		day: "numeric",
		month: "long",
		timeZone: "UTC",
	}).format(Date.UTC(2000, Number(month) - 1, Number(day)));
	return lang === "uk" ? `${date} ${time}` : `on ${date} ${time}`;
}

export interface OpenLike {
	now: boolean;
	nextChange: { at: number; open: boolean } | null;
}

/** "Відчинено до 16:00" / "Зачинено — відчиниться завтра о 9:00". */
export function openText(open: OpenLike, now: number, timeZone: string, lang: Lang = "uk"): string {
	const w = WORDS[lang];
	const next = open.nextChange;
	if (open.now) return next ? `${w.openUntil} ${clockText(next.at, timeZone)}` : w.open;
	if (!next) return w.closedNoInfo;
	return `${w.closed} — ${w.opens} ${whenText(next.at, now, timeZone, lang)}`;
}

/** The hall's load label in words (quiet / usual / busy), or the "no data" word. */
export function labelText(label: string | null | undefined, lang: Lang = "uk", short = false): string {
	const w = WORDS[lang];
	switch (label) {
		case "quiet":
			return short ? w.quietShort : w.quiet;
		case "usual":
			return short ? w.usualShort : w.usual;
		case "busy":
			return short ? w.busyShort : w.busy;
		default:
			return short ? w.unknownShort : w.noData;
	}
}

/** "Дані станом на 14:05: система центру не відповідає." */
export function staleText(ts: number, timeZone: string, lang: Lang = "uk"): string {
	return fill(WORDS[lang].stale, { time: clockText(ts, timeZone) });
}

/** The short label of a window: "7" for the usual ids `w07`, else its name. */
export function windowNumber(id: string, name: string): string {
	const m = /^w0*(\d+)$/.exec(id);
	return m ? (m[1] as string) : name;
}

/** The best hour left today of a service: its quietest labelled hour, the earliest among equals. */
export function bestHour(hours: readonly { hour: number; label: string | null; waitMin: number | null }[]) {
	const rank = (l: string | null) => (l === "quiet" ? 0 : l === "usual" ? 1 : l === "busy" ? 2 : 3);
	let best: (typeof hours)[number] | undefined;
	for (const h of hours) {
		if (h.label === null) continue;
		if (
			!best ||
			rank(h.label) < rank(best.label) ||
			(rank(h.label) === rank(best.label) && (h.waitMin ?? 1e9) < (best.waitMin ?? 1e9))
		)
			best = h;
	}
	return best;
}
