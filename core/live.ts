/**
 * The live hall model: a fold of wire events. `state = events.reduce(apply, empty)`.
 * Pure: time comes from the events (`ts`) or is passed in; no clocks, no I/O.
 * For speed `apply` updates the state it is given and returns it; callers own their state.
 */
import type { CentreIndex } from "./centre.ts";
import type { QueueData, WireEvent } from "./contract.ts";
import { localDay } from "./time.ts";

export interface WaitingTicket {
	ticket: string;
	service: string;
	issuedAt: number;
	priority?: string;
}

export type WindowActivity = "idle" | "calling" | "serving";

export interface WindowLive {
	activity: WindowActivity;
	ticket?: string;
	service?: string;
	since?: number;
	/** The node at this window is connected (from its retained status / Last Will). */
	online: boolean;
	/** Ticket last finished here and when: ratings are attributed to it. */
	lastServed?: { ticket: string; service: string; at: number };
	served: number;
}

export interface ZoneLive {
	count: number;
	updatedAt?: number;
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
	buffered?: number;
	version?: string;
}

export interface LiveState {
	centre: string;
	/** Local day the figures belong to; an event of a later day starts a new one. */
	day: string;
	/** Waiting tickets in issue order, by ticket number. */
	waiting: Map<string, WaitingTicket>;
	windows: Map<string, WindowLive>;
	zones: Map<string, ZoneLive>;
	ratings: RatingTally;
	nodes: Map<string, NodeLive>;
	issuedToday: number;
	servedToday: number;
	lastEventAt: number;
}

export function emptyLive(index: CentreIndex, day = ""): LiveState {
	const { centre } = index;
	return {
		centre: centre.id,
		day,
		waiting: new Map(),
		windows: new Map(centre.windows.map((w) => [w.id, { activity: "idle", online: false, served: 0 }])),
		zones: new Map(centre.zones.map((z) => [z.id, { count: 0 }])),
		ratings: { count: 0, sum: 0, distribution: new Array(centre.ratingScale).fill(0), extra: 0 },
		nodes: new Map(),
		issuedToday: 0,
		servedToday: 0,
		lastEventAt: 0,
	};
}

/** Start a new local day: queues, counts and ratings reset; node and window presence carry over. */
export function startDay(state: LiveState, index: CentreIndex, day: string): LiveState {
	const next = emptyLive(index, day);
	for (const [id, w] of state.windows) {
		const fresh = next.windows.get(id);
		if (fresh) fresh.online = w.online;
	}
	next.nodes = state.nodes;
	next.lastEventAt = state.lastEventAt;
	return next;
}

/** A deep copy, for folding tentatively (Maps and plain objects only, so structuredClone suffices). */
export function cloneLive(state: LiveState): LiveState {
	return structuredClone(state);
}

export function apply(state: LiveState, e: WireEvent, index: CentreIndex): LiveState {
	const ts = e.data.ts;
	const day = localDay(ts, index.centre.timeZone);
	let s = state;
	if (day > s.day) s = startDay(s, index, day);
	if (ts > s.lastEventAt) s.lastEventAt = ts;

	// An event of an earlier day (an outbox replayed after midnight) is stored, but does not
	// belong in today's hall: only a node's presence still counts.
	if (day < s.day && e.kind !== "status") return s;
	switch (e.kind) {
		case "queue":
			applyQueue(s, e.data, ts);
			break;
		case "rating": {
			const r = s.ratings;
			if (e.data.extra) r.extra++;
			else if (day === s.day) {
				r.count++;
				r.sum += e.data.score;
				r.distribution[e.data.score - 1] = (r.distribution[e.data.score - 1] ?? 0) + 1;
			}
			break;
		}
		case "occupancy": {
			const z = s.zones.get(e.data.zone) ?? { count: 0 };
			// Door counters miss people: a count never goes below zero.
			if (e.data.count !== undefined) z.count = e.data.count;
			else z.count = Math.max(0, z.count + (e.data.in ?? 0) - (e.data.out ?? 0));
			z.updatedAt = ts;
			s.zones.set(e.data.zone, z);
			break;
		}
		case "status": {
			const prev = s.nodes.get(e.node);
			// A retained status replayed late must not overwrite a newer one.
			if (prev && prev.lastSeen > ts) break;
			s.nodes.set(e.node, {
				online: e.data.online,
				lastSeen: ts,
				buffered: e.data.buffered,
				version: e.data.version,
			});
			const win = index.nodes.get(e.node)?.window;
			const w = win ? s.windows.get(win) : undefined;
			if (w) w.online = e.data.online;
			break;
		}
		case "request":
			break;
	}
	return s;
}

function applyQueue(s: LiveState, q: QueueData, ts: number) {
	const w = q.window ? s.windows.get(q.window) : undefined;
	switch (q.event) {
		case "issued":
			if (!s.waiting.has(q.ticket)) s.issuedToday++;
			s.waiting.set(q.ticket, {
				ticket: q.ticket,
				service: q.service,
				issuedAt: ts,
				...(q.priority ? { priority: q.priority } : {}),
			});
			break;
		case "called":
			s.waiting.delete(q.ticket);
			if (w) Object.assign(w, { activity: "calling", ticket: q.ticket, service: q.service, since: ts });
			break;
		case "started":
			s.waiting.delete(q.ticket);
			if (w) Object.assign(w, { activity: "serving", ticket: q.ticket, service: q.service, since: ts });
			break;
		case "finished":
			s.servedToday++;
			if (w) {
				w.served++;
				w.lastServed = { ticket: q.ticket, service: q.service, at: ts };
				toIdle(w, ts);
			}
			break;
		case "no_show":
			s.waiting.delete(q.ticket);
			if (w && w.ticket === q.ticket) toIdle(w, ts);
			break;
		case "cancelled":
			s.waiting.delete(q.ticket);
			if (w && w.ticket === q.ticket) toIdle(w, ts);
			break;
	}
}

function toIdle(w: WindowLive, ts: number) {
	w.activity = "idle";
	w.ticket = undefined;
	w.service = undefined;
	w.since = ts;
}
