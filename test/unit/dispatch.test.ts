import { describe, expect, it } from "vitest";
import { assignAll, type Desk, pickNext, type WaitingTicket } from "../../core/dispatch.ts";

const t = (ticket: string, service: string, issuedAt: number, priority?: string): WaitingTicket => ({
	ticket,
	service,
	issuedAt,
	...(priority ? { priority } : {}),
});

const regular: Desk = { id: "w01", services: ["passport", "consult"], priority: false };
const priorityDesk: Desk = { id: "w12", services: ["passport", "social"], priority: true };

describe("pickNext", () => {
	const queue = [
		t("A001", "passport", 1_000),
		t("K001", "consult", 900),
		t("C001", "social", 500),
		t("A002", "passport", 2_000, "military"),
		t("B001", "residence", 100),
	];

	it.each([
		{ name: "oldest ticket the desk serves", q: [queue[0], queue[1]], desk: regular, taken: [], want: "K001" },
		{ name: "priority before older regular tickets", q: queue, desk: regular, taken: [], want: "A002" },
		{ name: "priority desk prefers priority tickets", q: queue, desk: priorityDesk, taken: [], want: "A002" },
		{ name: "skips tickets taken by another window", q: queue, desk: regular, taken: ["A002"], want: "K001" },
		{
			name: "priority desk falls back to regular tickets",
			q: queue,
			desk: priorityDesk,
			taken: ["A002"],
			want: "C001",
		},
		{ name: "never a service the desk does not serve", q: [queue[4]], desk: regular, taken: [], want: null },
		{ name: "nobody waiting", q: [], desk: regular, taken: [], want: null },
		{
			name: "oldest among priority tickets",
			q: [t("A010", "passport", 50, "idp"), t("A009", "passport", 40, "veteran")],
			desk: regular,
			taken: [],
			want: "A009",
		},
		{
			name: "same issue time: ticket order decides",
			q: [t("A004", "passport", 10), t("A003", "passport", 10)],
			desk: regular,
			taken: [],
			want: "A003",
		},
	])("$name", ({ q, desk, taken, want }) => {
		const got = pickNext(q as WaitingTicket[], desk, new Set(taken));
		expect(got?.ticket ?? null).toBe(want);
	});
});

describe("assignAll: several windows press next at once", () => {
	it("never gives two windows the same ticket", () => {
		const queue = [t("A001", "passport", 1), t("A002", "passport", 2), t("A003", "passport", 3)];
		const desks: Desk[] = [
			{ id: "w01", services: ["passport"], priority: false },
			{ id: "w02", services: ["passport"], priority: false },
			{ id: "w03", services: ["passport"], priority: false },
			{ id: "w04", services: ["passport"], priority: false },
		];
		const got = assignAll(queue, desks).map((a) => a.ticket?.ticket ?? null);
		expect(got).toEqual(["A001", "A002", "A003", null]);
	});

	it("answers the priority desk first so it takes the priority ticket", () => {
		const queue = [t("A001", "passport", 1), t("P001", "passport", 5, "military")];
		const got = assignAll(queue, [regular, priorityDesk]);
		expect(got).toEqual([
			{ desk: "w01", ticket: queue[0] },
			{ desk: "w12", ticket: queue[1] },
		]);
	});

	it("respects tickets already taken before the round", () => {
		const queue = [t("A001", "passport", 1), t("A002", "passport", 2)];
		expect(assignAll(queue, [regular], new Set(["A001"]))[0]?.ticket?.ticket).toBe("A002");
	});
});
