/**
 * One local day's tickets, as a fold of queue events that does not depend on their order.
 *
 * Events reach the hub in the order the network delivers them, not the order they happened: a
 * terminal's outbox may deliver `issued` after the window's `called`, a door's events may be
 * replayed late. Each ticket's record is therefore a set-like summary — how often it was issued,
 * where it was called, the first and last of what happened to it — and every figure is read from
 * the records, so folding the same events in any order gives the same ledger. The live hall, the
 * state rebuilt after a restart and the service-level reports all read the same ledger, so they
 * agree by construction.
 *
 * A ticket may be sent on to another service (`transferred`, `to` that service): it then waits
 * again, in that service's queue, and is called, served or not from there. Its record keeps the
 * latest transfer; the service it waits for or ended in is `serviceNow(r)`.
 *
 * What does not fit a ticket's normal course (issued → called → started → finished / no-show /
 * cancelled, with transfers between) is kept and counted as an anomaly with a reason (`SEQUENCE_ANOMALIES`), never thrown
 * away: the figures follow the rules written next to each reason.
 */
import type { QueueData, QueueEventType } from "./contract.ts";

/** Where an event falls among a ticket's events: by time, then by its place in the course, then by id. */
export interface Mark {
	ts: number;
	id: string;
	event: QueueEventType;
	window?: string | undefined;
	service: string;
	/** For `transferred`: the service the ticket went on to. */
	to?: string | undefined;
}

export interface TicketRecord {
	ticket: string;
	/** The service of its first `issued` event (or of its earliest event when it was never issued). */
	service: string;
	/** The priority of its first `issued` event, or else any priority its events carried. */
	priority?: string | undefined;
	/** The priority of its first `issued`, and the least of the others' (order does not matter). */
	issuedPriority?: string | undefined;
	otherPriority?: string | undefined;
	/** `issued` events seen (more than one is `issued_twice`). */
	issued: number;
	/** Time and id of the first `issued`. */
	issuedAt?: number | undefined;
	issuedId?: string | undefined;
	/** Windows that called it, with the first call at each. */
	calls: Map<string, number>;
	/** The first `started` (by time). */
	started?: Mark | undefined;
	/** Windows that started it, with the first start at each (a transferred ticket is started again). */
	starts: Map<string, number>;
	/** First `finished` (more are `finished_twice`). */
	finished?: Mark | undefined;
	finishes: number;
	noShow?: Mark | undefined;
	cancelled?: Mark | undefined;
	/** The latest transfer to another service, and how many transfer events were seen. */
	transfer?: Mark | undefined;
	transfers: number;
	/** The earliest and the latest of its events after `issued`. */
	earliest?: Mark | undefined;
	latest?: Mark | undefined;
	/** Events at a window that does not serve its service. */
	foreignService: number;
}

/** Reasons a queue event does not fit its ticket's course (documented in docs/errors.md). */
export const SEQUENCE_ANOMALIES = {
	issued_twice:
		"A ticket number was issued again the same day: counted once; the first issue's time and service stand.",
	called_twice:
		"A ticket was called at a second window (beyond one more window per transfer): it is now at the latest window, the earlier one is free again.",
	not_called:
		"A ticket was started, finished or marked a no-show at a window that had not called it: it left the queue and counts as served (finished) or not shown.",
	unknown_ticket:
		"A window acted on a ticket never issued that day: the window's state and served count follow it; it was never waiting.",
	finished_twice: "A ticket was finished more than once: served counts it once.",
	service_not_served:
		"A ticket was called, started or finished at a window that does not serve its service: shown and counted as it happened.",
} as const;
export type SequenceAnomaly = keyof typeof SEQUENCE_ANOMALIES;
export const SEQUENCE_ANOMALY_NAMES = Object.keys(SEQUENCE_ANOMALIES) as SequenceAnomaly[];

const STAGE: Record<QueueEventType, number> = {
	issued: 0,
	called: 1,
	started: 2,
	no_show: 3,
	cancelled: 3,
	finished: 3,
	transferred: 3,
};

/** True when `a` happened after `b` (ties broken by the course, then by id: the same in any order). */
export function later(a: Mark, b: Mark | undefined): boolean {
	if (!b) return true;
	if (a.ts !== b.ts) return a.ts > b.ts;
	const sa = STAGE[a.event];
	const sb = STAGE[b.event];
	if (sa !== sb) return sa > sb;
	return a.id > b.id;
}

export const isEnd = (event: QueueEventType) => STAGE[event] === 3;

export type Ledger = Map<string, TicketRecord>;

/** Whether a window serves a service (from the centre's layout). */
export type Serves = (window: string, service: string) => boolean;

/**
 * Fold one queue event into the ledger; returns the record. Events with the same id are the same
 * event: ingest stores an id once, so the ledger never sees one twice.
 */
export function record(ledger: Ledger, id: string, ts: number, q: QueueData, serves: Serves): TicketRecord {
	let r = ledger.get(q.ticket);
	if (!r) {
		r = {
			ticket: q.ticket,
			service: q.service,
			issued: 0,
			calls: new Map(),
			starts: new Map(),
			finishes: 0,
			transfers: 0,
			foreignService: 0,
		};
		ledger.set(q.ticket, r);
	}
	const mark: Mark = { ts, id, event: q.event, window: q.window, service: q.service };
	if (q.event === "transferred") mark.to = q.to;
	if (q.event === "issued") {
		r.issued++;
		if (r.issuedAt === undefined || ts < r.issuedAt || (ts === r.issuedAt && id < (r.issuedId ?? ""))) {
			r.issuedAt = ts;
			r.issuedId = id;
			r.service = q.service;
			r.issuedPriority = q.priority;
		}
	} else {
		if (q.priority !== undefined && (r.otherPriority === undefined || q.priority < r.otherPriority))
			r.otherPriority = q.priority;
		if (r.earliest === undefined || later(r.earliest, mark)) r.earliest = mark;
		if (r.issued === 0) r.service = r.earliest.service;
	}
	r.priority = r.issued > 0 ? (r.issuedPriority ?? r.otherPriority) : r.otherPriority;
	if (q.event === "issued") return r;
	const w = q.window;
	if (w !== undefined && q.event !== "cancelled" && !serves(w, q.service)) r.foreignService++;
	switch (q.event) {
		case "called":
			if (w !== undefined) {
				const first = r.calls.get(w);
				if (first === undefined || ts < first) r.calls.set(w, ts);
			}
			break;
		case "started":
			if (!r.started || later(r.started, mark)) r.started = mark;
			if (w !== undefined) {
				const first = r.starts.get(w);
				if (first === undefined || ts < first) r.starts.set(w, ts);
			}
			break;
		case "finished":
			r.finishes++;
			if (!r.finished || later(r.finished, mark)) r.finished = mark;
			break;
		case "no_show":
			if (!r.noShow || later(r.noShow, mark)) r.noShow = mark;
			break;
		case "cancelled":
			if (!r.cancelled || later(r.cancelled, mark)) r.cancelled = mark;
			break;
		case "transferred":
			r.transfers++;
			if (!r.transfer || later(r.transfer, mark)) r.transfer = mark;
			break;
	}
	if (later(mark, r.latest)) r.latest = mark;
	return r;
}

/** Started, finished or no-show marks at windows that never called the ticket. */
function uncalled(r: TicketRecord): number {
	let n = 0;
	for (const m of [r.started, r.finished, r.noShow])
		if (m?.window !== undefined && !r.calls.has(m.window) && !(m.event !== "started" && r.started?.window === m.window))
			n++;
	return n;
}

/** When its service at `window` began: its first start there, else its first call there. */
export const servedFrom = (r: TicketRecord, window: string): number | undefined =>
	r.starts.get(window) ?? r.calls.get(window);

/** Waiting: issued, and nothing else has happened to it since its issue or its latest transfer. */
export const isWaiting = (r: TicketRecord) =>
	r.issued > 0 && (r.latest === undefined || r.latest.event === "transferred");
/** The service the ticket waits for, is served for or ended in: its latest transfer's, else its own. */
export const serviceNow = (r: TicketRecord): string => r.transfer?.to ?? r.service;
/** Since when it waits in its current service's queue: its latest transfer, else its issue. */
export const waitingSince = (r: TicketRecord): number | undefined => r.transfer?.ts ?? r.issuedAt;
export const wasCalled = (r: TicketRecord) => r.calls.size > 0 || r.started !== undefined || r.finished !== undefined;
export const firstCallAt = (r: TicketRecord): number | undefined => {
	let first: number | undefined;
	for (const ts of r.calls.values()) if (first === undefined || ts < first) first = ts;
	return first;
};

/** How many of each anomaly the ledger holds. */
export function anomalies(ledger: Ledger): Record<SequenceAnomaly, number> {
	const out = Object.fromEntries(SEQUENCE_ANOMALY_NAMES.map((n) => [n, 0])) as Record<SequenceAnomaly, number>;
	for (const r of ledger.values()) {
		if (r.issued > 1) out.issued_twice += r.issued - 1;
		if (r.calls.size > 1 + r.transfers) out.called_twice += r.calls.size - 1 - r.transfers;
		out.not_called += uncalled(r);
		if (r.issued === 0) out.unknown_ticket++;
		if (r.finishes > 1) out.finished_twice += r.finishes - 1;
		out.service_not_served += r.foreignService;
	}
	return out;
}
