/**
 * What the hub works out from the live state for people: waiting-time estimates per service,
 * open/closed, best times to visit, and alerts. The computations are pure (core/); this file
 * feeds them events, caches their answers and publishes alerts (retained on
 * `vikno/v1/{centre}/$hub/alerts`, and POSTed to the centre's webhook when one is configured).
 */
import { type Alert, type AlertState, emptyAlerts, evaluate } from "../core/alerts.ts";
import { type BestTimes, bestTimes, hourlyRows } from "../core/bestTimes.ts";
import {
	ALL_SERVICES,
	type CalibrationState,
	type CalibrationSummary,
	calibrate,
	calibrationSummary,
	emptyCalibration,
	onQueueEvent,
	type ShownRange,
} from "../core/calibration.ts";
import type { CentreIndex } from "../core/centre.ts";
import { isWireEvent, type WireEvent } from "../core/contract.ts";
import type { HealthReason } from "../core/health.ts";
import { emptyHoldStats, type HoldStats, observe } from "../core/holdTimes.ts";
import { type HubStateOf, type LiveSummary, liveSummary } from "../core/hubState.ts";
import { windowOpen } from "../core/live.ts";
import { type LiveView, withSilence } from "../core/liveView.ts";
import type { Log } from "../core/log.ts";
import { type OpeningState, openingState } from "../core/openingHours.ts";
import { publicEstimate } from "../core/publicWait.ts";
import { silentWindows } from "../core/silence.ts";
import { type TicketView, ticketStatus } from "../core/ticketStatus.ts";
import { hubTopic } from "../core/topic.ts";
import {
	baselineWait,
	estimateAll,
	estimateWait,
	type NoEstimateReason,
	type WaitEstimate,
} from "../core/waitEstimate.ts";
import type { EventStore } from "../store/types.ts";
import type { LiveHub } from "./liveHub.ts";

export interface InsightsOptions {
	centres: ReadonlyMap<string, CentreIndex>;
	live: LiveHub;
	store: EventStore;
	log: Log;
	now: () => number;
	/** Publish the hub's retained state (`$hub/…`, core/hubState.ts). */
	publishRetained: (topic: string, payload: HubStateOf["alerts"]) => void;
	/** POST a JSON body; default: fetch with a 5 s timeout. */
	post?: (url: string, body: object) => Promise<void>;
	/** How long estimates are reused while nothing changes (they run a small simulation). */
	estimateTtlMs?: number;
	/** Why the hub is degraded now (hub/health.ts), for the `hubHealth` rule. */
	health?: () => readonly HealthReason[];
}

export interface ServiceWait {
	/** Estimated wait for a visitor taking a ticket now, minutes, with the range 80 % fall in. */
	estimate: { minutes: number; low: number; high: number } | null;
	/** Why there is no estimate (e.g. `no_window_open`). */
	noEstimate?: NoEstimateReason;
}

/** An estimate as shown, the one before calibration, and the naive baseline. */
export interface EstimateNow {
	estimate: WaitEstimate;
	raw: WaitEstimate;
	by: string | null;
	baselineMin: number | null;
}

/** The live view, each service with its estimate. */
export type LiveWithWaits = LiveView;

interface Ratings {
	ts: number;
	score: number;
	window?: string;
	extra?: boolean;
}

/** Best times of the whole centre and of each service. */
interface BestAll {
	all: BestTimes;
	byService: Record<string, BestTimes>;
}

const RATINGS_KEPT_MS = 60 * 60_000;
const BEST_TIMES_TTL_MS = 3_600_000;

export class Insights {
	private readonly holds = new Map<string, HoldStats>();
	private readonly estimates = new Map<
		string,
		{ at: number; dirty: boolean; dirtiedAt?: number; list: WaitEstimate[] }
	>();
	private readonly alerts = new Map<string, AlertState>();
	private readonly ratings = new Map<string, Ratings[]>();
	private readonly best = new Map<string, { at: number; value: Promise<BestAll> }>();
	/** Per centre: the ranges shown for waiting tickets and how past ones held (core/calibration.ts). */
	private readonly calibration = new Map<string, CalibrationState>();
	private readonly started: number;

	constructor(private readonly opts: InsightsOptions) {
		this.started = opts.now();
		for (const id of opts.centres.keys()) {
			this.holds.set(id, emptyHoldStats());
			this.alerts.set(id, emptyAlerts());
			this.ratings.set(id, []);
			this.calibration.set(id, emptyCalibration());
		}
	}

	/**
	 * Learn recent service times from the last two days in the store, and the last hour's ratings
	 * for the alert rules (a restarted hub).
	 */
	async seed(): Promise<void> {
		const now = this.opts.now();
		for (const [id, index] of this.opts.centres) {
			const events = await this.opts.store.readRange(id, now - 2 * 86_400_000, Number.MAX_SAFE_INTEGER);
			const stats = this.holds.get(id) ?? emptyHoldStats();
			const ratings = this.ratings.get(id) ?? [];
			let unreadable = 0;
			for (const e of events) {
				if (!isWireEvent(e)) {
					unreadable++;
					continue;
				}
				observe(stats, e, index);
				if (e.kind === "rating" && e.ts >= now - RATINGS_KEPT_MS) ratings.push(this.rating(e, index));
			}
			if (unreadable > 0)
				this.opts.log.warn(
					{ centre: id, events: unreadable },
					"stored events that do not match the wire contract left out",
				);
			this.ratings.set(id, ratings);
		}
	}

	/**
	 * A rating for the alert rules, at the window the hub attributes it to: the publishing node's
	 * configured window — never a payload field, which the edge does not send and a node may not set.
	 */
	private rating(e: Extract<WireEvent, { kind: "rating" }>, index: CentreIndex): Ratings {
		const window = index.nodes.get(e.node)?.window;
		return {
			ts: e.data.ts,
			score: e.data.score,
			...(window ? { window } : {}),
			...(e.data.extra ? { extra: true } : {}),
		};
	}

	/** Feed events that were accepted (new), in order. */
	onEvents(events: readonly WireEvent[]): void {
		this.justIssued.clear();
		for (const e of events) {
			const index = this.opts.centres.get(e.centre);
			const stats = this.holds.get(e.centre);
			if (!index || !stats) continue;
			observe(stats, e, index);
			if (e.kind === "queue") this.calibrate(e);
			// A node's status that opens or closes a window (online, paused) has the estimates made again
			// at once; a heartbeat that changes neither leaves them (every node sends one every 30 s: a
			// city's thousand centres would otherwise have all their estimates made afresh every
			// second). A queue event marks them due within a second; a rating or a door count changes
			// nothing they are made of (the queues, the windows, their times), so it leaves them: a
			// busy centre's ratings would otherwise have its estimates simulated afresh every second.
			if (e.kind === "status") {
				const open = this.openWindows(e.centre, index);
				if (open !== this.windowsOpen.get(e.centre)) {
					this.windowsOpen.set(e.centre, open);
					this.estimates.delete(e.centre);
				}
			} else if (e.kind === "queue") {
				const cached = this.estimates.get(e.centre);
				if (cached) {
					cached.dirty = true;
					cached.dirtiedAt = this.opts.now();
				}
			}
			if (e.kind === "rating") {
				const list = this.ratings.get(e.centre) ?? [];
				list.push(this.rating(e, index));
				const cutoff = e.data.ts - RATINGS_KEPT_MS;
				while (list.length && (list[0]?.ts ?? 0) < cutoff) list.shift();
				this.ratings.set(e.centre, list);
			}
		}
	}

	/** Per centre: which of its windows were open (node online, not paused) at the last status. */
	private readonly windowsOpen = new Map<string, string>();

	private openWindows(centre: string, index: CentreIndex): string {
		const state = this.opts.live.state(centre);
		let open = "";
		for (const w of index.centre.windows) open += windowOpen(state?.windows.get(w.id)) ? "1" : "0";
		return open;
	}

	/**
	 * The range calibration's side of a queue event (`onQueueEvent` has the rule): an issued
	 * ticket's estimate is made here, as shown, and remembered; a called one's real wait is compared
	 * with it; a ticket that leaves the queue without a call seen is forgotten.
	 */
	private calibrate(e: Extract<WireEvent, { kind: "queue" }>): void {
		const cal = this.calibration.get(e.centre);
		if (!cal) return;
		const q = e.data;
		let shown: ShownRange | undefined;
		if (q.event === "issued") {
			const r = this.estimateNow(e.centre, q.service, q.ts, q.ticket);
			if (r) this.justIssued.set(`${e.centre}/${q.ticket}`, { at: q.ts, result: r });
			if (r?.estimate.ok && r.raw.ok) {
				const raw = { minutes: r.raw.minutes, low: r.raw.low, high: r.raw.high };
				const { minutes, low, high } = r.estimate;
				shown = { service: q.service, issuedAt: q.ts, raw, shown: { minutes, low, high }, by: r.by };
			}
		}
		onQueueEvent(cal, q, shown);
	}

	/** An estimate as the hub shows it: its range corrected by how past ranges held (one place). */
	private shown(centre: string, w: WaitEstimate): WaitEstimate & { by?: string | null } {
		const cal = this.calibration.get(centre);
		if (!w.ok || !cal) return w;
		const { minutes, low, high, by } = calibrate(cal, w.service, w);
		return { ...w, minutes, low, high, by };
	}

	/**
	 * How the ranges shown held, per service of the centre and for the whole centre (`*`): the share
	 * of the last called tickets inside, the mean of real − shown, the correction applied now.
	 */
	calibrationOf(centre: string): { service: string; summary: CalibrationSummary }[] {
		const cal = this.calibration.get(centre);
		const index = this.opts.centres.get(centre);
		if (!cal || !index) return [];
		return [...index.centre.services.map((s) => s.id), ALL_SERVICES].map((service) => ({
			service,
			summary: calibrationSummary(cal, service),
		}));
	}

	/** Estimates for every service of a centre (cached; recomputed after a change and a short wait). */
	waits(centre: string): WaitEstimate[] | undefined {
		const index = this.opts.centres.get(centre);
		const state = this.opts.live.state(centre);
		const stats = this.holds.get(centre);
		if (!index || !state || !stats) return undefined;
		const now = this.opts.now();
		const cached = this.estimates.get(centre);
		const ttl = this.opts.estimateTtlMs ?? 5_000;
		if (cached && now - cached.at < (cached.dirty ? 1_000 : ttl)) return cached.list;
		// Stale while revalidating: the estimates of a whole centre take tens of milliseconds, too
		// long to hold every reader of the event loop (the public API serves thousands a second), so
		// they are recomputed one service per turn of the loop while readers get the last ones —
		// at most a few turns old. Only a centre with none yet (or far behind) waits for them.
		if (cached && now - cached.at < 3 * ttl) {
			this.refresh(centre);
			return cached.list;
		}
		const list = estimateAll(stats, state, index, now).map((w) => this.stripped(this.shown(centre, w)));
		this.estimates.set(centre, { at: now, dirty: false, list });
		return list;
	}

	private readonly refreshing = new Set<string>();

	private refresh(centre: string): void {
		if (this.refreshing.has(centre)) return;
		this.refreshing.add(centre);
		const at = this.opts.now();
		const next = async () => {
			const list: WaitEstimate[] = [];
			const index = this.opts.centres.get(centre);
			for (const svc of index?.centre.services ?? []) {
				await new Promise<void>((resolve) => setImmediate(resolve));
				const state = this.opts.live.state(centre);
				const stats = this.holds.get(centre);
				if (!index || !state || !stats) return;
				list.push(this.stripped(this.shown(centre, estimateWait(stats, state, index, svc.id, this.opts.now()))));
			}
			const cached = this.estimates.get(centre);
			// A status during the refresh dropped the estimates (or a reader has made newer ones):
			// these are out of date before they are kept.
			if (!cached || cached.at > at) return;
			// An event during the refresh makes it dirty again: it is recomputed on the next read.
			const dirty = cached?.dirty === true && (cached.dirtiedAt ?? 0) > at;
			this.estimates.set(centre, { at, dirty, list });
		};
		next()
			.catch((err: Error) => this.opts.log.warn({ centre, err: err.message }, "estimates: refresh failed"))
			.finally(() => this.refreshing.delete(centre));
	}

	private stripped(w: WaitEstimate & { by?: string | null }): WaitEstimate {
		if (!("by" in w)) return w;
		const { by: _, ...rest } = w;
		return rest;
	}

	/**
	 * A fresh estimate (no cache) for one service at `now`, as shown (calibrated) — for a ticket
	 * already waiting when `ticket` is given — with the estimate before calibration (`raw`; `by`: the
	 * calibration it was corrected by) and the naive baseline a simple display would show (for the
	 * benchmark). For a ticket of the last batch asked at its issue time, the very estimate the hub
	 * remembered for it.
	 */
	estimateNow(centre: string, service: string, now: number, ticket?: string): EstimateNow | undefined {
		const recent = ticket !== undefined ? this.justIssued.get(`${centre}/${ticket}`) : undefined;
		if (recent && recent.at === now && recent.result.estimate.service === service) return recent.result;
		const index = this.opts.centres.get(centre);
		const state = this.opts.live.state(centre);
		const stats = this.holds.get(centre);
		if (!index || !state || !stats) return undefined;
		const raw = estimateWait(stats, state, index, service, now, ticket ? { ticket } : {});
		const { by, ...estimate } = { by: null, ...this.shown(centre, raw) };
		return { estimate, raw, by, baselineMin: baselineWait(stats, state, index, service) };
	}

	/** The estimates made for the tickets issued in the batch `onEvents` took last. */
	private readonly justIssued = new Map<string, { at: number; result: EstimateNow }>();

	/**
	 * The live view with each service's estimate and how its estimates held (core/calibration.ts),
	 * and each window's silent absence (core/silence.ts).
	 */
	liveView(centre: string): LiveWithWaits | undefined {
		const view = this.opts.live.view(centre);
		const waits = this.waits(centre);
		const index = this.opts.centres.get(centre);
		const state = this.opts.live.state(centre);
		const stats = this.holds.get(centre);
		if (!view || !waits || !index || !state || !stats) return undefined;
		const cal = this.calibration.get(centre);
		const held = (service: string) => {
			const c = cal ? calibrationSummary(cal, service) : undefined;
			return c && c.coverage !== null && c.biasMin !== null
				? { tickets: c.tickets, coverage: c.coverage, biasMin: Math.round(c.biasMin * 10) / 10 }
				: null;
		};
		const withWaits = {
			...view,
			services: view.services.map((s, i) => ({ ...s, ...toServiceWait(waits[i]), estimateHeld: held(s.id) })),
		};
		return withSilence(withWaits, silentWindows(state, index, stats, view.at));
	}

	/**
	 * What the ticket terminals read (`$hub/live`): each service's waiting tickets and estimate —
	 * `liveSummary(liveView(centre))` without the rest of the view (windows, silence, figures of
	 * the day), which the hub publishes for every centre every few seconds.
	 */
	liveSummary(centre: string): LiveSummary | undefined {
		const index = this.opts.centres.get(centre);
		const waiting = this.opts.live.waitingByService(centre);
		const waits = this.waits(centre);
		if (!index || !waiting || !waits) return undefined;
		return liveSummary({
			centre,
			at: this.opts.now(),
			services: index.centre.services.map((s, i) => ({
				id: s.id,
				waiting: waiting.get(s.id) ?? 0,
				...toServiceWait(waits[i]),
			})),
		});
	}

	/**
	 * A ticket issued today: where it is and, while it waits, when it should be called — estimated
	 * for that very ticket (its place and priority), even after closing time: it is in the hall.
	 */
	ticket(centre: string, ticket: string): TicketView | undefined {
		const state = this.opts.live.state(centre);
		if (!state) return undefined;
		const status = ticketStatus(state, ticket);
		if (!status) return undefined;
		if (status.stage !== "waiting") return { status, estimate: null };
		const est = this.estimateNow(centre, status.service, this.opts.now(), ticket)?.estimate;
		return { status, ...publicEstimate(toServiceWait(est), true) };
	}

	opening(centre: string): OpeningState | undefined {
		const index = this.opts.centres.get(centre);
		return index ? openingState(index.centre, this.opts.now()) : undefined;
	}

	/** Best time to visit from the last 8 weeks in the store (recomputed hourly). */
	bestTimes(centre: string): Promise<BestTimes> | undefined {
		return this.bestAll(centre)?.then((b) => b.all);
	}

	/**
	 * Best time to visit each service, from the waits of its own tickets (and the hall's load) over
	 * the last 8 weeks; every service of the centre is there, with unlabelled hours when its
	 * tickets were too few. Recomputed hourly with `bestTimes`.
	 */
	bestTimesByService(centre: string): Promise<Record<string, BestTimes>> | undefined {
		return this.bestAll(centre)?.then((b) => b.byService);
	}

	private bestAll(centre: string): Promise<BestAll> | undefined {
		const index = this.opts.centres.get(centre);
		if (!index) return undefined;
		const now = this.opts.now();
		const cached = this.best.get(centre);
		if (cached && now - cached.at < BEST_TIMES_TTL_MS) return cached.value;
		const c = index.centre;
		const fromTs = now - 8 * 7 * 86_400_000;
		const base = { centre, fromTs, toTs: now, step: "1h" as const, timeZone: c.timeZone };
		const called = { measurement: "queue" as const, field: "wait_s", where: { event: "called" as const } };
		const value = Promise.all([
			this.opts.store.query({ ...base, measurement: "occupancy", field: "count" }),
			this.opts.store.query({ ...base, ...called }),
			this.opts.store.query({ ...base, ...called, groupBy: "service" }),
		]).then(([occ, waits, perService]) => {
			const options = { capacity: c.zones[0]?.capacity ?? 0 };
			const byService: Record<string, BestTimes> = {};
			for (const s of c.services) {
				const own = perService.filter((r) => r.group === s.id);
				byService[s.id] = bestTimes(hourlyRows(occ, own, c.timeZone), c, now, options);
			}
			return { all: bestTimes(hourlyRows(occ, waits, c.timeZone), c, now, options), byService };
		});
		value.catch((err: Error) => {
			this.best.delete(centre);
			this.opts.log.warn({ centre, err: err.message }, "best times: store query failed");
		});
		this.best.set(centre, { at: now, value });
		return value;
	}

	/** Evaluate every centre's alert rules; publish and notify what changed. */
	checkAlerts(): void {
		const now = this.opts.now();
		const health = this.opts.health?.() ?? [];
		for (const [id, index] of this.opts.centres) {
			const live = this.opts.live.state(id);
			const previous = this.alerts.get(id);
			if (!live || !previous) continue;
			const ev = evaluate(
				previous,
				{
					live,
					index,
					ratings: this.ratings.get(id) ?? [],
					watchSince: this.started,
					health,
					...(this.holds.has(id) ? { holds: this.holds.get(id) } : {}),
				},
				now,
			);
			this.alerts.set(id, ev.state);
			// Retained state: published once at start (a late subscriber sees "no alerts"), then on change.
			const changed = ev.raised.length + ev.resolved.length + ev.changed.length > 0;
			if (!changed && this.alertsPublished.has(id)) continue;
			this.alertsPublished.add(id);
			this.opts.publishRetained(hubTopic(id, "alerts"), { centre: id, at: now, alerts: ev.state.alerts });
			const url = index.centre.alerts?.webhookUrl;
			if (url) {
				for (const a of ev.raised) this.notify(url, id, "raised", a);
				for (const a of ev.resolved) this.notify(url, id, "resolved", a);
			}
			for (const a of ev.raised) this.opts.log.warn({ centre: id, alert: a.key }, `alert: ${a.message.en}`);
			for (const a of ev.resolved) this.opts.log.info({ centre: id, alert: a.key }, `alert resolved: ${a.message.en}`);
		}
	}

	private readonly alertsPublished = new Set<string>();

	/** Active alerts of a centre. */
	activeAlerts(centre: string): Alert[] {
		return this.alerts.get(centre)?.alerts ?? [];
	}

	private notify(url: string, centre: string, event: "raised" | "resolved", alert: Alert) {
		const post = this.opts.post ?? postJson;
		post(url, { centre, event, alert }).catch((err: Error) =>
			this.opts.log.warn({ centre, alert: alert.key, err: err.message }, "alert webhook failed"),
		);
	}
}

function toServiceWait(w: WaitEstimate | undefined): ServiceWait {
	if (!w) return { estimate: null, noEstimate: "unknown_service" };
	if (!w.ok) return { estimate: null, noEstimate: w.reason };
	return { estimate: { minutes: w.minutes, low: w.low, high: w.high } };
}

async function postJson(url: string, body: object): Promise<void> {
	const res = await fetch(url, {
		method: "POST",
		headers: { "content-type": "application/json" },
		body: JSON.stringify(body),
		signal: AbortSignal.timeout(5_000),
	});
	if (!res.ok) throw new Error(`HTTP ${res.status}`);
}
