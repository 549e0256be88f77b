import { describe, expect, it } from "vitest";
import { type Alert, type AlertInputs, type AlertState, alertRules, emptyAlerts, evaluate } from "../../core/alerts.ts";
import { type Centre, indexCentre } from "../../core/centre.ts";
import type { WireEvent } from "../../core/contract.ts";
import type { HealthReason } from "../../core/health.ts";
import { apply, emptyLive, type LiveState } from "../../core/live.ts";
import { wireEvent } from "../fixtures/events.ts";

const names = (en: string) => ({ uk: en, en });
const base: Centre = {
	id: "t",
	name: names("Test"),
	timeZone: "Europe/Kyiv",
	ratingScale: 5,
	hours: { mon: ["09:00-16:00"], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] },
	priorityCategories: [],
	services: [
		{ id: "passport", name: { uk: "Паспорт", en: "Passport" }, prefix: "A", targetWaitMin: 20 },
		{ id: "social", name: { uk: "Соціальні послуги", en: "Social" }, prefix: "C", targetWaitMin: 15 },
	],
	windows: [
		{ id: "w1", services: ["passport"], priority: false },
		{ id: "w2", services: ["social"], priority: false },
		{ id: "w3", services: ["passport", "social"], priority: false },
	],
	zones: [{ id: "hall", name: { uk: "Зал", en: "Hall" }, capacity: 10 }],
	nodes: [
		{ id: "win-1", role: "window", window: "w1" },
		{ id: "win-2", role: "window", window: "w2" },
		{ id: "win-3", role: "window", window: "w3" },
		{ id: "door", role: "door", zone: "hall" },
	],
};
const index = indexCentre(base);

// Monday 2026-11-23 10:00 Europe/Kyiv (open 09:00–16:00).
const T0 = Date.UTC(2026, 10, 23, 8, 0);
const MIN = 60_000;
let n = 0;
const ev = (kind: WireEvent["kind"], node: string, data: Record<string, unknown>, ts: number) =>
	wireEvent(kind, "t", node, { id: `e${++n}`, ts, ...data });
const status = (node: string, online: boolean, ts: number) => ev("status", node, { online }, ts);
const issued = (ticket: string, service: string, ts: number) =>
	ev("queue", "terminal", { event: "issued", ticket, service }, ts);
const q = (event: string, ticket: string, service: string, window: string, ts: number) =>
	ev("queue", `win-${window.slice(1)}`, { event, ticket, service, window }, ts);
const door = (data: { in?: number; out?: number }, ts: number) =>
	ev("occupancy", "door", { zone: "hall", ...data }, ts);
const allOnline = base.nodes.map((node) => status(node.id, true, T0 - 60 * MIN));

/** Folds events and evaluates after each step, as the hub would; returns the transitions. */
function run(steps: { at: number; events?: WireEvent[]; inputs?: Partial<AlertInputs> }[], ix = index) {
	let live: LiveState = allOnline.reduce((s, e) => apply(s, e, ix), emptyLive(ix));
	let state: AlertState = emptyAlerts();
	return steps.map(({ at, events = [], inputs = {} }) => {
		live = events.reduce((s, e) => apply(s, e, ix), live);
		const r = evaluate(state, { live, index: ix, ...inputs }, at);
		state = r.state;
		const keys = (list: Alert[]) => list.map((a) => `${a.key}:${a.severity}`);
		return {
			active: keys(r.state.alerts),
			raised: keys(r.raised),
			resolved: keys(r.resolved),
			changed: keys(r.changed),
			r,
		};
	});
}

describe("alerts: waiting time over target", () => {
	const steps = run([
		{ at: T0, events: [issued("A001", "passport", T0 - 25 * MIN)] },
		{ at: T0 + MIN },
		{ at: T0 + 16 * MIN },
		{ at: T0 + 17 * MIN, events: [q("called", "A001", "passport", "w1", T0 + 17 * MIN)] },
	]);

	it("is raised once, turns critical at twice the target, and resolves when the ticket is called", () => {
		expect(steps.map((s) => [s.raised, s.changed, s.resolved])).toEqual([
			[["wait:passport:warning"], [], []],
			[[], [], []],
			[[], ["wait:passport:critical"], []],
			[[], [], ["wait:passport:critical"]],
		]);
	});

	it("keeps its start and says it in both languages", () => {
		const a = steps[2]?.r.state.alerts[0];
		expect(a).toMatchObject({
			key: "wait:passport",
			rule: "waitOverTarget",
			subject: { service: "passport" },
			since: T0 - 5 * MIN,
			value: 41,
			threshold: 20,
			message: {
				uk: "«Паспорт»: талон чекає 41 хв (ціль — 20 хв)",
				en: "Passport: a ticket has waited 41 min (target 20 min)",
			},
		});
		expect(steps[3]?.r.resolved[0]?.resolvedAt).toBe(T0 + 17 * MIN);
	});
});

describe("alerts: hall occupancy", () => {
	it("raises at 90 % of capacity, turns critical when full, resolves below; counts never go negative", () => {
		const steps = run([
			// More people leave than came in (a missed count): the hall is empty, not at −3.
			{ at: T0, events: [door({ in: 2 }, T0), door({ out: 5 }, T0 + 1)] },
			{ at: T0 + MIN, events: [door({ in: 9 }, T0 + MIN)] },
			{ at: T0 + 2 * MIN, events: [door({ in: 2 }, T0 + 2 * MIN)] },
			{ at: T0 + 3 * MIN, events: [door({ out: 5 }, T0 + 3 * MIN)] },
		]);
		expect(steps.map((s) => s.active.filter((k) => k.startsWith("occupancy")))).toEqual([
			[],
			["occupancy:hall:warning"],
			["occupancy:hall:critical"],
			[],
		]);
		expect(steps[2]?.r.state.alerts[0]?.message.en).toBe("Hall: 11 people, capacity 10 (110 %)");
		expect(steps[3]?.resolved).toEqual(["occupancy:hall:critical"]);
	});
});

describe("alerts: node offline", () => {
	it.each([
		{ name: "not before afterS", at: T0 + 119_000, want: [] },
		{ name: "after afterS", at: T0 + 121_000, want: ["offline:win-2:warning"] },
		{ name: "not while the centre is closed (20:00)", at: T0 + 10 * 60 * MIN, want: [] },
	])("$name", ({ at, want }) => {
		const [s] = run([{ at, events: [status("win-2", false, T0)] }]);
		expect(s?.active).toEqual(want);
	});

	it("resolves when the node is back, and counts a node never heard of from watchSince", () => {
		const steps = run([
			{ at: T0 + 3 * MIN, events: [status("win-2", false, T0)] },
			{ at: T0 + 4 * MIN, events: [status("win-2", true, T0 + 4 * MIN)] },
		]);
		expect(steps[0]?.r.state.alerts[0]).toMatchObject({ since: T0, subject: { node: "win-2", window: "w2" } });
		expect(steps[1]?.resolved).toEqual(["offline:win-2:warning"]);

		const live = emptyLive(index);
		const r = evaluate(emptyAlerts(), { live, index, watchSince: T0 - 10 * MIN }, T0);
		expect(r.raised.map((a) => a.key)).toEqual(["offline:win-1", "offline:win-2", "offline:win-3", "offline:door"]);
		expect(evaluate(emptyAlerts(), { live, index }, T0).raised).toEqual([]);
	});
});

describe("alerts: low ratings at a window", () => {
	const rating = (score: number, minutesAgo: number, window = "w1", extra = false) => ({
		ts: T0 - minutesAgo * MIN,
		score,
		window,
		...(extra ? { extra } : {}),
	});
	it.each([
		{
			name: "half of 4 in the bottom two",
			ratings: [rating(1, 1), rating(2, 2), rating(5, 3), rating(4, 4)],
			want: ["ratings:w1:warning"],
		},
		{ name: "only 3 ratings", ratings: [rating(1, 1), rating(2, 2), rating(5, 3)], want: [] },
		{ name: "one low of four", ratings: [rating(1, 1), rating(5, 2), rating(5, 3), rating(4, 4)], want: [] },
		{ name: "older than 15 minutes", ratings: [rating(1, 1), rating(2, 16), rating(1, 20), rating(4, 4)], want: [] },
		{
			name: "extra presses are not ratings",
			ratings: [rating(1, 1), rating(1, 1, "w1", true), rating(1, 1, "w1", true), rating(4, 4)],
			want: [],
		},
		{ name: "per window", ratings: [rating(1, 1), rating(2, 2, "w2"), rating(1, 3, "w2"), rating(4, 4)], want: [] },
	])("$name", ({ ratings, want }) => {
		const [s] = run([{ at: T0, inputs: { ratings } }]);
		expect(s?.active).toEqual(want);
	});
});

describe("alerts: queue growing while a window idles", () => {
	const social = (k: number, at: number) => issued(`C00${k}`, "social", at);
	it("needs a longer queue than growMin ago and a window idle for idleS", () => {
		const steps = run([
			{
				at: T0 - 20 * MIN,
				events: [
					status("win-3", false, T0 - 30 * MIN),
					social(0, T0 - 40 * MIN),
					q("called", "C000", "social", "w2", T0 - 30 * MIN),
					q("finished", "C000", "social", "w2", T0 - 20 * MIN),
				],
			},
			{ at: T0 - 10 * MIN, events: [social(1, T0 - 11 * MIN), social(2, T0 - 11 * MIN)] },
			{ at: T0 - 5 * MIN },
			{ at: T0, events: [social(3, T0 - MIN), social(4, T0)] },
			{ at: T0 + MIN, events: [q("called", "C001", "social", "w2", T0 + MIN)] },
		]);
		const queueAlerts = steps.map((s) => s.active.filter((k) => k.startsWith("queue-idle")));
		expect(queueAlerts).toEqual([[], [], [], ["queue-idle:social:warning"], []]);
		expect(steps[3]?.r.state.alerts.find((a) => a.rule === "queueIdle")?.message).toEqual({
			uk: "Черга «Соціальні послуги» зростає (2 → 4), а вікно w2 простоює 20 хв",
			en: "The queue for Social grows (2 → 4) while window w2 has been idle for 20 min",
		});
	});

	it("counts a window that has done nothing today as idle since the day began", () => {
		const steps = run([
			{ at: T0 - 10 * MIN, events: [social(1, T0 - 11 * MIN)] },
			{ at: T0, events: [social(2, T0 - MIN), social(3, T0)] },
		]);
		expect(steps[1]?.r.state.alerts.find((a) => a.rule === "queueIdle")?.message.en).toBe(
			"The queue for Social grows (1 → 3) while window w2 has been idle for 600 min",
		);
	});
});

describe("alert rules from the centre config", () => {
	it("fill in defaults and take overrides", () => {
		const rules = alertRules({ alerts: { occupancy: { enabled: true, share: 0.5, criticalShare: 2 } } });
		expect(rules.occupancy).toEqual({ enabled: true, share: 0.5, criticalShare: 2 });
		expect(rules.lowRatings).toEqual({ enabled: true, windowMin: 15, minRatings: 4, share: 0.5 });
	});

	it("a disabled rule raises nothing; a lower share raises earlier", () => {
		const quiet = indexCentre({ ...base, alerts: { occupancy: { enabled: false, share: 0.9, criticalShare: 1 } } });
		const eager = indexCentre({ ...base, alerts: { occupancy: { enabled: true, share: 0.5, criticalShare: 1 } } });
		const events = [door({ in: 6 }, T0)];
		expect(run([{ at: T0, events }], quiet)[0]?.active).toEqual([]);
		expect(run([{ at: T0, events }], eager)[0]?.active).toEqual(["occupancy:hall:warning"]);
	});
});

describe("alert messages name windows", () => {
	it("by their configured name, or as window + id", () => {
		const named = indexCentre({
			...base,
			windows: base.windows.map((w) => ({ ...w, name: `Вікно ${w.id.slice(1)}` })),
		});
		const ratings = [1, 1, 2, 2].map((score, i) => ({ ts: T0 - i * MIN, score, window: "w1" }));
		expect(run([{ at: T0, inputs: { ratings } }], named)[0]?.r.state.alerts[0]?.message).toEqual({
			uk: "Вікно 1: 4 із 4 оцінок за 15 хв — низькі (1–2)",
			en: "Вікно 1: 4 of 4 ratings in 15 min are low (1–2)",
		});
		expect(run([{ at: T0, inputs: { ratings } }])[0]?.r.state.alerts[0]?.message).toEqual({
			uk: "Вікно w1: 4 із 4 оцінок за 15 хв — низькі (1–2)",
			en: "Window w1: 4 of 4 ratings in 15 min are low (1–2)",
		});
	});
});

describe("alert state", () => {
	it("keeps queue lengths only as far back as growMin needs, however rarely it is evaluated", () => {
		let state = emptyAlerts();
		const live = emptyLive(index);
		for (const m of [0, 20, 40, 45, 50, 55]) state = evaluate(state, { live, index }, T0 + m * MIN).state;
		expect(state.samples.map((s) => (s.at - T0) / MIN)).toEqual([45, 50, 55]);
	});
});

describe("alerts: the hub's own health", () => {
	const reason = (r: "store_failing" | "disk_low", since: number): HealthReason => ({
		reason: r,
		severity: r === "store_failing" ? "critical" : "warning",
		since,
		detail: r === "store_failing" ? "SQLITE_BUSY: database is locked" : "10.0 MiB free, below 256 MiB",
	});
	const steps = run([
		{ at: T0, inputs: { health: [reason("disk_low", T0 - MIN)] } },
		{ at: T0 + MIN, inputs: { health: [reason("store_failing", T0 + MIN), reason("disk_low", T0 - MIN)] } },
		{ at: T0 + 2 * MIN, inputs: { health: [] } },
	]);

	it("raises one alert per reason with its severity, and resolves them when the hub is well", () => {
		expect(steps.map((s) => [s.raised, s.resolved])).toEqual([
			[["hub:disk_low:warning"], []],
			[["hub:store_failing:critical"], []],
			[[], ["hub:store_failing:critical", "hub:disk_low:warning"]],
		]);
	});

	it("says what is wrong in both languages, with the detail, since the reason began", () => {
		expect(steps[1]?.r.state.alerts.find((a) => a.key === "hub:store_failing")).toMatchObject({
			rule: "hubHealth",
			since: T0 + MIN,
			message: {
				uk: "Хаб: сховище не приймає записи; події чекають у буфері (spool) (SQLITE_BUSY: database is locked)",
				en: "Hub: the store refuses writes; events wait in the spool (SQLITE_BUSY: database is locked)",
			},
		});
	});

	it("is a rule of the centre file that can be switched off", () => {
		const off = indexCentre({ ...base, alerts: { hubHealth: { enabled: false } } });
		expect(run([{ at: T0, inputs: { health: [reason("disk_low", T0)] } }], off)[0]?.active).toEqual([]);
	});
});

describe("printer", () => {
	const withTerminal = indexCentre({ ...base, nodes: [...base.nodes, { id: "term", role: "terminal" }] });
	const printer = (state: string | undefined, ts: number, online = true) =>
		ev("status", "term", { online, ...(state ? { printer: state } : {}) }, ts);
	const steps = run(
		[
			{ at: T0, events: [printer("ok", T0)] },
			{ at: T0 + MIN, events: [printer("paper_out", T0 + MIN)] },
			{ at: T0 + 2 * MIN, events: [printer("offline", T0 + 2 * MIN)] },
			{ at: T0 + 3 * MIN, events: [printer("ok", T0 + 3 * MIN)] },
			{ at: T0 + 4 * MIN, events: [printer("cover_open", T0 + 4 * MIN)] },
			// The terminal itself goes away: nodeOffline's business, not the printer's.
			{ at: T0 + 5 * MIN, events: [printer(undefined, T0 + 5 * MIN, false)] },
		],
		withTerminal,
	);

	it("raises paper out and cover open as warnings, an offline printer as critical, and resolves them", () => {
		expect(steps.map((s) => s.active.filter((k) => k.startsWith("printer:")))).toEqual([
			[],
			["printer:term:warning"],
			["printer:term:critical"],
			[],
			["printer:term:warning"],
			[],
		]);
		expect(steps[1]?.r.state.alerts.find((a) => a.key === "printer:term")).toMatchObject({
			rule: "printer",
			subject: { node: "term" },
			since: T0 + MIN,
			message: { uk: "Принтер талонів term: закінчився папір", en: "Ticket printer term is out of paper" },
		});
	});

	it("is a rule of the centre file that can be switched off", () => {
		const off = indexCentre({ ...withTerminal.centre, alerts: { printer: { enabled: false } } });
		expect(run([{ at: T0, events: [printer("offline", T0)] }], off)[0]?.active).toEqual([]);
	});
});
