/**
 * Ground truth of a simulated hall: what really happened to every ticket and at every door,
 * kept beside the events the nodes publish, so an estimate or a counter can be scored against it.
 * Pure bookkeeping; the hall tells it what happened and when.
 */
import { localDay } from "../core/time.ts";

/** What happened to one ticket. Times are simulated epoch ms. */
export interface TicketTruth {
	centre: string;
	/** Local day of issue in the centre's time zone: numbers restart daily, so a ticket is known by day and number. */
	day: string;
	ticket: string;
	service: string;
	priority?: string;
	issuedAt: number;
	/** When a window called it; absent while it still waited at the end of the run. */
	calledAt?: number;
	/** The true wait in seconds: (calledAt − issuedAt) / 1000. */
	waitS?: number;
	window?: string;
	startedAt?: number;
	finishedAt?: number;
	/** Time at the window in seconds: (finishedAt − startedAt) / 1000. */
	serviceS?: number;
	/** `open`: still waiting or at the window when the run ended. */
	outcome: "served" | "no_show" | "open";
	/** The score the visitor pressed, when they rated. */
	rating?: number;
}

/** People through one door in one local day: really, and as the sensor counted them. */
export interface DoorDayTruth {
	centre: string;
	node: string;
	zone: string;
	day: string;
	in: number;
	out: number;
	countedIn: number;
	countedOut: number;
}

export class TruthBook {
	readonly centre: string;
	#timeZone: string;
	#tickets: TicketTruth[] = [];
	#doors = new Map<string, DoorDayTruth>();

	constructor(centre: string, timeZone: string) {
		this.centre = centre;
		this.#timeZone = timeZone;
	}

	issued(ticket: string, service: string, priority: string | undefined, at: number): TicketTruth {
		const t: TicketTruth = {
			centre: this.centre,
			day: localDay(at, this.#timeZone),
			ticket,
			service,
			issuedAt: at,
			outcome: "open",
		};
		if (priority) t.priority = priority;
		this.#tickets.push(t);
		return t;
	}

	called(t: TicketTruth, window: string, at: number): void {
		t.calledAt = at;
		t.waitS = (at - t.issuedAt) / 1000;
		t.window = window;
	}

	started(t: TicketTruth, at: number): void {
		t.startedAt = at;
	}

	finished(t: TicketTruth, at: number): void {
		t.finishedAt = at;
		t.serviceS = (at - (t.startedAt ?? at)) / 1000;
		t.outcome = "served";
	}

	noShow(t: TicketTruth): void {
		t.outcome = "no_show";
	}

	rated(t: TicketTruth, score: number): void {
		t.rating = score;
	}

	door(node: string, zone: string, way: "in" | "out", counted: boolean, at: number): void {
		const day = localDay(at, this.#timeZone);
		const key = `${node}/${day}`;
		let d = this.#doors.get(key);
		if (!d) {
			d = { centre: this.centre, node, zone, day, in: 0, out: 0, countedIn: 0, countedOut: 0 };
			this.#doors.set(key, d);
		}
		if (way === "in") {
			d.in++;
			if (counted) d.countedIn++;
		} else {
			d.out++;
			if (counted) d.countedOut++;
		}
	}

	/** Every ticket so far, in issue order (copies: the run goes on changing its own). */
	tickets(): TicketTruth[] {
		return this.#tickets.map(inOrder);
	}

	doors(): DoorDayTruth[] {
		return [...this.#doors.values()].map((d) => ({ ...d }));
	}
}

/** A copy with its fields in the order of a ticket's life, so a JSON line reads left to right. */
function inOrder(t: TicketTruth): TicketTruth {
	const { centre, day, ticket, service, priority, issuedAt, calledAt, waitS, window } = t;
	const { startedAt, finishedAt, serviceS, outcome, rating } = t;
	const all = { centre, day, ticket, service, priority, issuedAt, calledAt, waitS, window };
	return withoutUndefined({ ...all, startedAt, finishedAt, serviceS, outcome, rating }) as TicketTruth;
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
	return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Figures of a run, for people: how many, how long, how satisfied. */
export interface TruthSummary {
	tickets: number;
	served: number;
	noShows: number;
	open: number;
	/** Mean and 90th percentile of the true wait of called tickets, in minutes. */
	meanWaitMin: number;
	p90WaitMin: number;
	ratings: number;
	meanRating: number;
}

export function summarize(tickets: readonly TicketTruth[]): TruthSummary {
	const waits = tickets.flatMap((t) => (t.waitS === undefined ? [] : [t.waitS / 60])).sort((a, b) => a - b);
	const ratings = tickets.flatMap((t) => (t.rating === undefined ? [] : [t.rating]));
	const count = (outcome: TicketTruth["outcome"]) => tickets.filter((t) => t.outcome === outcome).length;
	return {
		tickets: tickets.length,
		served: count("served"),
		noShows: count("no_show"),
		open: count("open"),
		meanWaitMin: round1(mean(waits)),
		p90WaitMin: round1(waits[Math.min(waits.length - 1, Math.floor(0.9 * waits.length))] ?? 0),
		ratings: ratings.length,
		meanRating: Math.round(mean(ratings) * 100) / 100,
	};
}

function mean(xs: readonly number[]): number {
	return xs.length === 0 ? 0 : xs.reduce((s, x) => s + x, 0) / xs.length;
}

function round1(x: number): number {
	return Math.round(x * 10) / 10;
}
