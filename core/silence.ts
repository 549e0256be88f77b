/**
 * Silent absence: an administrator who steps away without pressing pause leaves a window that looks
 * open — its node online, not on a break — but calls nobody. No event says so; what shows it is a
 * window idle while tickets it serves wait, for longer than that window usually takes to call.
 *
 *   silentWindows(live, index, stats, now, settings?) → SilentWindow[]
 *   usualReaction(stats, window, settings?) → ms | undefined
 *   awayChance(silentMs, usualMs, settings?) → 0 … maxChance
 *
 * A window is *silent* from the latest of: its becoming idle (its last hold's end), its opening
 * (online, or back from a break: `core/holdTimes.ts` follows its statuses) and the issue of the
 * oldest ticket it serves still waiting — so from when it had work and nothing else to do.
 *
 * Its *usual reaction* is learnt from its own history: the delays from becoming free with a ticket
 * waiting to calling the next (`HoldStats.delays`), their `quantile` (0.9: most calls come sooner),
 * with the hall's delays (every window's) as the prior — they weigh as `priorWeight` of the
 * window's own, so a new window starts at the hall's figure and moves to its own as it calls. Never
 * below `floorMs` (a minute at a desk is not an absence: the alert rule's `minS`); with fewer than
 * `minSamples` delays in the whole hall nothing is judged (no usual reaction, never away).
 *
 * Past its usual reaction the window is *possibly away* — with a chance, not a switch:
 * `1 − usual / silent`, so 0 at the usual reaction, ½ at twice it, ¾ at four times, at most
 * `maxChance`. The wait estimate (core/waitEstimate.ts) draws with that chance whether the window
 * is away in each run of its replay; the dashboard shows the window as not calling for so long, and
 * the `silentWindow` alert rule (core/alerts.ts) raises an alert. Pure: `now` is an argument.
 */
import { ALERT_DEFAULTS, type Centre, type CentreIndex } from "./centre.ts";
import { delaysOf, type HoldStats } from "./holdTimes.ts";
import { type LiveState, windowOpen } from "./live.ts";

export interface SilenceSettings {
	/** Quantile of a window's delays taken as its usual reaction. */
	quantile: number;
	/** The hall's delays weigh as this many of the window's own (the prior while it has few). */
	priorWeight: number;
	/** Fewer delays than this in the whole hall: no usual reaction is known, nothing is judged. */
	minSamples: number;
	/** A usual reaction is never shorter than this, ms. */
	floorMs: number;
	/** The chance of being away never goes past this. */
	maxChance: number;
}

export const SILENCE_DEFAULTS: SilenceSettings = {
	quantile: 0.9,
	priorWeight: 8,
	minSamples: 8,
	floorMs: ALERT_DEFAULTS.silentWindow.minS * 1000,
	maxChance: 0.95,
};

/** The settings of a centre: the floor is its `silentWindow` alert rule's `minS`. */
export function silenceSettings(centre: Pick<Centre, "alerts">): SilenceSettings {
	const minS = centre.alerts?.silentWindow?.minS ?? ALERT_DEFAULTS.silentWindow.minS;
	return { ...SILENCE_DEFAULTS, floorMs: minS * 1000 };
}

export interface SilentWindow {
	window: string;
	/** Since when it has been idle with a ticket it serves waiting, epoch ms. */
	since: number;
	silentMs: number;
	/** Tickets it serves waiting now. */
	waiting: number;
	/** Its usual reaction, ms; undefined while the hall has too little history to tell. */
	usualMs: number | undefined;
	/** Silent for longer than its usual reaction. */
	possiblyAway: boolean;
	/** The chance it is away (0 while not past its usual reaction). */
	awayChance: number;
}

/** The q-quantile of values with weights (the smallest value whose cumulative weight reaches q of all). */
function weightedQuantile(items: { v: number; w: number }[], q: number): number {
	items.sort((a, b) => a.v - b.v);
	let total = 0;
	for (const x of items) total += x.w;
	let sum = 0;
	for (const x of items) {
		sum += x.w;
		if (sum >= q * total - 1e-9) return x.v;
	}
	return items[items.length - 1]?.v ?? 0;
}

/** A window's usual reaction, ms (its own delays with the hall's as prior); undefined with too little history. */
export function usualReaction(
	stats: HoldStats,
	window: string,
	settings: SilenceSettings = SILENCE_DEFAULTS,
): number | undefined {
	const hall: number[] = [];
	for (const w of stats.delays.keys()) hall.push(...delaysOf(stats, w));
	if (hall.length < settings.minSamples) return undefined;
	const own = delaysOf(stats, window);
	const prior = settings.priorWeight / hall.length;
	const items = [...own.map((v) => ({ v, w: 1 })), ...hall.map((v) => ({ v, w: prior }))];
	return Math.max(settings.floorMs, weightedQuantile(items, settings.quantile));
}

/** The chance a window silent for `silentMs` is away, given its usual reaction. */
export function awayChance(
	silentMs: number,
	usualMs: number | undefined,
	settings: SilenceSettings = SILENCE_DEFAULTS,
): number {
	if (usualMs === undefined || !(silentMs > usualMs)) return 0;
	return Math.min(settings.maxChance, 1 - usualMs / silentMs);
}

/**
 * Every open, idle window with a ticket it serves waiting, in the centre's order of windows: since
 * when it has been silent, its usual reaction, and whether (with what chance) it is away.
 */
export function silentWindows(
	live: LiveState,
	index: CentreIndex,
	stats: HoldStats,
	now: number,
	settings: SilenceSettings = silenceSettings(index.centre),
): SilentWindow[] {
	const out: SilentWindow[] = [];
	for (const w of index.centre.windows) {
		const l = live.windows.get(w.id);
		if (!l || !windowOpen(l) || l.activity !== "idle") continue;
		let oldest = Number.POSITIVE_INFINITY;
		let waiting = 0;
		for (const t of live.waiting.values()) {
			if (!w.services.includes(t.service)) continue;
			waiting++;
			if (t.issuedAt < oldest) oldest = t.issuedAt;
		}
		if (waiting === 0) continue;
		const since = Math.max(oldest, l.since ?? oldest, stats.openSince.get(w.id) ?? oldest);
		const silentMs = Math.max(0, now - since);
		const usualMs = usualReaction(stats, w.id, settings);
		const chance = awayChance(silentMs, usualMs, settings);
		out.push({
			window: w.id,
			since,
			silentMs,
			waiting,
			usualMs,
			possiblyAway: usualMs !== undefined && silentMs > usualMs,
			awayChance: chance,
		});
	}
	return out;
}
