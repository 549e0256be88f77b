/**
 * A discrete-event simulation of one centre's hall: visitors come in through the door, take a
 * ticket at the terminal, wait, are called to a window, are served, rate and leave.
 *
 * Pure: no I/O, no timers, no clock. Time only moves when `advance(untilMs)` is called, and all
 * chance comes from the seeded generator, so the same centre, options and seed give the same
 * actions however the time is cut into steps.
 */
import type { Centre, Service, Window } from "../core/centre.ts";
import type { Kind, PayloadOf } from "../core/contract.ts";
import { pickNext, type WaitingTicket } from "../core/dispatch.ts";
import { type OpeningCalendar, openingCalendar, openingState } from "../core/openingHours.ts";
import { mulberry32, type Rng } from "../core/stats.ts";
import { issueTicket, NO_TICKETS, type TicketCounters } from "../core/ticketNumber.ts";
import { localClock, localDay } from "../core/time.ts";
import {
	type ArrivalProfile,
	capacityWeights,
	HALL_DEFAULTS,
	type HallSettings,
	HOUR,
	ratingScore,
	type Span,
	serviceTimeMs,
} from "./behaviour.ts";
import { DoorCounter } from "./door.ts";
import { arrivalsFor } from "./profile.ts";
import { chance, exponential, pick, pickWeighted, poisson, uniform } from "./random.ts";
import { Schedule } from "./schedule.ts";
import { type DoorDayTruth, type TicketTruth, TruthBook } from "./truth.ts";

/** Something a node publishes at simulated time `at`; the publisher adds `id` and `ts`. */
export type Action = {
	[K in Kind]: { at: number; node: string; kind: K; data: Omit<PayloadOf[K], "id" | "ts"> };
}[Kind];

export interface HallOptions extends Partial<HallSettings> {
	seed: number;
	/** Simulated epoch ms at which the hall opens, empty. */
	startMs: number;
	/** Keep the ground truth of every ticket and door (`tickets()`, `doors()`); off for endless runs. */
	recordTruth?: boolean;
}

/** What is true in the hall right now (ground truth, for tests and comparisons with the hub). */
export interface HallSnapshot {
	at: number;
	inHall: number;
	waiting: Record<string, number>;
	busyWindows: number;
	issued: number;
	/** Visitors who came in, read the expected wait and left without a ticket. */
	balked: number;
}

export interface Hall {
	readonly now: number;
	/** Runs the hall up to and including `untilMs`; returns what the nodes published, in time order. */
	advance(untilMs: number): Action[];
	snapshot(): HallSnapshot;
	/** Ground truth of every ticket issued so far, in issue order; empty unless `recordTruth`. */
	tickets(): TicketTruth[];
	/** People through each door per local day, really and as counted; empty unless `recordTruth`. */
	doors(): DoorDayTruth[];
}

interface Visitor {
	n: number;
	service: Service;
	priority?: string;
	door?: DoorCounter;
	noShow: boolean;
	inHall: boolean;
	ticket?: string;
	issuedAt?: number;
	calledAt?: number;
	truth?: TicketTruth;
}

/** A ticket in the queue, as the dispatcher sees it. */
interface Queued extends WaitingTicket {
	v: Visitor;
}

const NOTHING_TAKEN: ReadonlySet<string> = new Set();

interface Desk {
	window: Window;
	node: string;
	serves: Set<string>;
	/** `away`: on a silent break, not started yet, or gone early — no ticket wakes it. */
	state: "idle" | "waking" | "busy" | "away";
	idleSince: number;
	/** Rough halls: it calls nobody before this time (a late start) … */
	availableFrom?: number;
	/** … nor after this one until the next opening (an early closing). */
	leavesAt?: number;
	/** Gone early: no `ready` is pending; the next opening wakes it. */
	offDuty?: boolean;
}

type Happening =
	| { type: "arrival" }
	| { type: "opening" }
	| { type: "closing" }
	| { type: "visitor" }
	| { type: "ticket"; v: Visitor }
	| { type: "ready"; desk: Desk }
	| { type: "start"; desk: Desk; v: Visitor }
	| { type: "noShow"; desk: Desk; v: Visitor }
	| { type: "finish"; desk: Desk; v: Visitor }
	| { type: "rate"; desk: Desk; v: Visitor }
	| { type: "leave"; v: Visitor }
	| { type: "giveUp"; v: Visitor }
	| { type: "flush"; door: DoorCounter };

export function createHall(centre: Centre, options: HallOptions): Hall {
	return new HallSim(centre, options);
}

class HallSim implements Hall {
	now: number;
	#s: HallSettings;
	#rng: Rng;
	#centre: Centre;
	#arrivals: ArrivalProfile;
	#hours: OpeningCalendar;
	#truth: TruthBook | undefined;
	#future = new Schedule<Happening>();
	#out: Action[] = [];
	#numbers: TicketCounters = NO_TICKETS;
	#terminal: string | undefined;
	#doors: DoorCounter[];
	#desks: Desk[];
	#services: Service[];
	#weights: Readonly<Record<string, number>>;
	#waiting: Queued[] = [];
	#visitors = 0;
	#issued = 0;
	#inHall = 0;
	#balked = 0;

	constructor(centre: Centre, options: HallOptions) {
		this.#centre = centre;
		const { seed, startMs, recordTruth, ...settings } = options;
		this.#s = { ...HALL_DEFAULTS, ...withoutUndefined(settings) };
		this.#rng = mulberry32(seed);
		this.#arrivals = withLunchPeak(
			arrivalsFor(centre, this.#s.arrivalsPerHour, this.#s.followHours),
			this.#s.lunchPeak,
			centre.timeZone,
		);
		this.#hours = openingCalendar(centre);
		this.#truth = recordTruth ? new TruthBook(centre.id, centre.timeZone) : undefined;
		this.now = startMs;
		this.#terminal = centre.nodes.find((n) => n.role === "terminal")?.id;
		this.#doors = centre.nodes.flatMap((n) =>
			n.role === "door" && n.zone ? [new DoorCounter(n.id, n.zone, this.#s.doorFlushMs)] : [],
		);
		// Only windows with a node are staffed: a window nobody observes would serve invisibly.
		this.#desks = centre.windows.flatMap((w) => {
			const node = centre.nodes.find((n) => n.role === "window" && n.window === w.id);
			const desk: Desk = { window: w, node: node?.id ?? "", serves: new Set(w.services), state: "idle", idleSince: 0 };
			return node ? [desk] : [];
		});
		const staffed = new Set(this.#desks.flatMap((d) => [...d.serves]));
		this.#services = centre.services.filter((s) => staffed.has(s.id));
		this.#weights =
			this.#s.serviceWeights ??
			capacityWeights(
				this.#services,
				this.#desks.map((d) => d.window),
				this.#s.defaultServiceMin,
			);
		this.#nextArrival(this.now);
		if (this.#s.followHours) this.#nextOpening(this.now);
	}

	advance(untilMs: number): Action[] {
		while (this.#future.peekAt() <= untilMs) {
			const next = this.#future.pop();
			if (!next) break;
			this.now = next.at;
			this.#handle(next.item);
		}
		this.now = Math.max(this.now, untilMs);
		const out = this.#out;
		this.#out = [];
		return out;
	}

	snapshot(): HallSnapshot {
		const waiting: Record<string, number> = {};
		for (const q of this.#waiting) waiting[q.service] = (waiting[q.service] ?? 0) + 1;
		return {
			at: this.now,
			inHall: this.#inHall,
			waiting,
			busyWindows: this.#desks.filter((d) => d.state !== "idle").length,
			issued: this.#issued,
			balked: this.#balked,
		};
	}

	tickets(): TicketTruth[] {
		return this.#truth?.tickets() ?? [];
	}

	doors(): DoorDayTruth[] {
		return this.#truth?.doors() ?? [];
	}

	#handle(h: Happening): void {
		switch (h.type) {
			case "arrival":
				this.#arrival();
				break;
			case "opening":
				this.#opening();
				break;
			case "closing":
				this.#closing();
				break;
			case "visitor":
				this.#visitor();
				break;
			case "ticket":
				this.#ticket(h.v);
				break;
			case "ready":
				this.#ready(h.desk);
				break;
			case "start":
				this.#start(h.desk, h.v);
				break;
			case "noShow":
				this.#noShow(h.desk, h.v);
				break;
			case "finish":
				this.#finish(h.desk, h.v);
				break;
			case "rate":
				this.#rate(h.desk, h.v);
				break;
			case "leave":
				this.#leave(h.v);
				break;
			case "giveUp":
				// Gone only if nobody called the ticket meanwhile.
				if (h.v.calledAt === undefined) this.#leave(h.v);
				break;
			case "flush":
				this.#flush(h.door);
				break;
		}
	}

	/** Candidates come at the profile's peak rate and are thinned to the rate at their time. */
	#nextArrival(from: number): void {
		const { maxPerHour } = this.#arrivals;
		if (maxPerHour <= 0 || this.#services.length === 0) return;
		this.#future.add(from + Math.round(exponential(this.#rng, HOUR / maxPerHour)), { type: "arrival" });
	}

	#arrival(): void {
		const at = this.now;
		const profile = this.#arrivals;
		this.#nextArrival(at);
		if (this.#rng() * profile.maxPerHour < profile.perHour(at)) this.#visitor();
	}

	#nextOpening(from: number): void {
		const at = this.#hours.nextOpening(from);
		if (at !== undefined && this.#services.length > 0) this.#future.add(at, { type: "opening" });
	}

	/** The people who came before opening and waited at the door come in during the first minutes. */
	#opening(): void {
		const expected = (this.#s.openingCrowdMin / 60) * this.#arrivals.perHour(this.now);
		for (let i = poisson(this.#rng, expected); i > 0; i--) this.#after(this.#s.openingInMs, { type: "visitor" });
		this.#staffTheDay();
		this.#nextOpening(this.now + 1);
	}

	/**
	 * Rough halls, at each opening: every window's late start and, on some days, its early leave;
	 * a window gone early yesterday is back (from its late start).
	 */
	#staffTheDay(): void {
		const { lateStartMs, earlyClose } = this.#s;
		if (!lateStartMs && !earlyClose) return;
		const next = openingState(this.#centre, this.now).nextChange;
		const closing = next && !next.open ? next.at : undefined;
		if (earlyClose && closing !== undefined) this.#future.add(closing, { type: "closing" });
		for (const d of this.#desks) {
			d.availableFrom = lateStartMs ? this.now + this.#draw(lateStartMs) : undefined;
			d.leavesAt =
				earlyClose && closing !== undefined && chance(this.#rng, earlyClose.share)
					? closing - this.#draw(earlyClose.ms)
					: undefined;
			// Only a window with no `ready` pending is woken here (one on a break has its own).
			if (d.state === "idle" || d.offDuty) {
				d.offDuty = false;
				d.state = "waking";
				this.#future.add(d.availableFrom ?? this.now, { type: "ready", desk: d });
			}
		}
	}

	/**
	 * Closing time, in a hall whose windows may go early: whoever still waits for a service that no
	 * window on duty serves goes home. A ticket is that day's (numbers start again each morning,
	 * and the hub starts each day with an empty hall), so nobody is called the next morning on it.
	 */
	#closing(): void {
		const onDuty = this.#desks.filter((d) => !d.offDuty && (d.leavesAt === undefined || d.leavesAt > this.now));
		this.#waiting = this.#waiting.filter((q) => {
			if (onDuty.some((d) => d.serves.has(q.service))) return true;
			this.#leave(q.v);
			return false;
		});
	}

	/** Someone comes in, chooses a service, and takes a ticket unless the expected wait puts them off. */
	#visitor(): void {
		const rng = this.#rng;
		const service = pickWeighted(rng, this.#services, (s) => this.#weights[s.id] ?? 0);
		if (!service) return;
		const categories = this.#centre.priorityCategories;
		const priority = categories.length > 0 && chance(rng, this.#s.priorityShare) ? pick(rng, categories) : undefined;
		const v: Visitor = { n: ++this.#visitors, service, noShow: chance(rng, this.#s.noShowShare), inHall: true };
		if (priority) v.priority = priority;
		const door = pick(rng, this.#doors);
		if (door) {
			v.door = door;
			this.#count(door, "in");
		}
		this.#inHall++;

		if (this.#expectedWaitMs(service) > this.#draw(this.#s.patienceMs)) {
			this.#balked++;
			this.#after(this.#s.balkMs, { type: "leave", v });
			return;
		}
		const ticketAt = this.#after(this.#s.toTerminalMs, { type: "ticket", v });
		if (v.noShow) this.#future.add(ticketAt + this.#draw(this.#s.noShowLeaveMs), { type: "leave", v });
	}

	/** What a visitor reads off the screen: people ahead for the service over the windows' share of it. */
	#expectedWaitMs(service: Service): number {
		let share = 0;
		for (const d of this.#desks) if (d.serves.has(service.id)) share += 1 / d.serves.size;
		const ahead = this.#waiting.filter((q) => q.service === service.id).length;
		return (ahead / Math.max(share, 1e-9)) * this.#meanServiceMin(service) * 60_000;
	}

	#meanServiceMin(service: Service): number {
		return service.meanServiceMin ?? this.#s.defaultServiceMin;
	}

	#ticket(v: Visitor): void {
		const issued = issueTicket(this.#numbers, v.service.prefix, localDay(this.now, this.#centre.timeZone));
		this.#numbers = issued.counters;
		v.ticket = issued.ticket;
		v.issuedAt = this.now;
		this.#issued++;
		v.truth = this.#truth?.issued(v.ticket, v.service.id, v.priority, this.now);
		this.#waiting.push({ ticket: v.ticket, service: v.service.id, priority: v.priority, issuedAt: this.now, v });
		const leave = this.#s.leaveAfterTicket;
		if (leave && !v.noShow && chance(this.#rng, leave.share)) this.#after(leave.ms, { type: "giveUp", v });
		if (this.#terminal) this.#queue(this.#terminal, "issued", v);
		const desk = this.#deskToWake(v);
		if (desk) {
			desk.state = "waking";
			this.#after(this.#s.reactionMs, { type: "ready", desk });
		}
	}

	/**
	 * Of the idle windows serving the ticket, a priority desk for a priority visitor and an
	 * ordinary window otherwise (keeping the priority desk free), then the one idle longest.
	 */
	#deskToWake(v: Visitor): Desk | undefined {
		const wantPriorityDesk = v.priority !== undefined;
		let best: Desk | undefined;
		for (const d of this.#desks) {
			if (d.state !== "idle" || !d.serves.has(v.service.id)) continue;
			if (!best) best = d;
			else {
				const dFits = d.window.priority === wantPriorityDesk;
				const bestFits = best.window.priority === wantPriorityDesk;
				if ((dFits && !bestFits) || (dFits === bestFits && d.idleSince < best.idleSince)) best = d;
			}
		}
		return best;
	}

	/** A free window calls the ticket the hub's dispatcher would give it: priority first, then the oldest. */
	#ready(desk: Desk): void {
		if (this.#away(desk)) return;
		const next = pickNext(this.#waiting, desk.window, NOTHING_TAKEN) as Queued | null;
		if (!next) {
			desk.state = "idle";
			desk.idleSince = this.now;
			return;
		}
		this.#waiting.splice(this.#waiting.indexOf(next), 1);
		const v = next.v;
		v.calledAt = this.now;
		if (v.truth) this.#truth?.called(v.truth, desk.window.id, this.now);
		desk.state = "busy";
		this.#queue(desk.node, "called", v, desk);
		if (v.noShow || !v.inHall) this.#future.add(this.now + this.#s.noShowGraceMs, { type: "noShow", desk, v });
		else this.#after(this.#s.toWindowMs, { type: "start", desk, v });
	}

	/**
	 * Rough halls: whether the window calls nobody now — before its late start, after its early
	 * leave (until the next opening), or on a silent break — with its next `ready` scheduled.
	 */
	#away(desk: Desk): boolean {
		if (desk.availableFrom !== undefined && this.now < desk.availableFrom) {
			desk.state = "away";
			this.#future.add(desk.availableFrom, { type: "ready", desk });
			return true;
		}
		if (desk.leavesAt !== undefined && this.now >= desk.leavesAt) {
			desk.state = "away";
			desk.offDuty = true;
			return true;
		}
		const brk = this.#s.silentBreak;
		if (brk && desk.state !== "away" && chance(this.#rng, brk.chance)) {
			desk.state = "away";
			this.#after(brk.ms, { type: "ready", desk });
			return true;
		}
		return false;
	}

	#start(desk: Desk, v: Visitor): void {
		this.#queue(desk.node, "started", v, desk);
		if (v.truth) this.#truth?.started(v.truth, this.now);
		const sigma = this.#s.serviceSigmas?.[v.service.id] ?? this.#s.serviceSigma;
		let ms = serviceTimeMs(this.#rng, this.#meanServiceMin(v.service), sigma);
		const long = this.#s.longVisits;
		if (long)
			ms = Math.round(
				ms * (chance(this.#rng, long.share) ? long.timesMean : (1 - long.share * long.timesMean) / (1 - long.share)),
			);
		this.#future.add(this.now + ms, { type: "finish", desk, v });
	}

	#noShow(desk: Desk, v: Visitor): void {
		this.#queue(desk.node, "no_show", v, desk);
		if (v.truth) this.#truth?.noShow(v.truth);
		this.#after(this.#s.reactionMs, { type: "ready", desk });
	}

	#finish(desk: Desk, v: Visitor): void {
		this.#queue(desk.node, "finished", v, desk);
		if (v.truth) this.#truth?.finished(v.truth, this.now);
		if (chance(this.#rng, this.#s.ratingShare)) this.#after(this.#s.rateDelayMs, { type: "rate", desk, v });
		this.#after(this.#s.leaveMs, { type: "leave", v });
		this.#after(this.#s.wrapUpMs, { type: "ready", desk });
	}

	#rate(desk: Desk, v: Visitor): void {
		const waitMs = (v.calledAt ?? this.now) - (v.issuedAt ?? this.now);
		const score = ratingScore(this.#rng, waitMs, v.service.targetWaitMin, this.#centre.ratingScale);
		const data: Omit<PayloadOf["rating"], "id" | "ts"> = { score };
		if (v.ticket) data.ticket = v.ticket;
		if (v.truth) this.#truth?.rated(v.truth, score);
		this.#emit({ at: this.now, node: desk.node, kind: "rating", data });
	}

	#leave(v: Visitor): void {
		if (!v.inHall) return;
		v.inHall = false;
		this.#inHall--;
		if (v.door) this.#count(v.door, "out");
	}

	/** One person through a door, which the sensor misses now and then. */
	#count(door: DoorCounter, way: "in" | "out"): void {
		const counted = !chance(this.#rng, this.#s.doorMissShare[way]);
		this.#truth?.door(door.node, door.zone, way, counted, this.now);
		if (!counted) return;
		const reportAt = door.pass(way, this.now);
		if (reportAt !== undefined) this.#future.add(reportAt, { type: "flush", door });
	}

	#flush(door: DoorCounter): void {
		this.#emit({ at: this.now, node: door.node, kind: "occupancy", data: door.report() });
	}

	#queue(node: string, event: PayloadOf["queue"]["event"], v: Visitor, desk?: Desk): void {
		const data: Omit<PayloadOf["queue"], "id" | "ts"> = { event, ticket: v.ticket ?? "", service: v.service.id };
		if (desk) data.window = desk.window.id;
		if (v.priority) data.priority = v.priority;
		this.#emit({ at: this.now, node, kind: "queue", data });
	}

	#emit(action: Action): void {
		this.#out.push(action);
	}

	/** Schedules `h` after a delay drawn from `span`; returns its time. */
	#after(span: Span, h: Happening): number {
		const at = this.now + this.#draw(span);
		this.#future.add(at, h);
		return at;
	}

	#draw(span: Span): number {
		return Math.round(uniform(this.#rng, span[0], span[1]));
	}
}

/** Arrivals `factor` × the profile between two local minutes of the day (off without `peak`). */
function withLunchPeak(base: ArrivalProfile, peak: HallSettings["lunchPeak"], timeZone: string): ArrivalProfile {
	if (!peak) return base;
	const clock = localClock(timeZone);
	return {
		perHour(at) {
			const m = clock.at(at).minuteOfDay;
			return base.perHour(at) * (m >= peak.fromMin && m < peak.toMin ? peak.factor : 1);
		},
		maxPerHour: base.maxPerHour * Math.max(1, peak.factor),
	};
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
	return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
