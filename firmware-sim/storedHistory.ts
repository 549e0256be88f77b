/**
 * Long stored histories made straight as the store keeps them — the events with the values ingest
 * derives (`wait_s` on a call, `service_s` on a finish, `count` at the door) — for benchmarks and
 * tests of reports over months and years, where playing every visitor through a broker and ingest
 * would take hours. Not the hall's behaviour (`week.ts` is): tickets of each open day with random
 * waits and service times, ratings after most visits (some extra presses, some by QR code, some at
 * a window that served nobody), the door counting people in and out.
 *
 * Pure and seeded: the same options give the same events. One batch per local day.
 */
import type { Centre } from "../core/centre.ts";
import { mulberry32 } from "../core/stats.ts";
import { addDays, instantOf, weekdayOf } from "../core/time.ts";
import type { StoredEvent } from "../store/types.ts";

export interface HistoryOptions {
	centre: Pick<Centre, "id" | "timeZone" | "services" | "windows">;
	/** First local day, "YYYY-MM-DD". */
	startDay: string;
	days: number;
	seed: number;
	/** Mean tickets an open day (Monday to Saturday; Sundays closed). Default 120. */
	ticketsPerDay?: number;
}

const MIN = 60_000;

/** Each local day's events, in no particular order (as a network delivers them). */
export function* storedHistory(o: HistoryOptions): Generator<StoredEvent[]> {
	const rand = mulberry32(o.seed);
	const expo = (mean: number) => -Math.log(1 - rand()) * mean;
	const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
	const c = o.centre;
	const perDay = o.ticketsPerDay ?? 120;
	for (let d = 0, day = o.startDay; d < o.days; d++, day = addDays(day, 1)) {
		const out: StoredEvent[] = [];
		if (weekdayOf(day) === "sun") {
			yield out;
			continue;
		}
		const open = instantOf(day, 9 * 60, c.timeZone);
		let n = 0;
		const ev = (node: string, kind: StoredEvent["kind"], ts: number, data: object, derived?: object) => {
			const id = `${c.id}-${day}-${n++}`;
			const e: StoredEvent = { id, centre: c.id, node, kind, ts, rxTs: ts + 40, data: { id, ts, ...data } };
			if (derived) e.derived = derived;
			out.push(e);
		};
		const door: [number, 1 | -1][] = [];
		const tickets = Math.round(perDay * (0.7 + 0.6 * rand()));
		const prefixCount = new Map<string, number>();
		for (let i = 0; i < tickets; i++) {
			const service = pick(c.services);
			const k = (prefixCount.get(service.prefix) ?? 0) + 1;
			prefixCount.set(service.prefix, k);
			const ticket = `${service.prefix}${String(k).padStart(3, "0")}`;
			const windows = c.windows.filter((w) => w.services.includes(service.id));
			const window = pick(windows.length ? windows : c.windows);
			const node = `win-${window.id}`;
			const issued = open + Math.floor(rand() * 8 * 60 * MIN);
			const q = { ticket, service: service.id };
			ev("terminal-1", "queue", issued, { event: "issued", ...q });
			door.push([issued - MIN, 1]);
			if (rand() < 0.02) {
				ev("terminal-1", "queue", issued + Math.floor(expo(10 * MIN)), { event: "cancelled", ...q });
				door.push([issued + 20 * MIN, -1]);
				continue;
			}
			const called = issued + Math.floor(expo((service.targetWaitMin ?? 15) * 0.8 * MIN));
			const at = { ...q, window: window.id };
			ev(node, "queue", called, { event: "called", ...at }, { wait_s: (called - issued) / 1000 });
			if (rand() < 0.05) {
				ev(node, "queue", called + 2 * MIN, { event: "no_show", ...at });
				door.push([called + 3 * MIN, -1]);
				continue;
			}
			const started = called + 30_000 + Math.floor(rand() * 60_000);
			const finished = started + Math.floor(expo((service.meanServiceMin ?? 8) * MIN));
			ev(node, "queue", started, { event: "started", ...at });
			ev(node, "queue", finished, { event: "finished", ...at }, { service_s: (finished - started) / 1000 });
			door.push([finished + MIN, -1]);
			if (rand() < 0.6) {
				const score = Math.min(5, Math.max(1, Math.round(5.4 - expo(1))));
				const qr = rand() < 0.1;
				const served = rand() < 0.98 ? { window: window.id, service: service.id, ticket } : { window: window.id };
				ev(node, "rating", finished + 5_000, { score, scale: 5, ...served, ...(qr ? { source: "qr" } : {}) });
				if (rand() < 0.05) ev(node, "rating", finished + 7_000, { score, scale: 5, extra: true, ...served });
			}
		}
		// The door: people in the hall after each event, never below 0.
		door.sort((a, b) => a[0] - b[0]);
		let people = 0;
		for (const [ts, step] of door) {
			people = Math.max(0, people + step);
			ev("door-1", "occupancy", ts, { zone: "hall", ...(step > 0 ? { in: 1 } : { out: 1 }) }, { count: people });
		}
		yield out;
	}
}
