/**
 * Service levels per service and local day, from queue events.
 *
 *   queueRecord(ts, data, derived?) → QueueRecord   (from a stored queue event)
 *   serviceLevels(records, centre) → ServiceLevel[]
 *
 * Days are local dates of the centre's time zone, not UTC — a ticket called at 00:30 Kyiv
 * time belongs to that date even though it is still the previous day in UTC. A figure
 * belongs to the day of the event that ends it: a wait to the day of the call, a service time to
 * the day of the finish.
 *
 * Per service and day:
 * - `issued`, `called` (first calls), `served` (finished), `noShows`, `cancelled`, `transferred`;
 *   a ticket sent on to another service counts in `issued`, `called` and its wait for the service
 *   it was issued for, in `transferred` there, and in `served` / `noShows` / `cancelled` (and its
 *   service time) for the service it ended in;
 * - `withinTarget`: of the called tickets whose wait is known (`waitKnown`), the share that waited
 *   at most the service's `targetWaitMin` (`withinTargetCount`; a no-show was waited for too, so it
 *   counts) — the counts let a reader add days up exactly;
 * - `noShowShare`: no-shows ÷ tickets called;
 * - `wait` and `serviceTime`: mean and 90th percentile (linear between ranks), seconds.
 * Tickets are counted from each day's ledger (core/ticketLedger.ts), the same fold the live hall
 * keeps, so a report and the live figures agree whatever order the events arrived in: a ticket
 * issued twice is issued once, one finished twice is served once, a no-show that was later
 * finished is served. Waits and service times are computed from the events themselves (first
 * call − issue; finish − start, or − the call at that window), and otherwise taken from the values
 * ingest stored (`wait_s`, `service_s`).
 * A wait of a ticket called just after midnight runs from its issue the calendar day before, so a
 * day's figures read its own events and the day before's; `serviceLevels(records, centre, [from,
 * to])` takes the day before `from` for that alone. `dayTallies` and `levelsOf` are its two
 * halves: a day's counts and values, then the centre's targets — the SQLite store keeps the first
 * per day, so a year's report reads a year of tallies rather than a year of events.
 * A row with `service: "*"` per day sums every service (its `withinTarget` uses each ticket's own
 * service target). Shares and figures are null when there is nothing to measure.
 */
import Type, { type Static } from "typebox";
import type { Centre } from "./centre.ts";
import type { QueueData, QueueEventType } from "./contract.ts";
import { Count, orNull } from "./schemaParts.ts";
import { mean, quantile } from "./stats.ts";
import {
	firstCallAt,
	isWaiting,
	type Ledger,
	record,
	type Serves,
	servedFrom,
	serviceNow,
	wasCalled,
} from "./ticketLedger.ts";
import { addDays, localDay } from "./time.ts";

export interface QueueRecord {
	/** The event's id (ties of time are broken by it, as in the live hall). */
	id?: string;
	ts: number;
	event: QueueEventType;
	ticket: string;
	service: string;
	window?: string;
	priority?: string;
	/** On `transferred`: the service it went on to. */
	to?: string;
	/** Stored by ingest on `called`. */
	wait_s?: number;
	/** Stored by ingest on `finished`. */
	service_s?: number;
}

export const Spread = Type.Object({
	meanS: orNull(Type.Number({ description: "Mean, seconds (one decimal)" })),
	p90S: orNull(Type.Number({ description: "90th percentile, seconds (one decimal)" })),
});

export const ServiceLevel = Type.Object({
	day: Type.String({ description: "Local date, YYYY-MM-DD" }),
	/** Service id, or "*" for all services of the day. */
	service: Type.String({ description: 'Service id, or "*" for all services of the day' }),
	targetWaitMin: orNull(Type.Integer()),
	issued: Count,
	called: Count,
	served: Count,
	noShows: Count,
	cancelled: Count,
	transferred: Type.Integer({ minimum: 0, description: "Tickets issued for this service sent on to another" }),
	withinTarget: orNull(Type.Number({ description: "Share of called tickets that waited at most the target, 0..1" })),
	/** The counts behind `withinTarget`, so shares of several days add up exactly. */
	waitKnown: Type.Integer({ minimum: 0, description: "Called tickets whose wait is known" }),
	withinTargetCount: Type.Integer({ minimum: 0, description: "Of them, those that waited at most the target" }),
	noShowShare: orNull(Type.Number({ description: "No-shows ÷ tickets called, 0..1" })),
	wait: Spread,
	serviceTime: Spread,
});

export type Spread = Static<typeof Spread>;
export type ServiceLevel = Static<typeof ServiceLevel>;

/** A record from a stored queue event: its payload and the values derived at ingest. */
export function queueRecord(
	ts: number,
	data: Record<string, unknown>,
	derived: { wait_s?: number; service_s?: number } = {},
): QueueRecord {
	const r: QueueRecord = {
		...(typeof data.id === "string" ? { id: data.id } : {}),
		ts,
		event: data.event as QueueEventType,
		ticket: String(data.ticket ?? ""),
		service: String(data.service ?? ""),
	};
	if (typeof data.window === "string") r.window = data.window;
	if (typeof data.priority === "string") r.priority = data.priority;
	if (typeof data.to === "string") r.to = data.to;
	if (derived.wait_s !== undefined) r.wait_s = derived.wait_s;
	if (derived.service_s !== undefined) r.service_s = derived.service_s;
	return r;
}

/** What the reports need of a centre (windows: for `service_not_served`; all serve all without). */
type Layout = Pick<Centre, "timeZone" | "services"> & { windows?: Centre["windows"] };

/**
 * What one service (or "*", every service) did on one local day, before the centre's targets are
 * applied: the counts, and every known wait and service time in the order the fold met them (so a
 * mean sums them in the same order wherever it is computed). JSON as it is: the SQLite store keeps
 * it per day (store/sqliteRollup.ts).
 */
export interface DayTally {
	issued: number;
	called: number;
	served: number;
	noShows: number;
	cancelled: number;
	transferred: number;
	waits: number[];
	services: number[];
}

/** Local day → service (and "*") → its tally. */
export type DayTallies = Map<string, Map<string, DayTally>>;

const round1 = (x: number | null) => (x === null ? null : Math.round(x * 10) / 10);
const spread = (xs: number[]): Spread => ({ meanS: round1(mean(xs)), p90S: round1(quantile(xs, 0.9)) });

/** Each local day's ledger of tickets (the same fold as the live hall), with the stored figures. */
function ledgers(records: readonly QueueRecord[], timeZone: string) {
	// Whether a window serves a service only marks anomalies, which no figure here reads.
	const serves: Serves = () => true;
	const days = new Map<string, { ledger: Ledger; stored: Map<string, { wait_s?: number; service_s?: number }> }>();
	let n = 0;
	for (const r of records) {
		const day = localDay(r.ts, timeZone);
		let d = days.get(day);
		if (!d) {
			d = { ledger: new Map(), stored: new Map() };
			days.set(day, d);
		}
		const q: QueueData = {
			id: r.id ?? `r${n}`,
			ts: r.ts,
			event: r.event,
			ticket: r.ticket,
			service: r.service,
			...(r.window !== undefined ? { window: r.window } : {}),
			...(r.priority !== undefined ? { priority: r.priority } : {}),
			...(r.to !== undefined ? { to: r.to } : {}),
		};
		n++;
		record(d.ledger, q.id, r.ts, q, serves);
		const kept = d.stored.get(r.ticket) ?? {};
		if (r.event === "called" && r.wait_s !== undefined && kept.wait_s === undefined) kept.wait_s = r.wait_s;
		if (r.event === "finished" && r.service_s !== undefined && kept.service_s === undefined)
			kept.service_s = r.service_s;
		d.stored.set(r.ticket, kept);
	}
	return days;
}

/**
 * The tallies of every local day the records touch, or of the days in `only` ([from, to]): a day's
 * figures need its own events and the day before's (a ticket issued in the evening and called
 * after midnight), so records of the day before `from` may be given and are read for that alone.
 */
export function dayTallies(records: readonly QueueRecord[], timeZone: string, only?: [string, string]): DayTallies {
	const out: DayTallies = new Map();
	const days = ledgers(records, timeZone);
	for (const [day, { ledger, stored }] of [...days].sort(([a], [b]) => (a < b ? -1 : 1))) {
		if (only && (day < only[0] || day > only[1])) continue;
		const tallies = new Map<string, DayTally>();
		const tally = (service: string) => {
			let t = tallies.get(service);
			if (!t) {
				t = { issued: 0, called: 0, served: 0, noShows: 0, cancelled: 0, transferred: 0, waits: [], services: [] };
				tallies.set(service, t);
			}
			return t;
		};
		// The calendar day before, whichever days the records hold.
		const yesterday = days.get(addDays(day, -1))?.ledger;
		for (const r of ledger.values()) {
			const both = [tally(r.service), tally("*")];
			const kept = stored.get(r.ticket) ?? {};
			if (r.issued > 0) for (const x of both) x.issued++;
			if (r.transfers > 0) for (const x of both) x.transferred++;
			// The outcome belongs to the service it ended in (its latest transfer's).
			const ended = [serviceNow(r) === r.service ? both[0] : tally(serviceNow(r)), both[1]] as DayTally[];
			if (wasCalled(r)) {
				const first = firstCallAt(r);
				// Called just after midnight: issued the evening before and still waiting then.
				const before = yesterday?.get(r.ticket);
				const issuedAt =
					r.issuedAt ?? (before && isWaiting(before) && before.service === r.service ? before.issuedAt : undefined);
				// The wait from the events themselves, or else the value ingest stored.
				const wait =
					first !== undefined && issuedAt !== undefined ? Math.max(0, (first - issuedAt) / 1000) : kept.wait_s;
				for (const x of both) {
					x.called++;
					if (wait !== undefined) x.waits.push(wait);
				}
			}
			if (r.finished) {
				const at = r.finished.window;
				const from = at !== undefined ? servedFrom(r, at) : undefined;
				const took = from !== undefined && from <= r.finished.ts ? (r.finished.ts - from) / 1000 : kept.service_s;
				for (const x of ended) {
					x.served++;
					if (took !== undefined) x.services.push(took);
				}
			} else if (r.noShow) for (const x of ended) x.noShows++;
			else if (r.cancelled) for (const x of ended) x.cancelled++;
		}
		out.set(day, tallies);
	}
	return out;
}

/**
 * The service-level rows of days' tallies, under the centre's targets. A service's waits are those
 * of the tickets issued for it, so its count within target uses its own target; "*" sums them.
 */
export function levelsOf(days: DayTallies, centre: Pick<Centre, "services">): ServiceLevel[] {
	const target = new Map(centre.services.map((s) => [s.id, s.targetWaitMin]));
	const within = (service: string, waits: readonly number[]) => {
		const goal = target.get(service);
		if (goal === undefined) return 0;
		let n = 0;
		for (const w of waits) if (w <= goal * 60) n++;
		return n;
	};
	const order = new Map(centre.services.map((s, i) => [s.id, i]));
	const rank = (service: string) => (service === "*" ? -1 : (order.get(service) ?? centre.services.length));
	const rows: ServiceLevel[] = [];
	for (const [day, tallies] of days) {
		let all = 0;
		for (const [service, x] of tallies) if (service !== "*") all += within(service, x.waits);
		for (const [service, x] of tallies) {
			const withWait = x.waits.length;
			const inTarget = service === "*" ? all : within(service, x.waits);
			rows.push({
				day,
				service,
				targetWaitMin: target.get(service) ?? null,
				issued: x.issued,
				called: x.called,
				served: x.served,
				noShows: x.noShows,
				cancelled: x.cancelled,
				transferred: x.transferred,
				withinTarget: withWait ? Math.round((inTarget / withWait) * 1000) / 1000 : null,
				waitKnown: withWait,
				withinTargetCount: inTarget,
				noShowShare: x.called ? Math.round((x.noShows / x.called) * 1000) / 1000 : null,
				wait: spread(x.waits),
				serviceTime: spread(x.services),
			});
		}
	}
	return rows.sort((a, b) =>
		a.day < b.day ? -1 : a.day > b.day ? 1 : rank(a.service) - rank(b.service) || (a.service < b.service ? -1 : 1),
	);
}

/**
 * Service levels of the days the records touch, or of the days in `only` (the records may then
 * begin with the day before, whose tickets called after midnight it needs).
 */
export function serviceLevels(
	records: readonly QueueRecord[],
	centre: Layout,
	only?: [string, string],
): ServiceLevel[] {
	return levelsOf(dayTallies(records, centre.timeZone, only), centre);
}
