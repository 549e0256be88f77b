/** Pure formatters for the web page (tested in test/unit/format.test.ts). No clocks: time is an argument. */

import { addDays, isDate, localTime, WEEKDAYS, type Weekday, weekdayOf } from "../../core/time.ts";

export type Lang = "uk" | "en";

/** "12 хв", "1 год 05 хв", "< 1 хв"; negative or missing time counts as none. */
export function formatDuration(seconds: number, lang: Lang = "uk"): string {
	const m = Number.isFinite(seconds) && seconds > 0 ? Math.floor(seconds / 60) : 0;
	const min = lang === "uk" ? "хв" : "min";
	const hr = lang === "uk" ? "год" : "h";
	if (m < 1) return `< 1 ${min}`;
	if (m < 60) return `${m} ${min}`;
	return `${Math.floor(m / 60)} ${hr} ${String(m % 60).padStart(2, "0")} ${min}`;
}

/** Mean rating with one decimal (a decimal comma in Ukrainian), or a dash when nobody rated yet. */
export function formatMean(mean: number | null, lang: Lang = "uk"): string {
	if (mean === null || !Number.isFinite(mean)) return "—";
	const s = mean.toFixed(1);
	return lang === "uk" ? s.replace(".", ",") : s;
}

/** "42 %" in Ukrainian (ДСТУ puts a space before the sign), "42%" in English. */
export function formatPercent(share: number, lang: Lang = "uk"): string {
	const n = Number.isFinite(share) ? Math.round(share * 100) : 0;
	return lang === "uk" ? `${n} %` : `${n}%`;
}

/** How a waiting time compares with the service's target: ok, near (≥ 75 %), over. */
export function waitLevel(seconds: number, targetMin: number): "ok" | "near" | "over" {
	if (!(targetMin > 0)) return "ok";
	const ratio = seconds / (targetMin * 60);
	if (ratio >= 1) return "over";
	if (ratio >= 0.75) return "near";
	return "ok";
}

export type PluralForms = {
	uk: readonly [one: string, few: string, many: string];
	en: readonly [one: string, other: string];
};

/**
 * The noun form that goes with a whole number: Ukrainian has three (1 оцінка, 2 оцінки, 5 оцінок;
 * 11–14 take the third), English two.
 */
export function plural(n: number, forms: PluralForms, lang: Lang = "uk"): string {
	const abs = Math.abs(Math.trunc(n));
	if (lang === "en") return abs === 1 ? forms.en[0] : forms.en[1];
	const d = abs % 10;
	const dd = abs % 100;
	if (d === 1 && dd !== 11) return forms.uk[0];
	if (d >= 2 && d <= 4 && (dd < 12 || dd > 14)) return forms.uk[1];
	return forms.uk[2];
}

/** A number with its noun: "3 оцінки", "1 rating". */
export function countOf(n: number, forms: PluralForms, lang: Lang = "uk"): string {
	return `${n} ${plural(n, forms, lang)}`;
}

/**
 * The short label of a window: "Вікно 3" / "Window 3" for the usual ids `w03`, so cards read alike
 * whatever long name a centre gives a desk (that name is shown beside it); otherwise its name or id.
 */
export function windowLabel(id: string, name: string | undefined, lang: Lang = "uk"): string {
	const m = /^w0*(\d+)$/.exec(id);
	if (m) return `${lang === "uk" ? "Вікно" : "Window"} ${m[1]}`;
	return name || id;
}

const MONTHS_UK = [
	"січня",
	"лютого",
	"березня",
	"квітня",
	"травня",
	"червня",
	"липня",
	"серпня",
	"вересня",
	"жовтня",
	"листопада",
	"грудня",
];
const MONTHS_EN = [
	"January",
	"February",
	"March",
	"April",
	"May",
	"June",
	"July",
	"August",
	"September",
	"October",
	"November",
	"December",
];
const WEEKDAY_NAMES: Record<Lang, Record<Weekday, string>> = {
	uk: {
		mon: "понеділок",
		tue: "вівторок",
		wed: "середа",
		thu: "четвер",
		fri: "пʼятниця",
		sat: "субота",
		sun: "неділя",
	},
	en: {
		mon: "Monday",
		tue: "Tuesday",
		wed: "Wednesday",
		thu: "Thursday",
		fri: "Friday",
		sat: "Saturday",
		sun: "Sunday",
	},
};

/** A centre's local day "2026-11-23" as "понеділок, 23 листопада 2026" / "Monday, 23 November 2026". */
export function formatDay(day: string, lang: Lang = "uk"): string {
	if (!isDate(day)) return day;
	const [y = "", mo = "", d = ""] = day.split("-");
	const month = (lang === "uk" ? MONTHS_UK : MONTHS_EN)[Number(mo) - 1];
	return `${WEEKDAY_NAMES[lang][weekdayOf(day)]}, ${Number(d)} ${month} ${y}`;
}

/** Wall-clock time "09:05" of `ts` in the centre's time zone (24-hour in both languages). */
export function formatClock(ts: number, timeZone: string): string {
	const { hour, minuteOfDay } = localTime(ts, timeZone);
	const minute = Math.floor(minuteOfDay) % 60;
	return `${String(hour).padStart(2, "0")}:${String(minute).padStart(2, "0")}`;
}

/** "2026-11-23 09:05": a date and clock time of `ts` in the centre's time zone (CSV cells, tables). */
export function formatStamp(ts: number, timeZone: string): string {
	return `${localTime(ts, timeZone).day} ${formatClock(ts, timeZone)}`;
}

const numberFormats = new Map<string, Intl.NumberFormat>();

/**
 * A number in the language's way: "1 234,5" in Ukrainian (a space between thousands, a decimal
 * comma), "1,234.5" in English; at most `digits` decimals. A dash for no figure.
 */
export function formatNumber(n: number | null | undefined, lang: Lang = "uk", digits = 0): string {
	if (n === null || n === undefined || !Number.isFinite(n)) return "—";
	const key = `${lang}${digits}`;
	let f = numberFormats.get(key);
	if (!f) {
		f = new Intl.NumberFormat(lang === "uk" ? "uk-UA" : "en-GB", { maximumFractionDigits: digits });
		numberFormats.set(key, f);
	}
	return f.format(n);
}

/** A share 0..1 as a percentage ("82 %" / "82%"), a dash for none. */
export function formatShare(share: number | null | undefined, lang: Lang = "uk"): string {
	if (share === null || share === undefined || !Number.isFinite(share)) return "—";
	return formatPercent(share, lang);
}

/** An NPS-style index with its sign: "+42", "−12" (a true minus sign), "0"; a dash for none. */
export function formatNps(nps: number | null | undefined): string {
	if (nps === null || nps === undefined || !Number.isFinite(nps)) return "—";
	const n = Math.round(nps);
	return n > 0 ? `+${n}` : n < 0 ? `\u2212${-n}` : "0";
}

/** Seconds as minutes with one decimal for charts and tables ("12,5" / "12.5"); a dash for none. */
export function formatMinutes(seconds: number | null | undefined, lang: Lang = "uk"): string {
	if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "—";
	return formatNumber(seconds / 60, lang, 1);
}

/**
 * How the estimates' ranges held: the share of called tickets inside the range shown and the mean
 * of real − shown with its sign ("82 % · +1,3 хв", "79% · −0.4 min"); a dash for none.
 */
export function formatHeld(held: { coverage: number; biasMin: number } | null | undefined, lang: Lang = "uk"): string {
	if (!held) return "—";
	const bias = Math.round(held.biasMin * 10) / 10;
	const sign = bias > 0 ? "+" : bias < 0 ? "\u2212" : "";
	const min = lang === "uk" ? "хв" : "min";
	return `${formatShare(held.coverage, lang)} · ${sign}${formatNumber(Math.abs(bias), lang, 1)} ${min}`;
}

const WEEKDAY_SHORT: Record<Lang, Record<Weekday, string>> = {
	uk: { mon: "пн", tue: "вт", wed: "ср", thu: "чт", fri: "пт", sat: "сб", sun: "нд" },
	en: { mon: "Mon", tue: "Tue", wed: "Wed", thu: "Thu", fri: "Fri", sat: "Sat", sun: "Sun" },
};

export function weekdayShort(day: Weekday, lang: Lang = "uk"): string {
	return WEEKDAY_SHORT[lang][day];
}

export function weekdayName(day: Weekday, lang: Lang = "uk"): string {
	return WEEKDAY_NAMES[lang][day];
}

/** A local day as a short label for axes and tables: "пн 23.11" / "Mon 23/11". */
export function dayLabel(day: string, lang: Lang = "uk"): string {
	if (!isDate(day)) return day;
	const [, mo = "", d = ""] = day.split("-");
	return `${WEEKDAY_SHORT[lang][weekdayOf(day)]} ${lang === "uk" ? `${d}.${mo}` : `${d}/${mo}`}`;
}

/** The Monday of the week a local day is in (weeks start on Monday, as in Ukraine). */
export function weekStart(day: string): string {
	return addDays(day, -WEEKDAYS.indexOf(weekdayOf(day)));
}

/** "09:00–10:00"-style label of an hour of the day (0..23). */
export function hourLabel(hour: number): string {
	return `${String(hour).padStart(2, "0")}:00`;
}
