/**
 * Alerts for managers, from the rules in the centre's config (`alerts`, defaults in
 * `ALERT_DEFAULTS` of core/centre.ts):
 *
 *   let state = emptyAlerts();
 *   const r = evaluate(state, { live, index, ratings }, now);   // e.g. every few seconds
 *   state = r.state;   // r.state.alerts: the current set; r.raised / r.resolved / r.changed: transitions
 *
 * Each alert has a stable key (`wait:passports`, `occupancy:hall`, `offline:win-03`,
 * `ratings:w04`, `queue-idle:social`, `silent:w04`), a severity, a message in Ukrainian and English, and `since`
 * (when its condition began, where known, else when it was raised). It is raised once, stays while
 * its condition holds (its message follows the figures; a change of severity is reported in
 * `changed`), and is resolved when the condition clears.
 *
 * Rules:
 * - `waitOverTarget`: a ticket of a service has waited longer than its `targetWaitMin`; critical
 *   from `criticalFactor` × target.
 * - `occupancy`: a zone holds at least `share` of its capacity; critical from `criticalShare`.
 * - `nodeOffline`: a configured node has been offline (its status or Last Will) for `afterS`
 *   seconds; a node never heard of counts from `watchSince` (the hub's start), if given. With
 *   `onlyWhenOpen`, only during opening hours.
 * - `lowRatings`: at one window, over the last `windowMin` minutes at least `minRatings` ratings
 *   and at least `share` of them in the bottom two scores (extra presses are not ratings).
 * - `queueIdle`: a service's queue holds at least `minWaiting` tickets and is longer than
 *   `growMin` minutes ago, while an open window serving it has been idle for `idleS` seconds.
 *   The queue lengths of past evaluations are kept in the state for this.
 * - `printer`: a terminal (online) says its printer cannot print — `paper_out` and `cover_open`
 *   are warnings (someone at the centre fixes them), `offline` is critical (no tickets at all);
 *   keyed `printer:{node}`, since the status that said so; value 1, threshold 1.
 * - `silentWindow`: an open window has called nobody while tickets it serves wait for longer than
 *   its usual reaction, learnt from its own calls (core/silence.ts; never under `minS` seconds):
 *   possibly away. Keyed `silent:{window}`, since the moment it passed its usual reaction; value
 *   the seconds it has been silent, threshold its usual reaction in seconds. Needs the hold
 *   stats (`holds`); without history in the hall it raises nothing. `queueIdle` stays beside it:
 *   that one is about a service (its queue grows while some window idles a fixed time), this one
 *   about a window and its own pace.
 * - `hubHealth`: the hub itself is degraded (core/health.ts): one alert per reason, keyed
 *   `hub:store_failing`, `hub:disk_low`, …, with the reason's severity; value 1, threshold 1.
 * Pure: `now` is an argument; the state passed in is not changed.
 */
import { ALERT_DEFAULTS, type AlertRules, type Centre, type CentreIndex } from "./centre.ts";
import { HEALTH_REASONS, type HealthReason } from "./health.ts";
import type { HoldStats } from "./holdTimes.ts";
import { type Alert as AlertOf, type AlertRuleName, AlertSchema, type Severity } from "./hubState.ts";
import { type LiveState, type WindowLive, windowOpen } from "./live.ts";
import { isOpen } from "./openingHours.ts";
import { silenceSettings, silentWindows } from "./silence.ts";
import { startOfLocalDay } from "./time.ts";

/** The schema of one alert (its source is the contract of the hub's own topics, hubState.ts). */
export const Alert = AlertSchema;
export type Alert = AlertOf;
export type { AlertRuleName, Severity };

export interface AlertState {
	alerts: Alert[];
	/** Queue lengths per service at past evaluations, oldest first (for `queueIdle`). */
	samples: { at: number; waiting: Record<string, number> }[];
}

export interface AlertInputs {
	live: LiveState;
	index: CentreIndex;
	/** Recent ratings (at least the last `lowRatings.windowMin` minutes), attributed to windows. */
	ratings?: readonly { ts: number; score: number; window?: string; extra?: boolean }[];
	/** Is the centre open now? Default: from its opening hours (core/openingHours.ts). */
	open?: boolean;
	/** Since when nodes have been watched (the hub's start): a node never heard of is offline since then. */
	watchSince?: number;
	/** Why the hub is degraded now, if it is (core/health.ts). */
	health?: readonly HealthReason[];
	/** The recent hold times and delays (core/holdTimes.ts), for `silentWindow`'s usual reactions. */
	holds?: HoldStats;
}

export interface Evaluation {
	state: AlertState;
	raised: Alert[];
	resolved: Alert[];
	/** Alerts still active whose severity changed. */
	changed: Alert[];
}

/** The rules of a centre with every default filled in. */
export type ResolvedRules = { [K in Exclude<keyof AlertRules, "webhookUrl">]-?: NonNullable<AlertRules[K]> };

export function alertRules(centre: Pick<Centre, "alerts">): ResolvedRules {
	const a = centre.alerts ?? {};
	return {
		waitOverTarget: { ...ALERT_DEFAULTS.waitOverTarget, ...a.waitOverTarget },
		occupancy: { ...ALERT_DEFAULTS.occupancy, ...a.occupancy },
		nodeOffline: { ...ALERT_DEFAULTS.nodeOffline, ...a.nodeOffline },
		lowRatings: { ...ALERT_DEFAULTS.lowRatings, ...a.lowRatings },
		queueIdle: { ...ALERT_DEFAULTS.queueIdle, ...a.queueIdle },
		hubHealth: { ...ALERT_DEFAULTS.hubHealth, ...a.hubHealth },
		printer: { ...ALERT_DEFAULTS.printer, ...a.printer },
		silentWindow: { ...ALERT_DEFAULTS.silentWindow, ...a.silentWindow },
	};
}

export function emptyAlerts(): AlertState {
	return { alerts: [], samples: [] };
}

/** A condition found true now; `since` where the rule knows when it began. */
type Finding = Omit<Alert, "since" | "resolvedAt"> & { since?: number };

const MIN = 60_000;

/** A window's configured name, or "вікно w03" / "window w03". */
const windowName = (name: string | undefined, id: string) => ({
	uk: name ?? `вікно ${id}`,
	en: name ?? `window ${id}`,
});
const capital = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const minutes = (ms: number) => Math.floor(ms / MIN);

function waitOverTarget(inputs: AlertInputs, now: number, rules: ResolvedRules): Finding[] {
	const oldest = new Map<string, number>();
	for (const t of inputs.live.waiting.values())
		oldest.set(t.service, Math.min(oldest.get(t.service) ?? Number.POSITIVE_INFINITY, t.issuedAt));
	const out: Finding[] = [];
	for (const svc of inputs.index.centre.services) {
		const from = oldest.get(svc.id);
		if (from === undefined) continue;
		const waited = now - from;
		if (waited <= svc.targetWaitMin * MIN) continue;
		const m = minutes(waited);
		out.push({
			key: `wait:${svc.id}`,
			rule: "waitOverTarget",
			severity: waited >= svc.targetWaitMin * rules.waitOverTarget.criticalFactor * MIN ? "critical" : "warning",
			subject: { service: svc.id },
			message: {
				uk: `«${svc.name.uk}»: талон чекає ${m} хв (ціль — ${svc.targetWaitMin} хв)`,
				en: `${svc.name.en}: a ticket has waited ${m} min (target ${svc.targetWaitMin} min)`,
			},
			since: from + svc.targetWaitMin * MIN,
			value: m,
			threshold: svc.targetWaitMin,
		});
	}
	return out;
}

function occupancy(inputs: AlertInputs, _now: number, rules: ResolvedRules): Finding[] {
	const out: Finding[] = [];
	const r = rules.occupancy;
	for (const z of inputs.index.centre.zones) {
		const count = inputs.live.zones.get(z.id)?.count ?? 0;
		const share = count / z.capacity;
		if (share < r.share) continue;
		const pct = Math.round(share * 100);
		out.push({
			key: `occupancy:${z.id}`,
			rule: "occupancy",
			severity: share >= r.criticalShare ? "critical" : "warning",
			subject: { zone: z.id },
			message: {
				uk: `${z.name?.uk ?? z.id}: ${count} осіб при місткості ${z.capacity} (${pct} %)`,
				en: `${z.name?.en ?? z.id}: ${count} people, capacity ${z.capacity} (${pct} %)`,
			},
			value: Math.round(share * 1000) / 1000,
			threshold: r.share,
		});
	}
	return out;
}

function nodeOffline(inputs: AlertInputs, now: number, rules: ResolvedRules, open: boolean): Finding[] {
	const r = rules.nodeOffline;
	if (r.onlyWhenOpen && !open) return [];
	const out: Finding[] = [];
	for (const n of inputs.index.centre.nodes) {
		const l = inputs.live.nodes.get(n.id);
		if (l?.online) continue;
		const from = l ? l.lastSeen : inputs.watchSince;
		if (from === undefined || now - from < r.afterS * 1000) continue;
		const m = minutes(now - from);
		out.push({
			key: `offline:${n.id}`,
			rule: "nodeOffline",
			severity: "warning",
			subject: { node: n.id, ...(n.window ? { window: n.window } : {}) },
			message: {
				uk: `Пристрій ${n.id} не на зв'язку ${m} хв`,
				en: `Device ${n.id} has been offline for ${m} min`,
			},
			since: from,
			value: Math.round((now - from) / 1000),
			threshold: r.afterS,
		});
	}
	return out;
}

const PRINTER_PROBLEMS = {
	paper_out: { severity: "warning", uk: "закінчився папір", en: "is out of paper" },
	cover_open: { severity: "warning", uk: "відкрита кришка", en: "has its cover open" },
	offline: { severity: "critical", uk: "не на зв'язку", en: "is offline" },
} as const;

function printer(inputs: AlertInputs): Finding[] {
	const out: Finding[] = [];
	for (const n of inputs.index.centre.nodes) {
		const l = inputs.live.nodes.get(n.id);
		if (!l?.online || !l.printer || l.printer === "ok") continue;
		const p = PRINTER_PROBLEMS[l.printer];
		out.push({
			key: `printer:${n.id}`,
			rule: "printer",
			severity: p.severity,
			subject: { node: n.id },
			message: { uk: `Принтер талонів ${n.id}: ${p.uk}`, en: `Ticket printer ${n.id} ${p.en}` },
			since: l.lastSeen,
			value: 1,
			threshold: 1,
		});
	}
	return out;
}

function lowRatings(inputs: AlertInputs, now: number, rules: ResolvedRules): Finding[] {
	const r = rules.lowRatings;
	const bottom = 2;
	const per = new Map<string, { n: number; low: number }>();
	for (const x of inputs.ratings ?? []) {
		if (x.extra || !x.window || x.ts > now || x.ts <= now - r.windowMin * MIN) continue;
		const t = per.get(x.window) ?? { n: 0, low: 0 };
		t.n++;
		if (x.score <= bottom) t.low++;
		per.set(x.window, t);
	}
	const out: Finding[] = [];
	for (const [window, t] of [...per].sort(([a], [b]) => (a < b ? -1 : 1))) {
		if (t.n < r.minRatings || t.low / t.n < r.share) continue;
		const name = windowName(inputs.index.windows.get(window)?.name, window);
		out.push({
			key: `ratings:${window}`,
			rule: "lowRatings",
			severity: "warning",
			subject: { window },
			message: {
				uk: `${capital(name.uk)}: ${t.low} із ${t.n} оцінок за ${r.windowMin} хв — низькі (1–2)`,
				en: `${capital(name.en)}: ${t.low} of ${t.n} ratings in ${r.windowMin} min are low (1–2)`,
			},
			value: Math.round((t.low / t.n) * 1000) / 1000,
			threshold: r.share,
		});
	}
	return out;
}

function queueIdle(inputs: AlertInputs, now: number, rules: ResolvedRules, samples: AlertState["samples"]): Finding[] {
	const r = rules.queueIdle;
	const then = samples.filter((s) => s.at <= now - r.growMin * MIN).pop();
	if (!then) return [];
	const waiting = countWaiting(inputs.live);
	const out: Finding[] = [];
	for (const svc of inputs.index.centre.services) {
		const nowN = waiting[svc.id] ?? 0;
		const before = then.waiting[svc.id] ?? 0;
		if (nowN < r.minWaiting || nowN <= before) continue;
		// A window that has done nothing yet today has been idle since the day began (or since watched).
		const idleSince = (l: WindowLive) =>
			l.since ?? Math.max(startOfLocalDay(now, inputs.index.centre.timeZone), inputs.watchSince ?? 0);
		const idle = inputs.index.centre.windows.find((w) => {
			const l = inputs.live.windows.get(w.id);
			return (
				w.services.includes(svc.id) && windowOpen(l) && l?.activity === "idle" && now - idleSince(l) >= r.idleS * 1000
			);
		});
		if (!idle) continue;
		const l = inputs.live.windows.get(idle.id);
		const idleFor = l ? now - idleSince(l) : 0;
		const name = windowName(idle.name, idle.id);
		out.push({
			key: `queue-idle:${svc.id}`,
			rule: "queueIdle",
			severity: "warning",
			subject: { service: svc.id, window: idle.id },
			message: {
				uk: `Черга «${svc.name.uk}» зростає (${before} → ${nowN}), а ${name.uk} простоює ${minutes(idleFor)} хв`,
				en: `The queue for ${svc.name.en} grows (${before} → ${nowN}) while ${name.en} has been idle for ${minutes(idleFor)} min`,
			},
			value: nowN,
			threshold: before,
		});
	}
	return out;
}

function silentWindow(inputs: AlertInputs, now: number): Finding[] {
	if (!inputs.holds) return [];
	const out: Finding[] = [];
	for (const s of silentWindows(inputs.live, inputs.index, inputs.holds, now, silenceSettings(inputs.index.centre))) {
		if (!s.possiblyAway || s.usualMs === undefined) continue;
		const name = windowName(inputs.index.windows.get(s.window)?.name, s.window);
		const usualMin = Math.max(1, Math.round(s.usualMs / MIN));
		out.push({
			key: `silent:${s.window}`,
			rule: "silentWindow",
			severity: "warning",
			subject: { window: s.window },
			message: {
				uk: `${capital(name.uk)} не викликає ${minutes(s.silentMs)} хв (чекають: ${s.waiting}; зазвичай викликає за ${usualMin} хв)`,
				en: `${capital(name.en)} has not called for ${minutes(s.silentMs)} min (${s.waiting} waiting; it usually calls within ${usualMin} min)`,
			},
			since: s.since + s.usualMs,
			value: Math.round(s.silentMs / 1000),
			threshold: Math.round(s.usualMs / 1000),
		});
	}
	return out;
}

function hubHealth(inputs: AlertInputs): Finding[] {
	return (inputs.health ?? []).map((h) => {
		const what = HEALTH_REASONS[h.reason].what;
		return {
			key: `hub:${h.reason}`,
			rule: "hubHealth",
			severity: h.severity,
			subject: {},
			message: { uk: `Хаб: ${what.uk} (${h.detail})`, en: `Hub: ${what.en} (${h.detail})` },
			since: h.since,
			value: 1,
			threshold: 1,
		};
	});
}

function countWaiting(live: LiveState): Record<string, number> {
	const out: Record<string, number> = {};
	for (const t of live.waiting.values()) out[t.service] = (out[t.service] ?? 0) + 1;
	return out;
}

export function evaluate(previous: AlertState, inputs: AlertInputs, now: number): Evaluation {
	const rules = alertRules(inputs.index.centre);
	const open = inputs.open ?? isOpen(inputs.index.centre, now);
	const findings: Finding[] = [
		...(rules.waitOverTarget.enabled ? waitOverTarget(inputs, now, rules) : []),
		...(rules.occupancy.enabled ? occupancy(inputs, now, rules) : []),
		...(rules.nodeOffline.enabled ? nodeOffline(inputs, now, rules, open) : []),
		...(rules.lowRatings.enabled ? lowRatings(inputs, now, rules) : []),
		...(rules.queueIdle.enabled ? queueIdle(inputs, now, rules, previous.samples) : []),
		...(rules.hubHealth.enabled ? hubHealth(inputs) : []),
		...(rules.printer.enabled ? printer(inputs) : []),
		...(rules.silentWindow.enabled ? silentWindow(inputs, now) : []),
	];

	const before = new Map(previous.alerts.map((a) => [a.key, a]));
	const alerts: Alert[] = [];
	const raised: Alert[] = [];
	const changed: Alert[] = [];
	for (const f of findings) {
		const old = before.get(f.key);
		const alert: Alert = { ...f, since: old ? old.since : Math.min(f.since ?? now, now) };
		alerts.push(alert);
		if (!old) raised.push(alert);
		else if (old.severity !== alert.severity) changed.push(alert);
	}
	const current = new Set(alerts.map((a) => a.key));
	const resolved = previous.alerts.filter((a) => !current.has(a.key)).map((a) => ({ ...a, resolvedAt: now }));

	// Keep the queue lengths just long enough to look `growMin` minutes back: the newest one at
	// least that old, and all that came after it.
	const cutoff = now - rules.queueIdle.growMin * MIN;
	let first = 0;
	previous.samples.forEach((x, i) => {
		if (x.at <= cutoff) first = i;
	});
	const samples = [...previous.samples.slice(first), { at: now, waiting: countWaiting(inputs.live) }];
	return { state: { alerts, samples }, raised, resolved, changed };
}
