/**
 * The live hall model: a fold of wire events. `state = events.reduce(apply, empty)`.
 * Pure: time comes from the events (`ts`) or is passed in; no clocks, no I/O.
 * For speed `apply` updates the state it is given and returns it; callers own their state.
 *
 * The fold does not depend on the order the events are folded in (a property test checks it):
 * the network delivers a terminal's `issued` after the window's `called`, a door's events late, a
 * retained status after a newer one. Tickets are kept in a ledger of the day (ticketLedger.ts); a
 * window shows the latest call or start made there (by event time) unless its ticket has since
 * ended or moved on; a zone's count is its latest absolute count plus the increments after it.
 * So the live state, the state rebuilt after a restart and the reports agree by construction.
 */
import type { CentreIndex } from "./centre.ts";
import type { PrinterState, QueueData, WireEvent } from "./contract.ts";
import { OCCUPANCY_BOUNDS } from "./plausibility.ts";
import { isEnd, isWaiting, type Ledger, later, type Mark, record, type Serves, serviceNow } from "./ticketLedger.ts";
import { localDay } from "./time.ts";

export interface WaitingTicket {
	ticket: string;
	service: string;
	issuedAt: number;
	priority?: string;
}

export type WindowActivity = "idle" | "calling" | "serving";

export interface Served {
	ticket: string;
	service: string;
	at: number;
}

export interface WindowLive {
	activity: WindowActivity;
	ticket?: string | undefined;
	service?: string | undefined;
	since?: number | undefined;
	/** The node at this window is connected (from its retained status / Last Will). */
	online: boolean;
	/**
	 * The window is on a break: its node's status says `paused` (its pause button, or the operator
	 * console's pause). Closed for the time being: no estimate counts on it.
	 */
	paused: boolean;
	/** When the current break began (the status that said so). */
	pausedSince?: number | undefined;
	/** Ticket last finished here and when: ratings are attributed to it. */
	lastServed?: Served | undefined;
	/** Tickets finished here today (distinct). */
	served: number;
	/** The latest call or start made here today, with its ticket. */
	current?: (Mark & { ticket: string }) | undefined;
	/** Time of the latest end (finish, no-show, cancel) made here today. */
	lastEnd?: number | undefined;
	/** Tickets finished here today. */
	servedTickets: Set<string>;
	/** Recent finishes here, oldest first, kept across days: a late rating is attributed from them. */
	finishes: Served[];
}

export interface ZoneLive {
	count: number;
	updatedAt?: number;
	/** The latest absolute count (by time), and the increments reported after it, in time order. */
	base?: { count: number; ts: number; id: string };
	deltas: { ts: number; id: string; d: number }[];
	/** The count after the last increment (`count`, kept apart so a view can cap what it shows). */
	sum: number;
}

export interface RatingTally {
	count: number;
	sum: number;
	/** distribution[score - 1] = number of ratings with that score */
	distribution: number[];
	/** Presses inside the lockout after a rating: counted apart, not ratings. */
	extra: number;
}

export interface NodeLive {
	online: boolean;
	lastSeen: number;
	/** Id of the status it is from: of two statuses with the same time, the higher id wins. */
	statusId?: string;
	buffered?: number;
	version?: string;
	/** A terminal's printer, as its latest status said (`ok`, `paper_out`, `cover_open`, `offline`). */
	printer?: PrinterState;
	cpuTempC?: number;
}

export interface LiveState {
	centre: string;
	/** Local day the figures belong to; an event of a later day starts a new one. */
	day: string;
	/** Waiting tickets, oldest first (issue time, then ticket). */
	waiting: Map<string, WaitingTicket>;
	/** Every ticket of the day and what happened to it. */
	tickets: Ledger;
	windows: Map<string, WindowLive>;
	zones: Map<string, ZoneLive>;
	ratings: RatingTally;
	nodes: Map<string, NodeLive>;
	issuedToday: number;
	servedToday: number;
	lastEventAt: number;
}

/** Finishes kept per window for attributing late ratings (a day of one window is far fewer). */
const FINISHES_KEPT = 64;

const emptyWindow = (): WindowLive => ({
	activity: "idle",
	online: false,
	paused: false,
	served: 0,
	servedTickets: new Set(),
	finishes: [],
});

export function emptyLive(index: CentreIndex, day = ""): LiveState {
	const { centre } = index;
	return {
		centre: centre.id,
		day,
		waiting: new Map(),
		tickets: new Map(),
		windows: new Map(centre.windows.map((w) => [w.id, emptyWindow()])),
		zones: new Map(centre.zones.map((z) => [z.id, { count: 0, deltas: [], sum: 0 }])),
		ratings: { count: 0, sum: 0, distribution: new Array(centre.ratingScale).fill(0), extra: 0 },
		nodes: new Map(),
		issuedToday: 0,
		servedToday: 0,
		lastEventAt: 0,
	};
}

/** Start a new local day: queues, counts and ratings reset; presence and recent finishes carry over. */
export function startDay(state: LiveState, index: CentreIndex, day: string): LiveState {
	const next = emptyLive(index, day);
	for (const [id, w] of state.windows) {
		const fresh = next.windows.get(id);
		if (!fresh) continue;
		fresh.online = w.online;
		fresh.finishes = w.finishes;
		fresh.lastServed = w.lastServed;
	}
	next.nodes = state.nodes;
	next.lastEventAt = state.lastEventAt;
	return next;
}

/** A deep copy, for folding tentatively (Maps, Sets and plain objects only, so structuredClone suffices). */
export function cloneLive(state: LiveState): LiveState {
	return structuredClone(state);
}

const servesOf =
	(index: CentreIndex): Serves =>
	(window, service) =>
		index.windows.get(window)?.services.includes(service) ?? true;

export function apply(state: LiveState, e: WireEvent, index: CentreIndex): LiveState {
	const ts = e.data.ts;
	const day = localDay(ts, index.centre.timeZone);
	let s = state;
	if (day > s.day) s = startDay(s, index, day);
	if (ts > s.lastEventAt) s.lastEventAt = ts;

	// An event of an earlier day (an outbox replayed after midnight) is stored, but does not
	// belong in today's hall: only a node's presence, and a window's finishes (for late ratings).
	if (day < s.day) {
		if (e.kind === "status") applyStatus(s, e.node, e.data.id, ts, e.data, index);
		else if (e.kind === "queue" && e.data.event === "finished" && e.data.window)
			addFinish(s.windows.get(e.data.window), { ticket: e.data.ticket, service: e.data.service, at: ts });
		return s;
	}
	switch (e.kind) {
		case "queue":
			applyQueue(s, e.data.id, ts, e.data, index);
			break;
		case "rating": {
			const r = s.ratings;
			if (e.data.extra) r.extra++;
			else {
				r.count++;
				r.sum += e.data.score;
				r.distribution[e.data.score - 1] = (r.distribution[e.data.score - 1] ?? 0) + 1;
			}
			break;
		}
		case "occupancy":
			applyOccupancy(s, e.data.id, ts, e.data, maxCount(index, e.data.zone));
			break;
		case "status":
			applyStatus(s, e.node, e.data.id, ts, e.data, index);
			break;
		case "request":
			break;
	}
	return s;
}

function applyStatus(
	s: LiveState,
	node: string,
	id: string,
	ts: number,
	d: {
		online: boolean;
		buffered?: number | undefined;
		version?: string | undefined;
		printer?: PrinterState | undefined;
		cpuTempC?: number | undefined;
		paused?: boolean | undefined;
	},
	index: CentreIndex,
) {
	const prev = s.nodes.get(node);
	// A retained status replayed late must not overwrite a newer one.
	if (prev && (prev.lastSeen > ts || (prev.lastSeen === ts && (prev.statusId ?? "") > id))) return;
	s.nodes.set(node, {
		online: d.online,
		lastSeen: ts,
		statusId: id,
		buffered: d.buffered,
		version: d.version,
		...(d.printer ? { printer: d.printer } : {}),
		cpuTempC: d.cpuTempC,
	});
	const win = index.nodes.get(node)?.window;
	const w = win ? s.windows.get(win) : undefined;
	if (!w) return;
	w.online = d.online;
	// A node that says nothing of a pause (a door, an older edge) is not on a break; offline ends one.
	const paused = d.online && d.paused === true;
	if (paused && !w.paused) w.pausedSince = ts;
	if (!paused) w.pausedSince = undefined;
	w.paused = paused;
}

/** Is the window open for visitors now: its node online and not on a break? */
export function windowOpen(w: Pick<WindowLive, "online" | "paused"> | undefined): boolean {
	return w?.online === true && !w.paused;
}

/** The most people a zone's count may reach by increments (what one message may not claim either). */
const maxCount = (index: CentreIndex, zone: string) =>
	OCCUPANCY_BOUNDS.countFactor * (index.zones.get(zone)?.capacity ?? Number.POSITIVE_INFINITY);

function applyOccupancy(
	s: LiveState,
	id: string,
	ts: number,
	o: { zone: string; count?: number; in?: number; out?: number },
	max: number,
) {
	const z = s.zones.get(o.zone) ?? { count: 0, deltas: [], sum: 0 };
	s.zones.set(o.zone, z);
	const mark = { ts, id };
	if (z.updatedAt === undefined || ts > z.updatedAt) z.updatedAt = ts;
	// Anything at or before the latest absolute count is already in it.
	if (z.base && !after(mark, z.base)) return;
	if (o.count !== undefined) {
		const base = { count: o.count, ts, id };
		z.base = base;
		z.deltas = z.deltas.filter((d) => after(d, base));
		runDeltas(z, max);
		return;
	}
	const d = { ts, id, d: (o.in ?? 0) - (o.out ?? 0) };
	const last = z.deltas[z.deltas.length - 1];
	if (!last || after(d, last)) {
		z.deltas.push(d);
		// Door counters miss people: the count never goes below zero, nor past what the zone can
		// plausibly hold (plausibility.ts), step by step in time.
		z.sum = Math.min(max, Math.max(0, z.sum + d.d));
		z.count = z.sum;
		return;
	}
	// Reported late: replay the increments in time order.
	z.deltas.push(d);
	z.deltas.sort((a, b) => (after(a, b) ? 1 : -1));
	runDeltas(z, max);
}

const after = (a: { ts: number; id: string }, b: { ts: number; id: string }) =>
	a.ts !== b.ts ? a.ts > b.ts : a.id > b.id;

/** The count from the latest absolute one through the increments after it, within 0..max. */
function runDeltas(z: ZoneLive, max: number) {
	let n = z.base?.count ?? 0;
	for (const d of z.deltas) n = Math.min(max, Math.max(0, n + d.d));
	z.sum = n;
	z.count = n;
}

function applyQueue(s: LiveState, id: string, ts: number, q: QueueData, index: CentreIndex) {
	const ledger = s.tickets;
	const before = ledger.get(q.ticket);
	const hadIssue = (before?.issued ?? 0) > 0;
	const hadFinish = before?.finished !== undefined;
	const previousLatest = before?.latest;
	const r = record(ledger, id, ts, q, servesOf(index));
	if (!hadIssue && r.issued > 0) s.issuedToday++;
	if (!hadFinish && r.finished !== undefined) s.servedToday++;

	if (isWaiting(r) && r.issuedAt !== undefined)
		// A transferred ticket waits in its new service's queue, in its place by issue time.
		putWaiting(s, { ticket: r.ticket, service: serviceNow(r), issuedAt: r.issuedAt, priority: r.priority });
	else s.waiting.delete(r.ticket);

	const w = q.window !== undefined ? s.windows.get(q.window) : undefined;
	if (q.event === "issued") {
		// A ticket's issue time may move earlier (issued twice): the windows that have it are unchanged.
		return;
	}
	const mark: Mark & { ticket: string } = {
		ts,
		id,
		event: q.event,
		window: q.window,
		service: q.service,
		ticket: q.ticket,
	};
	if (w) {
		if ((q.event === "called" || q.event === "started") && later(mark, w.current)) w.current = mark;
		if (isEnd(q.event) && (w.lastEnd === undefined || ts > w.lastEnd)) w.lastEnd = ts;
		if (q.event === "finished" && !w.servedTickets.has(q.ticket)) {
			w.servedTickets.add(q.ticket);
			w.served = w.servedTickets.size;
			addFinish(w, { ticket: q.ticket, service: q.service, at: ts });
		}
	}
	// Windows this ticket was at may change: the one of this event, and where it was before.
	const touched = new Set<string>();
	if (q.window !== undefined) touched.add(q.window);
	if (previousLatest?.window !== undefined) touched.add(previousLatest.window);
	for (const win of r.calls.keys()) touched.add(win);
	for (const win of touched) showWindow(s, win);
}

/** A window's state from the latest call or start made there, unless its ticket has ended or moved on. */
function showWindow(s: LiveState, id: string) {
	const w = s.windows.get(id);
	if (!w) return;
	const c = w.current;
	const tl = c ? s.tickets.get(c.ticket)?.latest : undefined;
	const gone = c && tl && tl !== c && later(tl, c) && (isEnd(tl.event) || tl.window !== id);
	if (!c || gone) {
		w.activity = "idle";
		w.ticket = undefined;
		w.service = undefined;
		const since = Math.max(w.lastEnd ?? Number.NEGATIVE_INFINITY, gone && tl ? tl.ts : Number.NEGATIVE_INFINITY);
		w.since = Number.isFinite(since) ? since : w.since;
		return;
	}
	w.activity = c.event === "called" ? "calling" : "serving";
	w.ticket = c.ticket;
	w.service = c.service;
	w.since = c.ts;
}

function addFinish(w: WindowLive | undefined, f: Served) {
	if (!w) return;
	const list = w.finishes;
	let i = list.length;
	while (i > 0 && (list[i - 1] as Served).at > f.at) i--;
	list.splice(i, 0, f);
	if (list.length > FINISHES_KEPT) list.shift();
	w.lastServed = list[list.length - 1];
}

/** Insert keeping the order of issue time, then ticket (most arrive in order: append). */
function putWaiting(s: LiveState, t: WaitingTicket) {
	const existing = s.waiting.get(t.ticket);
	if (existing && existing.issuedAt === t.issuedAt && existing.service === t.service) return;
	s.waiting.delete(t.ticket);
	let last: WaitingTicket | undefined;
	for (const x of s.waiting.values()) last = x;
	if (!last || last.issuedAt < t.issuedAt || (last.issuedAt === t.issuedAt && last.ticket < t.ticket)) {
		s.waiting.set(t.ticket, t);
		return;
	}
	const all = [...s.waiting.values(), t].sort((a, b) => a.issuedAt - b.issuedAt || (a.ticket < b.ticket ? -1 : 1));
	s.waiting = new Map(all.map((x) => [x.ticket, x]));
}
