import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadCentreFile } from "../../config/load.ts";
import { type Centre, indexCentre } from "../../core/centre.ts";
import { decode } from "../../core/decode.ts";
import { mulberry32 } from "../../core/stats.ts";
import { localDay } from "../../core/time.ts";
import { eventTopic } from "../../core/topic.ts";
import { capacityWeights, HOUR, MINUTE, ratingScore } from "../../firmware-sim/behaviour.ts";
import { type Action, createHall, type HallOptions } from "../../firmware-sim/hall.ts";
import { Schedule } from "../../firmware-sim/schedule.ts";
import { hallCentre } from "../fixtures/centres.ts";

/** Monday 2025-03-10 09:00 in Kyiv (UTC+2). */
const MON_9 = Date.UTC(2025, 2, 10, 7, 0);

function run(centre: Centre, opts: Partial<HallOptions> & { hours: number; step?: number }): Action[] {
	const { hours, step, ...rest } = opts;
	const start = rest.startMs ?? MON_9;
	const hall = createHall(centre, { seed: 1, startMs: start, ...rest });
	const end = start + hours * HOUR;
	if (!step) return hall.advance(end);
	const out: Action[] = [];
	for (let t = start + step; t < end + step; t += step) out.push(...hall.advance(Math.min(t, end)));
	return out;
}

const queue = (actions: Action[]) =>
	actions.flatMap((a) => (a.kind === "queue" ? [{ at: a.at, node: a.node, ...a.data }] : []));

/** Replays the queue events and fails on the first one that breaks how an electronic queue works. */
function checkQueue(centre: Centre, actions: Action[]) {
	const index = indexCentre(centre);
	const dayOf = (at: number) => localDay(at, centre.timeZone);
	const waiting: { ticket: string; key: string; service: string; priority?: string; at: number }[] = [];
	const atWindow = new Map<string, { ticket: string; stage: "called" | "started" }>();
	// Numbers restart daily, so a ticket is known by its issue day and number.
	const everCalled = new Set<string>();
	const lastNumber = new Map<string, number>();
	let day = "";
	let priorityJumps = 0;
	for (const e of queue(actions)) {
		const where = `${e.event} ${e.ticket} at ${new Date(e.at).toISOString()}`;
		if (e.event === "issued") {
			expect(index.nodes.get(e.node)?.role, where).toBe("terminal");
			const service = index.services.get(e.service);
			expect(e.ticket.startsWith(service?.prefix ?? "?"), where).toBe(true);
			if (dayOf(e.at) !== day) {
				day = dayOf(e.at);
				lastNumber.clear();
			}
			expect(
				waiting.map((w) => w.ticket),
				`${where}: still waiting from the day before`,
			).not.toContain(e.ticket);
			const prefix = service?.prefix ?? "";
			const n = Number(e.ticket.slice(prefix.length));
			expect(n, where).toBe((lastNumber.get(prefix) ?? 0) + 1);
			lastNumber.set(prefix, n);
			const entry = { ticket: e.ticket, service: e.service, at: e.at, key: `${day}/${e.ticket}` };
			waiting.push(e.priority ? { ...entry, priority: e.priority } : entry);
			continue;
		}
		const window = e.window ?? "";
		expect(index.windowNode.get(window), where).toBe(e.node);
		const current = atWindow.get(window);
		if (e.event === "called") {
			expect(current, `${where}: window ${window} is still busy`).toBeUndefined();
			const i = waiting.findIndex((w) => w.ticket === e.ticket);
			expect(i, `${where}: not waiting`).toBeGreaterThanOrEqual(0);
			const key = waiting[i]?.key ?? "";
			expect(everCalled.has(key), `${where}: called twice`).toBe(false);
			everCalled.add(key);
			expect(index.windows.get(window)?.services, where).toContain(e.service);
			const served = waiting.filter((w) => index.windows.get(window)?.services.includes(w.service));
			const first = served.find((w) => (w.priority !== undefined) === (e.priority !== undefined));
			expect(first?.ticket, `${where}: an older ticket of the same class waits`).toBe(e.ticket);
			if (!e.priority) {
				expect(
					served.filter((w) => w.priority).map((w) => w.ticket),
					`${where}: priority waits`,
				).toEqual([]);
			} else if (served[0] && !served[0].priority) priorityJumps++;
			waiting.splice(i, 1);
			atWindow.set(window, { ticket: e.ticket, stage: "called" });
		} else if (e.event === "started") {
			expect(current, where).toEqual({ ticket: e.ticket, stage: "called" });
			atWindow.set(window, { ticket: e.ticket, stage: "started" });
		} else if (e.event === "finished") {
			expect(current, where).toEqual({ ticket: e.ticket, stage: "started" });
			atWindow.delete(window);
		} else if (e.event === "no_show") {
			expect(current, where).toEqual({ ticket: e.ticket, stage: "called" });
			atWindow.delete(window);
		} else throw new Error(`unexpected ${where}`);
	}
	return { priorityJumps, waiting: waiting.length };
}

describe("simulated hall", () => {
	const centre = hallCentre();
	const day = run(centre, { hours: 12 });

	it("is deterministic for a seed, whatever the steps time is cut into", () => {
		expect(run(centre, { hours: 12 })).toEqual(day);
		expect(run(centre, { hours: 12, step: 250 * 30 })).toEqual(day);
		expect(run(centre, { hours: 12, step: 7 * MINUTE + 13 })).toEqual(day);
		expect(run(centre, { hours: 12, seed: 2 })).not.toEqual(day);
	});

	it("yields actions in time order, all of them valid wire events from the right nodes", () => {
		const index = indexCentre(centre);
		const kinds = new Set(day.map((a) => a.kind));
		expect([...kinds].sort()).toEqual(["occupancy", "queue", "rating"]);
		let last = MON_9;
		for (const [i, a] of day.entries()) {
			expect(a.at).toBeGreaterThanOrEqual(last);
			last = a.at;
			const payload = { id: `e${i}`, ts: a.at, ...a.data };
			const bytes = new TextEncoder().encode(JSON.stringify(payload));
			const decoded = decode(eventTopic(centre.id, a.node, a.kind), bytes, {
				centre: (id) => (id === centre.id ? index : undefined),
			});
			expect(decoded, JSON.stringify(a)).toMatchObject({ ok: true });
		}
	});

	it("runs the queue like an electronic queue: issue → call → start → finish, priority first", () => {
		const { priorityJumps } = checkQueue(centre, day);
		// The day is busy enough that priority visitors really did overtake ordinary ones.
		expect(priorityJumps).toBeGreaterThan(5);
	});

	it("numbers tickets per prefix and starts again at 001 after local midnight", () => {
		const start = Date.UTC(2025, 2, 10, 20, 30); // 22:30 in Kyiv
		const actions = run(centre, { hours: 3, startMs: start });
		checkQueue(centre, actions);
		const midnight = Date.UTC(2025, 2, 10, 22, 0);
		const issued = queue(actions).filter((e) => e.event === "issued");
		const before = issued.filter((e) => e.at < midnight);
		const after = issued.filter((e) => e.at >= midnight);
		expect(before.some((e) => e.ticket === "A010")).toBe(true);
		expect(after.find((e) => e.ticket.startsWith("A"))?.ticket).toBe("A001");
	});

	it("lets visitors rate only at a window, after their service there, within the scale", () => {
		const index = indexCentre(centre);
		const lastFinished = new Map<string, { ticket: string; at: number }>();
		let ratings = 0;
		let finished = 0;
		for (const a of day) {
			if (a.kind === "queue" && a.data.event === "finished") {
				finished++;
				lastFinished.set(a.node, { ticket: a.data.ticket, at: a.at });
			}
			if (a.kind === "queue" && a.data.event === "called") lastFinished.delete(a.node);
			if (a.kind !== "rating") continue;
			ratings++;
			expect(index.nodes.get(a.node)?.role).toBe("window");
			expect(lastFinished.get(a.node)?.ticket, JSON.stringify(a)).toBe(a.data.ticket);
			expect(a.data.score).toBeGreaterThanOrEqual(1);
			expect(a.data.score).toBeLessThanOrEqual(centre.ratingScale);
			expect(Number.isInteger(a.data.score)).toBe(true);
		}
		expect(ratings / finished).toBeGreaterThan(0.5);
		expect(ratings / finished).toBeLessThan(0.7);
	});

	it("counts people in and out at the door without the hall ever going below zero", () => {
		// A sensor that misses nobody, so its counts add up to the people really in the hall.
		const hall = createHall(centre, { seed: 5, startMs: MON_9, doorMissShare: { in: 0, out: 0 } });
		let inHall = 0;
		let reports = 0;
		for (let t = MON_9; t <= MON_9 + 8 * HOUR; t += 10 * MINUTE) {
			for (const a of hall.advance(t)) {
				if (a.kind !== "occupancy") continue;
				reports++;
				expect(a.node).toBe("door-main");
				expect(a.data.zone).toBe("hall");
				expect(a.at % 5000).toBe(0);
				inHall += (a.data.in ?? 0) - (a.data.out ?? 0);
				expect(inHall).toBeGreaterThanOrEqual(0);
			}
			expect(inHall).toBe(hall.snapshot().inHall);
		}
		expect(reports).toBeGreaterThan(100);
	});

	it("has about the configured shares of priority visitors, no-shows and ratings", () => {
		const long = queue(run(centre, { hours: 48, arrivalsPerHour: 80, seed: 9 }));
		const count = (event: string) => long.filter((e) => e.event === event).length;
		const issued = long.filter((e) => e.event === "issued");
		expect(issued.length).toBeGreaterThan(3000);
		const priority = issued.filter((e) => e.priority).length / issued.length;
		expect(priority).toBeGreaterThan(0.06);
		expect(priority).toBeLessThan(0.1);
		const noShow = count("no_show") / count("called");
		expect(noShow).toBeGreaterThan(0.025);
		expect(noShow).toBeLessThan(0.06);
		expect(new Set(issued.map((e) => e.priority).filter(Boolean))).toEqual(new Set(centre.priorityCategories));
	});

	it("takes service times around the service's mean", () => {
		const events = queue(run(centre, { hours: 48, arrivalsPerHour: 80, seed: 3 }));
		const durations = new Map<string, number[]>();
		const startedAt = new Map<string, number>(); // window → its current service's start
		for (const e of events) {
			if (e.event === "started") startedAt.set(e.window ?? "", e.at);
			if (e.event !== "finished") continue;
			const list = durations.get(e.service) ?? [];
			list.push((e.at - (startedAt.get(e.window ?? "") ?? Number.NaN)) / MINUTE);
			durations.set(e.service, list);
		}
		const minutes = (service: string) => durations.get(service) ?? [];
		const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
		const within = (service: string, expected: number) => {
			const m = mean(minutes(service));
			expect(m, service).toBeGreaterThan(0.85 * expected);
			expect(m, service).toBeLessThan(1.15 * expected);
		};
		within("land", 12);
		within("residence", 6);
		within("consult", 8); // the default when a service gives none
	});

	it("follows an arrival profile: nobody comes while it says zero", () => {
		const open = (at: number) => (at < MON_9 + HOUR ? 100 : 0);
		const actions = run(centre, { hours: 6, arrivalsPerHour: { perHour: open, maxPerHour: 100 } });
		const entered = actions.flatMap((a) => (a.kind === "occupancy" && a.data.in ? [a] : []));
		expect(entered.length).toBeGreaterThan(0);
		expect(Math.max(...entered.map((a) => a.at))).toBeLessThanOrEqual(MON_9 + HOUR + 5000);
		expect(checkQueue(centre, actions).waiting).toBe(0);
	});

	it("sends priority visitors to the priority desk and others to ordinary windows when both are free", () => {
		const two: Centre = {
			...centre,
			windows: [
				{ id: "w01", services: ["passport"], priority: false },
				{ id: "w12", services: ["passport"], priority: true },
			],
			nodes: centre.nodes.filter((n) => n.role !== "window" || n.window === "w01" || n.window === "w12"),
		};
		const calls = queue(run(two, { hours: 400, arrivalsPerHour: 0.5, priorityShare: 0.3 })).filter(
			(e) => e.event === "called",
		);
		const at = (priority: boolean, window: string) =>
			calls.filter((e) => (e.priority !== undefined) === priority && e.window === window).length;
		// Both windows are free most of the time at one visitor in two hours; the rest is when one was busy.
		expect(at(true, "w12")).toBeGreaterThan(8 * at(true, "w01"));
		expect(at(false, "w01")).toBeGreaterThan(8 * at(false, "w12"));
	});

	it("runs a day of the demo centre by the same rules", () => {
		const demo = loadCentreFile(fileURLToPath(new URL("../../config/centres/demo.yaml", import.meta.url)));
		const actions = run(demo, { hours: 10, seed: 11 });
		const { priorityJumps } = checkQueue(demo, actions);
		expect(priorityJumps).toBeGreaterThan(0);
		const issued = new Set(queue(actions).map((e) => e.service));
		expect(issued).toEqual(new Set(demo.services.map((s) => s.id)));
	});

	it("stays quiet when no window is staffed", () => {
		const unstaffed = { ...centre, nodes: centre.nodes.filter((n) => n.role !== "window") };
		expect(run(unstaffed, { hours: 2 })).toEqual([]);
	});
});

describe("rating behaviour", () => {
	it.each([3, 5, 10])("scores get worse as the wait grows, on a 1..%i scale", (scale) => {
		const rng = mulberry32(42);
		const mean = (waitMin: number) => {
			let sum = 0;
			for (let i = 0; i < 2000; i++) {
				const s = ratingScore(rng, waitMin * MINUTE, 20, scale);
				expect(s).toBeGreaterThanOrEqual(1);
				expect(s).toBeLessThanOrEqual(scale);
				sum += s;
			}
			return sum / 2000;
		};
		const means = [0, 20, 40, 80].map(mean);
		for (let i = 1; i < means.length; i++) expect(means[i]).toBeLessThan(means[i - 1] ?? 0);
		expect(means[0]).toBeGreaterThan(1 + 0.75 * (scale - 1));
	});
});

describe("simulator helpers", () => {
	it("weighs services by the window capacity staffed for them", () => {
		const services = [{ id: "a", meanServiceMin: 10 }, { id: "b", meanServiceMin: 5 }, { id: "c" }];
		const windows = [{ services: ["a"] }, { services: ["a", "b"] }, { services: ["b"] }];
		// a: 1.5 windows × 6/h, b: 1.5 windows × 12/h, c: no window.
		expect(capacityWeights(services, windows, 8)).toEqual({ a: 9, b: 18, c: 0 });
	});

	it("pops scheduled entries by time, equal times in the order they were added", () => {
		const s = new Schedule<string>();
		for (const [at, name] of [
			[5, "e"],
			[1, "a"],
			[3, "c1"],
			[3, "c2"],
			[2, "b"],
			[3, "c3"],
			[9, "z"],
		] as const) {
			s.add(at, name);
		}
		const order: string[] = [];
		while (s.peekAt() <= 5) order.push(s.pop()?.item ?? "");
		expect(order).toEqual(["a", "b", "c1", "c2", "c3", "e"]);
		expect(s.size).toBe(1);
	});
});
