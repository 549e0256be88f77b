/**
 * The recent window times the wait estimate learns from, kept as a small fold of queue events:
 *
 *   let stats = emptyHoldStats();
 *   stats = observe(stats, event, index);   // every accepted event, in time order
 *
 * A window is "held" by a ticket from its call until `finished` or `no_show`: the walk to the
 * window and the service itself, or the grace period before a no-show is marked. The holds that
 * ended in service are kept per service (the last `HOLDS_KEPT`, newest last), the no-shows' for
 * the whole centre (the grace is the hall's, not the service's), and of every call that ended
 * whether the visitor came, with how long the ticket had waited (a visitor who waited long is
 * likelier gone: `noShowChance`); with the gaps between one hold's end and
 * the next call at a window that had work waiting (wrap-up and reaction), and today's finished
 * service times for the naive baseline. Pure: `observe` updates the stats it is given and
 * returns them, as `core/live.ts` does.
 *
 * Per window it also keeps that window's own delays — from becoming free with a ticket it serves
 * waiting (a hold's end, or the ticket's issue if the window was free then) to calling the next —
 * for `core/silence.ts`, which tells a window's usual reaction from a silent absence. A window
 * that closes (its node offline or on a break, from its `status`) is not free: its last end is
 * forgotten, and it is free again from the status that reopens it, so a break never counts as a
 * delay.
 */
import type { CentreIndex } from "./centre.ts";
import type { WireEvent } from "./contract.ts";
import { localDay } from "./time.ts";

/** How many recent holds per service, and gaps per centre, are kept. */
export const HOLDS_KEPT = 40;
export const GAPS_KEPT = 40;
/** How many recent delays per window are kept (core/silence.ts). */
export const DELAYS_KEPT = 40;

export interface HoldStats {
	/** Local day of `today` and of `issued`. */
	day: string;
	/** service → recent hold durations in ms of visits served (call → finished), oldest first. */
	holds: Map<string, number[]>;
	/** Recent holds in ms of calls nobody came to (call → no_show), the centre's, oldest first. */
	noShowHolds: number[];
	/**
	 * Of the last `OUTCOMES_KEPT` calls that ended (finished or no-show), how long the ticket had
	 * waited when called and whether its visitor came, oldest first (`noShowChance`).
	 */
	callOutcomes: { waitedMs: number; noShow: boolean }[];
	/**
	 * window → its own recent holds with their service, oldest first: how much slower or quicker
	 * than the hall this administrator serves (the estimate's per-window pace).
	 */
	windowHolds: Map<string, { service: string; ms: number }[]>;
	/** Recent gaps in ms between a hold's end and the next call at the same window, oldest first. */
	gaps: number[];
	/**
	 * Recent delays in ms between a ticket's issue and its call by a window that was already free
	 * when it was issued (the administrator's reaction), oldest first.
	 */
	reactions: number[];
	/**
	 * window → the ticket it holds now, since when it was called (and started), and how long it
	 * had waited when called (unknown for a ticket issued before the fold began).
	 */
	calls: Map<string, { ticket: string; service: string; calledAt: number; startedAt?: number; waitedMs?: number }>;
	/** window → when its last hold ended (or when it opened, after a break or offline). */
	lastEnd: Map<string, number>;
	/**
	 * window → its recent delays in ms from becoming free with a ticket it serves waiting to the
	 * next call, oldest first: the gaps and the reactions measured there (as `gaps` and `reactions`
	 * are for the hall).
	 */
	delays: Map<string, WindowDelays>;
	/** window → since when it has been open (node online, not on a break), from its statuses. */
	openSince: Map<string, number>;
	/** window → time of the latest status seen from its node (an older one replayed late is ignored). */
	statusAt: Map<string, number>;
	/** ticket → issue time, for the tickets of today not yet called. */
	issued: Map<string, number>;
	/** Finished service times today (started → finished), for the naive baseline. */
	today: { serviceSumMs: number; served: number };
	/**
	 * Every ticket issued in the last `ISSUED_KEPT_MS`, oldest first: each service's recent
	 * arrival rate (the estimate's priority visitors still to come are that × `priorityShare`).
	 */
	issuedRecent: { at: number; service: string }[];
	/** 1 for a priority ticket, 0 for a regular one, of the last `SHARE_KEPT` issued, oldest first. */
	priorityFlags: number[];
}

export interface WindowDelays {
	gaps: number[];
	reactions: number[];
}

/** A window's delays of both kinds (empty for a window that never called). */
export function delaysOf(stats: HoldStats, window: string): number[] {
	const d = stats.delays.get(window);
	return d ? [...d.gaps, ...d.reactions] : [];
}

/** How many recent call outcomes are kept (a day or two of a centre). */
export const OUTCOMES_KEPT = 500;

/** Issued tickets are remembered this long (the estimate looks at the last hour). */
export const ISSUED_KEPT_MS = 2 * 60 * 60_000;
/** The centre's share of priority tickets is taken over this many last issued (a day or two of a centre). */
export const SHARE_KEPT = 500;

/** The share of priority tickets among the last `SHARE_KEPT` issued; 0 before any. */
export function priorityShare(stats: HoldStats): number {
	const f = stats.priorityFlags;
	let sum = 0;
	for (const x of f) sum += x;
	return f.length > 0 ? sum / f.length : 0;
}

/** The bands of the wait at call (minutes, lower edges) over which `noShowChance` is told apart. */
const NO_SHOW_BANDS_MIN = [0, 10, 20, 30, 45, 60, 90];
/** A band's own share weighs as its calls; the band below it (or the centre's share) as this many. */
const NO_SHOW_PRIOR = 20;

/**
 * The chance that a ticket called after waiting `waitedMs` finds nobody — a no-show — from the last
 * `OUTCOMES_KEPT` calls: per band of the wait at call, that band's share of no-shows, shrunk
 * towards the band below it (the first towards the centre's share) with the weight of
 * `NO_SHOW_PRIOR` calls, and never below the band below it: a visitor who has waited longer is no
 * likelier to still be there. Where visitors leave after taking a ticket, the long waits have the
 * most no-shows, and a long queue moves faster than its holds alone say. 0 before any call ended.
 */
export function noShowChance(stats: HoldStats): (waitedMs: number) => number {
	const n = NO_SHOW_BANDS_MIN.map(() => 0);
	const k = NO_SHOW_BANDS_MIN.map(() => 0);
	const band = (ms: number) => {
		let b = 0;
		while (b + 1 < NO_SHOW_BANDS_MIN.length && ms >= (NO_SHOW_BANDS_MIN[b + 1] as number) * 60_000) b++;
		return b;
	};
	let total = 0;
	let noShows = 0;
	for (const o of stats.callOutcomes) {
		const b = band(o.waitedMs);
		n[b] = (n[b] as number) + 1;
		total++;
		if (o.noShow) {
			k[b] = (k[b] as number) + 1;
			noShows++;
		}
	}
	if (total === 0) return () => 0;
	const chance: number[] = [];
	let prior = noShows / total;
	for (let b = 0; b < NO_SHOW_BANDS_MIN.length; b++) {
		const p = Math.max(
			b > 0 ? prior : 0,
			((k[b] as number) + NO_SHOW_PRIOR * prior) / ((n[b] as number) + NO_SHOW_PRIOR),
		);
		chance.push(p);
		prior = p;
	}
	return (waitedMs) => chance[band(waitedMs)] as number;
}

export function emptyHoldStats(): HoldStats {
	return {
		day: "",
		holds: new Map(),
		noShowHolds: [],
		callOutcomes: [],
		windowHolds: new Map(),
		gaps: [],
		reactions: [],
		calls: new Map(),
		lastEnd: new Map(),
		delays: new Map(),
		openSince: new Map(),
		statusAt: new Map(),
		issued: new Map(),
		today: { serviceSumMs: 0, served: 0 },
		issuedRecent: [],
		priorityFlags: [],
	};
}

function keep(list: number[], value: number, max: number): void {
	list.push(value);
	if (list.length > max) list.splice(0, list.length - max);
}

/**
 * Adds one hold time of `service` (ms), e.g. to seed the stats from stored `service_s` after a
 * restart; with `window`, to that window's own holds too.
 */
export function addHold(stats: HoldStats, service: string, ms: number, window?: string): HoldStats {
	if (!(ms > 0)) return stats;
	let list = stats.holds.get(service);
	if (!list) {
		list = [];
		stats.holds.set(service, list);
	}
	keep(list, ms, HOLDS_KEPT);
	if (window !== undefined) {
		let own = stats.windowHolds.get(window);
		if (!own) {
			own = [];
			stats.windowHolds.set(window, own);
		}
		own.push({ service, ms });
		if (own.length > HOLDS_KEPT) own.splice(0, own.length - HOLDS_KEPT);
	}
	return stats;
}

/** Folds one wire event into the stats. Events other than `queue` and a window node's `status` are ignored. */
export function observe(stats: HoldStats, e: WireEvent, index: CentreIndex): HoldStats {
	if (e.kind === "status") return observeStatus(stats, e.node, e.data, index);
	if (e.kind !== "queue") return stats;
	const q = e.data;
	const ts = q.ts;
	const day = localDay(ts, index.centre.timeZone);
	if (day > stats.day) {
		stats.day = day;
		stats.issued.clear();
		stats.today = { serviceSumMs: 0, served: 0 };
	}
	switch (q.event) {
		case "issued": {
			stats.issued.set(q.ticket, ts);
			keep(stats.priorityFlags, q.priority ? 1 : 0, SHARE_KEPT);
			const recent = stats.issuedRecent;
			recent.push({ at: ts, service: q.service });
			let old = 0;
			while (old < recent.length && (recent[old]?.at ?? ts) < ts - ISSUED_KEPT_MS) old++;
			if (old > 0) recent.splice(0, old);
			break;
		}
		case "called": {
			if (!q.window) break;
			const issuedAt = stats.issued.get(q.ticket);
			stats.issued.delete(q.ticket);
			const ended = stats.lastEnd.get(q.window);
			// Only a window that had this ticket waiting when it became free measures a gap;
			// a window that was free when the ticket came measures its reaction instead.
			if (issuedAt !== undefined && ended !== undefined && ts >= ended) {
				let own = stats.delays.get(q.window);
				if (!own) {
					own = { gaps: [], reactions: [] };
					stats.delays.set(q.window, own);
				}
				if (issuedAt <= ended) {
					keep(stats.gaps, ts - ended, GAPS_KEPT);
					keep(own.gaps, ts - ended, DELAYS_KEPT);
				} else {
					keep(stats.reactions, ts - issuedAt, GAPS_KEPT);
					keep(own.reactions, ts - issuedAt, DELAYS_KEPT);
				}
			}
			stats.lastEnd.delete(q.window);
			stats.calls.set(q.window, {
				ticket: q.ticket,
				service: q.service,
				calledAt: ts,
				...(issuedAt !== undefined && ts >= issuedAt ? { waitedMs: ts - issuedAt } : {}),
			});
			break;
		}
		case "started": {
			if (!q.window) break;
			stats.issued.delete(q.ticket);
			const c = stats.calls.get(q.window);
			if (c && c.ticket === q.ticket) c.startedAt = ts;
			// Started without a call we saw: the hold is measured from the start.
			else stats.calls.set(q.window, { ticket: q.ticket, service: q.service, calledAt: ts, startedAt: ts });
			break;
		}
		case "finished":
		case "no_show": {
			stats.issued.delete(q.ticket);
			if (!q.window) break;
			const c = stats.calls.get(q.window);
			if (c && c.ticket === q.ticket && ts >= c.calledAt) {
				const noShow = q.event === "no_show";
				// A no-show's hold is the hall's grace period: it says nothing of the service or the window.
				if (noShow) keep(stats.noShowHolds, ts - c.calledAt, HOLDS_KEPT);
				else {
					addHold(stats, c.service, ts - c.calledAt, q.window);
					stats.today.serviceSumMs += ts - (c.startedAt ?? c.calledAt);
					stats.today.served++;
				}
				if (c.waitedMs !== undefined) {
					stats.callOutcomes.push({ waitedMs: c.waitedMs, noShow });
					if (stats.callOutcomes.length > OUTCOMES_KEPT)
						stats.callOutcomes.splice(0, stats.callOutcomes.length - OUTCOMES_KEPT);
				}
			}
			stats.calls.delete(q.window);
			stats.lastEnd.set(q.window, ts);
			break;
		}
		case "transferred": {
			// The window's hold of it ends; the ticket waits again, from now, for its new service.
			stats.issued.set(q.ticket, ts);
			if (!q.window) break;
			const c = stats.calls.get(q.window);
			if (c && c.ticket === q.ticket && ts >= c.calledAt) addHold(stats, c.service, ts - c.calledAt, q.window);
			stats.calls.delete(q.window);
			stats.lastEnd.set(q.window, ts);
			break;
		}
		case "cancelled": {
			stats.issued.delete(q.ticket);
			if (!q.window) break;
			const c = stats.calls.get(q.window);
			if (c && c.ticket === q.ticket) {
				stats.calls.delete(q.window);
				stats.lastEnd.set(q.window, ts);
			}
			break;
		}
	}
	return stats;
}

/**
 * A window node's status: the window closes (offline, or on a break) or opens again. Only a
 * change counts — a node repeats its status — and a status older than the latest one is ignored.
 */
function observeStatus(
	stats: HoldStats,
	node: string,
	d: { ts: number; online: boolean; paused?: boolean | undefined },
	index: CentreIndex,
): HoldStats {
	const window = index.nodes.get(node)?.window;
	if (!window || d.ts < (stats.statusAt.get(window) ?? Number.NEGATIVE_INFINITY)) return stats;
	stats.statusAt.set(window, d.ts);
	const open = d.online && d.paused !== true;
	if (!open) {
		stats.openSince.delete(window);
		stats.lastEnd.delete(window);
	} else if (!stats.openSince.has(window)) {
		stats.openSince.set(window, d.ts);
		// Free from now on, unless it holds a ticket (its end will say when it is free) or was free already.
		if (!stats.calls.has(window) && !stats.lastEnd.has(window)) stats.lastEnd.set(window, d.ts);
	}
	return stats;
}
