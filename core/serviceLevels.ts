/**
 * Service levels per service and local day, from queue events.
 *
 *   queueRecord(ts, data, derived?) → QueueRecord   (from a stored queue event)
 *   serviceLevels(records, centre) → ServiceLevel[]
 *
 * Days are local dates of the centre's time zone (Europe/Kyiv), not UTC — a ticket called at
 * 00:30 Kyiv time belongs to that date even though it is still the previous day in UTC. A figure
 * belongs to the day of the event that ends it: a wait to the day of the call, a service time to
 * the day of the finish.
 *
 * Per service and day:
 * - `issued`, `called` (first calls), `served` (finished), `noShows`, `cancelled`;
 * - `withinTarget`: of the called tickets whose wait is known, the share that waited at most the
 *   service's `targetWaitMin` (a no-show was waited for too, so it counts);
 * - `noShowShare`: no-shows ÷ tickets called;
 * - `wait` and `serviceTime`: mean and 90th percentile (linear between ranks), seconds.
 * Waits and service times are taken from the values ingest stored (`wait_s`, `service_s`), and
 * otherwise computed from the events themselves: issued → called, started (or called) → finished.
 * A row with `service: "*"` per day sums every service (its `withinTarget` uses each ticket's own
 * service target). Shares and figures are null when there is nothing to measure.
 */
import type { Centre } from "./centre.ts";
import type { QueueEventType } from "./contract.ts";
import { mean, quantile } from "./stats.ts";
import { localDay } from "./time.ts";

export interface QueueRecord {
	ts: number;
	event: QueueEventType;
	ticket: string;
	service: string;
	window?: string;
	priority?: string;
	/** Stored by ingest on `called`. */
	wait_s?: number;
	/** Stored by ingest on `finished`. */
	service_s?: number;
}

export interface Spread {
	meanS: number | null;
	p90S: number | null;
}

export interface ServiceLevel {
	day: string;
	/** Service id, or "*" for all services of the day. */
	service: string;
	targetWaitMin: number | null;
	issued: number;
	called: number;
	served: number;
	noShows: number;
	cancelled: number;
	withinTarget: number | null;
	noShowShare: number | null;
	wait: Spread;
	serviceTime: Spread;
}

/** A record from a stored queue event: its payload and the values derived at ingest. */
export function queueRecord(
	ts: number,
	data: Record<string, unknown>,
	derived: { wait_s?: number; service_s?: number } = {},
): QueueRecord {
	const r: QueueRecord = {
		ts,
		event: data.event as QueueEventType,
		ticket: String(data.ticket ?? ""),
		service: String(data.service ?? ""),
	};
	if (typeof data.window === "string") r.window = data.window;
	if (typeof data.priority === "string") r.priority = data.priority;
	if (derived.wait_s !== undefined) r.wait_s = derived.wait_s;
	if (derived.service_s !== undefined) r.service_s = derived.service_s;
	return r;
}

interface Tally {
	issued: number;
	called: number;
	served: number;
	noShows: number;
	cancelled: number;
	within: number;
	waits: number[];
	services: number[];
}

interface TicketState {
	issuedAt?: number;
	calledAt?: number;
	startedAt?: number;
}

const round1 = (x: number | null) => (x === null ? null : Math.round(x * 10) / 10);
const spread = (xs: number[]): Spread => ({ meanS: round1(mean(xs)), p90S: round1(quantile(xs, 0.9)) });

export function serviceLevels(
	records: readonly QueueRecord[],
	centre: Pick<Centre, "timeZone" | "services">,
): ServiceLevel[] {
	const target = new Map(centre.services.map((s) => [s.id, s.targetWaitMin]));
	const tallies = new Map<string, Tally>();
	const tally = (day: string, service: string) => {
		const key = `${day}\u0000${service}`;
		let t = tallies.get(key);
		if (!t) {
			t = { issued: 0, called: 0, served: 0, noShows: 0, cancelled: 0, within: 0, waits: [], services: [] };
			tallies.set(key, t);
		}
		return t;
	};
	const tickets = new Map<string, TicketState>();
	const sorted = [...records].sort((a, b) => a.ts - b.ts);
	for (const r of sorted) {
		const day = localDay(r.ts, centre.timeZone);
		const both = [tally(day, r.service), tally(day, "*")];
		const key = `${r.service}\u0000${r.ticket}`;
		const seen = tickets.get(key);
		const t: TicketState = seen ?? {};
		if (!seen && (r.event === "called" || r.event === "started")) tickets.set(key, t);
		switch (r.event) {
			case "issued":
				// Ticket numbers start again every day: an issue starts a new ticket.
				tickets.set(key, { issuedAt: r.ts });
				for (const x of both) x.issued++;
				break;
			case "called": {
				if (t.calledAt !== undefined) {
					// Called again (the visitor did not come at once): the wait was already counted.
					break;
				}
				t.calledAt = r.ts;
				const wait = r.wait_s ?? (t.issuedAt !== undefined ? (r.ts - t.issuedAt) / 1000 : undefined);
				for (const x of both) {
					x.called++;
					if (wait === undefined) continue;
					x.waits.push(wait);
					const goal = target.get(r.service);
					if (goal !== undefined && wait <= goal * 60) x.within++;
				}
				break;
			}
			case "started":
				t.startedAt = r.ts;
				break;
			case "finished": {
				const from = t.startedAt ?? t.calledAt;
				const took = r.service_s ?? (from !== undefined ? (r.ts - from) / 1000 : undefined);
				for (const x of both) {
					x.served++;
					if (took !== undefined) x.services.push(took);
				}
				tickets.delete(key);
				break;
			}
			case "no_show":
				for (const x of both) x.noShows++;
				tickets.delete(key);
				break;
			case "cancelled":
				for (const x of both) x.cancelled++;
				tickets.delete(key);
				break;
		}
	}
	const order = new Map(centre.services.map((s, i) => [s.id, i]));
	const rank = (service: string) => (service === "*" ? -1 : (order.get(service) ?? centre.services.length));
	return [...tallies]
		.map(([key, x]): ServiceLevel => {
			const [day = "", service = ""] = key.split("\u0000");
			const withWait = x.waits.length;
			return {
				day,
				service,
				targetWaitMin: target.get(service) ?? null,
				issued: x.issued,
				called: x.called,
				served: x.served,
				noShows: x.noShows,
				cancelled: x.cancelled,
				withinTarget: withWait ? Math.round((x.within / withWait) * 1000) / 1000 : null,
				noShowShare: x.called ? Math.round((x.noShows / x.called) * 1000) / 1000 : null,
				wait: spread(x.waits),
				serviceTime: spread(x.services),
			};
		})
		.sort((a, b) =>
			a.day < b.day ? -1 : a.day > b.day ? 1 : rank(a.service) - rank(b.service) || (a.service < b.service ? -1 : 1),
		);
}
