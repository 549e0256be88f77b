/**
 * Local time of a centre: its dates, days, hours and minutes in the centre's own time zone, never
 * UTC — the one place the project turns instants into wall-clock time and back.
 *
 *   localDay(ts, zone) → "2026-11-23"; startOfLocalDay / endOfLocalDay / daySpan → the day's instants
 *   localTime(ts, zone) → { day, weekday, hour, minuteOfDay }
 *   localClock(zone) → the same, cached, for many instants (a store's rows, a simulated week)
 *   midnight(day, zone), instantOf(day, minuteOfDay, zone) → wall-clock time back to an instant
 *   addDays, daysBetween, weekdayOf, isDate: plain calendar arithmetic on "YYYY-MM-DD"
 *   readInterval / parseInterval: "HH:MM-HH:MM" → minutes since local midnight
 *
 * A local day has 23 or 25 hours when the clocks change (in Kyiv the last Sundays of March and
 * October, at 03:00 and 04:00 local time), so a day's end is the next local midnight, never
 * start + 24 h. A wall-clock time the spring change skips (03:30) moves on by the change (04:30);
 * one the autumn change repeats is its first occurrence — as JavaScript's Temporal does
 * ("compatible"). Built on `Intl` (the runtime's time-zone database). Pure: every instant is an
 * argument, nothing reads the process's clock; the caches only remember results.
 */
/** The days of the week, Monday first (the keys of a centre's `hours`). */
export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Wall-clock time of an instant in a time zone. */
export interface LocalTime {
	/** Local date "2026-03-29". */
	day: string;
	weekday: Weekday;
	/** 0..23. */
	hour: number;
	/** Minutes since local midnight, with their fraction (09:30:30 → 570.5). */
	minuteOfDay: number;
}

/** A local day as instants: [start, end), epoch ms. */
export interface DaySpan {
	day: string;
	start: number;
	end: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();

function formatOf(timeZone: string): Intl.DateTimeFormat {
	let f = formats.get(timeZone);
	if (!f) {
		f = new Intl.DateTimeFormat("en-US", {
			timeZone,
			hourCycle: "h23",
			year: "numeric",
			month: "2-digit",
			day: "2-digit",
			hour: "2-digit",
			minute: "2-digit",
			second: "2-digit",
		});
		formats.set(timeZone, f);
	}
	return f;
}

/** Whether the runtime knows `timeZone` (an IANA name such as "Europe/Kyiv"). */
export function isTimeZone(timeZone: string): boolean {
	try {
		formatOf(timeZone);
		return true;
	} catch {
		return false;
	}
}

/**
 * Offsets already computed, by zone and second. Intl's formatToParts costs ~10 µs a call, and a
 * hub of a thousand centres asks for the same few seconds in the same zone for every centre
 * (opening hours, days): without this, its periodic figures took seconds of CPU and held up
 * connections. Exact (one entry per second), and bounded (emptied when full).
 */
const offsets = new Map<string, number>();
const MAX_OFFSETS = 50_000;

/** The zone's offset from UTC at `ts`, in ms (Kyiv: +2 h in winter, +3 h in summer). */
export function zoneOffset(ts: number, timeZone: string): number {
	const second = Math.floor(ts / 1000) * 1000;
	const key = `${timeZone} ${second}`;
	const known = offsets.get(key);
	if (known !== undefined) return known;
	if (offsets.size >= MAX_OFFSETS) offsets.clear();
	const offset = computeOffset(second, timeZone);
	offsets.set(key, offset);
	return offset;
}

function computeOffset(second: number, timeZone: string): number {
	const p: Record<string, number> = {};
	for (const part of formatOf(timeZone).formatToParts(second)) if (part.type !== "literal") p[part.type] = +part.value;
	const wall = Date.UTC(p.year ?? 1970, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0, p.second ?? 0);
	return wall - second;
}

/** Days since 1970-01-01 → "YYYY-MM-DD". */
function dateOf(dayNumber: number): string {
	return new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
}

/** "YYYY-MM-DD" → days since 1970-01-01 (NaN when it is no date). */
function dayNumberOf(day: string): number {
	const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
	if (!m) return Number.NaN;
	const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
	const t = Date.UTC(y, mo - 1, d);
	const back = new Date(t);
	if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return Number.NaN;
	return t / DAY_MS;
}

/** Whether `day` is "YYYY-MM-DD" and a day of the calendar ("2026-02-30" is not). */
export function isDate(day: string): boolean {
	return !Number.isNaN(dayNumberOf(day));
}

function checkedDayNumber(day: string): number {
	const n = dayNumberOf(day);
	if (Number.isNaN(n)) throw new RangeError(`"${day}" is not a date "YYYY-MM-DD" of the calendar`);
	return n;
}

/** The date `n` days after `day` (before, for n < 0). */
export function addDays(day: string, n: number): string {
	return dateOf(checkedDayNumber(day) + n);
}

/** Days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
	return checkedDayNumber(to) - checkedDayNumber(from);
}

const weekdayAt = (dayNumber: number): Weekday => WEEKDAYS[(((dayNumber + 3) % 7) + 7) % 7] as Weekday; // 1970-01-01: thu

/** "mon" … "sun" of a date "YYYY-MM-DD". */
export function weekdayOf(day: string): Weekday {
	return weekdayAt(checkedDayNumber(day));
}

/** Wall-clock time of `ts` in `timeZone`. */
export function localTime(ts: number, timeZone: string): LocalTime {
	const wall = ts + zoneOffset(ts, timeZone);
	const dayNumber = Math.floor(wall / DAY_MS);
	const ms = wall - dayNumber * DAY_MS;
	return {
		day: dateOf(dayNumber),
		weekday: weekdayAt(dayNumber),
		hour: Math.floor(ms / HOUR_MS),
		minuteOfDay: ms / MINUTE_MS,
	};
}

/**
 * The instant of wall-clock time `minuteOfDay` (1440 = the next midnight) on local date `day`.
 * Skipped by the spring change: moved on by the change; repeated in autumn: the first occurrence.
 */
export function instantOf(day: string, minuteOfDay: number, timeZone: string): number {
	const wall = checkedDayNumber(day) * DAY_MS + minuteOfDay * MINUTE_MS;
	// A zone changes its offset at most once within two days, so the offsets a day either side are
	// the two this wall time can have.
	const before = zoneOffset(wall - DAY_MS, timeZone);
	const after = zoneOffset(wall + DAY_MS, timeZone);
	const early = wall - before;
	if (before === after) return early;
	const late = wall - after;
	const earlyFits = zoneOffset(early, timeZone) === before;
	const lateFits = zoneOffset(late, timeZone) === after;
	if (earlyFits && lateFits) return Math.min(early, late);
	if (lateFits) return late;
	// Fits with the earlier offset, or with neither: skipped, so read with the offset before the change.
	return early;
}

/** Epoch ms of local midnight starting `day`. */
export function midnight(day: string, timeZone: string): number {
	return instantOf(day, 0, timeZone);
}

/**
 * The last local day looked up per time zone. Events arrive in time order, so almost every
 * lookup falls into the same day; this turns a time-zone computation per event into a compare.
 * A cache of a pure function: the results are the same with or without it.
 */
const lastSpan = new Map<string, DaySpan>();

/** The local day containing `ts`, with its start and end (the next local midnight: 23, 24 or 25 h later). */
export function daySpan(ts: number, timeZone: string): DaySpan {
	const hit = lastSpan.get(timeZone);
	if (hit && ts >= hit.start && ts < hit.end) return hit;
	const day = localTime(ts, timeZone).day;
	const s: DaySpan = { day, start: midnight(day, timeZone), end: midnight(addDays(day, 1), timeZone) };
	lastSpan.set(timeZone, s);
	return s;
}

/** "2026-11-23": the local date of `ts` in `timeZone`. */
export function localDay(ts: number, timeZone: string): string {
	return daySpan(ts, timeZone).day;
}

/** Epoch ms of local midnight starting the day that contains `ts`. */
export function startOfLocalDay(ts: number, timeZone: string): number {
	return daySpan(ts, timeZone).start;
}

/** Epoch ms of the next local midnight after `ts`. */
export function endOfLocalDay(ts: number, timeZone: string): number {
	return daySpan(ts, timeZone).end;
}

/** Wall-clock time of many instants in one zone, each quarter hour worked out once. */
export interface LocalClock {
	readonly timeZone: string;
	/** Wall-clock time of `ts` (the same as `localTime(ts, timeZone)`). */
	at(ts: number): LocalTime;
	/** Epoch ms of local midnight starting `day` (the same as `midnight(day, timeZone)`). */
	midnight(day: string): number;
}

const QUARTER_MS = 15 * MINUTE_MS;
const CACHE_LIMIT = 50_000;

interface Quarter {
	day: string;
	weekday: Weekday;
	/** Wall-clock ms (as if UTC) of the day's midnight. */
	dayWall: number;
	offset: number;
}

/**
 * A cached `localTime` for one zone: offsets change only on a quarter hour (every zone in use
 * today), so all instants of one UTC quarter hour share an offset and a date. For callers that
 * ask about many instants: a store writing rows, a simulator playing a week.
 */
export function localClock(timeZone: string): LocalClock {
	if (!isTimeZone(timeZone)) throw new RangeError(`unknown time zone "${timeZone}"`);
	const quarters = new Map<number, Quarter>();
	const midnights = new Map<string, number>();
	let lastSlot = Number.NaN;
	let last: Quarter | undefined;
	const quarter = (ts: number): Quarter => {
		const slot = Math.floor(ts / QUARTER_MS);
		if (slot === lastSlot && last) return last;
		let q = quarters.get(slot);
		if (!q) {
			const offset = zoneOffset(slot * QUARTER_MS, timeZone);
			const dayNumber = Math.floor((slot * QUARTER_MS + offset) / DAY_MS);
			q = { day: dateOf(dayNumber), weekday: weekdayAt(dayNumber), dayWall: dayNumber * DAY_MS, offset };
			if (quarters.size >= CACHE_LIMIT) quarters.clear();
			quarters.set(slot, q);
		}
		lastSlot = slot;
		last = q;
		return q;
	};
	return {
		timeZone,
		at(ts) {
			const q = quarter(ts);
			const ms = ts + q.offset - q.dayWall;
			return { day: q.day, weekday: q.weekday, hour: Math.floor(ms / HOUR_MS), minuteOfDay: ms / MINUTE_MS };
		},
		midnight(day) {
			let t = midnights.get(day);
			if (t === undefined) {
				t = midnight(day, timeZone);
				if (midnights.size >= CACHE_LIMIT) midnights.clear();
				midnights.set(day, t);
			}
			return t;
		},
	};
}

/** An opening interval of a local day in minutes since midnight, [from, to); `to` may be 1440 (24:00). */
export interface Interval {
	from: number;
	to: number;
}

const INTERVAL_FORM = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/;

/**
 * "09:00-16:00" → { from: 540, to: 960 }, or what is wrong with it: the form, a time that is no
 * time of day (24:00 only closes a day), or a close before the opening.
 */
export function readInterval(text: string): { ok: true; interval: Interval } | { ok: false; message: string } {
	const m = INTERVAL_FORM.exec(text);
	if (!m) return { ok: false, message: `interval "${text}" is not of the form "HH:MM-HH:MM" (e.g. "09:00-16:00")` };
	const [fh, fm, th, tm] = [m[1], m[2], m[3], m[4]].map(Number) as [number, number, number, number];
	const from = fh * 60 + fm;
	const to = th * 60 + tm;
	const [fromText, toText] = text.split("-") as [string, string];
	if (fh > 23 || fm > 59)
		return { ok: false, message: `interval "${text}": ${fromText} is not a time of day (00:00 to 23:59)` };
	if (th > 24 || tm > 59 || (th === 24 && tm > 0))
		return { ok: false, message: `interval "${text}": ${toText} is not a time of day (00:00 to 24:00)` };
	if (to <= from) return { ok: false, message: `interval "${text}" closes before it opens` };
	return { ok: true, interval: { from, to } };
}

/** "09:00-16:00" → { from: 540, to: 960 }; throws a RangeError saying what is wrong otherwise. */
export function parseInterval(text: string): Interval {
	const r = readInterval(text);
	if (!r.ok) throw new RangeError(r.message);
	return r.interval;
}
