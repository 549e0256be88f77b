import { describe, expect, it } from "vitest";
import { addCall, type BoardCall, boardCall, boardView, callsFromLedger } from "../../core/boardView.ts";
import { indexCentre } from "../../core/centre.ts";
import { apply, emptyLive } from "../../core/live.ts";
import { wireEvent } from "../fixtures/events.ts";
import { demoCentre } from "../fixtures/hub.ts";

const index = indexCentre(demoCentre());
// 2026-12-07 10:00 in Kyiv.
const T0 = Date.UTC(2026, 11, 7, 8, 0);
const call = (id: string, ticket: string, window: string, at: number): BoardCall =>
	boardCall(index, { id, ticket, window, service: "passports", at });

describe("the board's calls", () => {
	const a = call("e1", "A001", "w01", T0);
	const b = call("e2", "A002", "w03", T0 + 1_000);
	const recall = call("e3", "A001", "w01", T0 + 2_000);
	const moved = call("e4", "A002", "w12", T0 + 3_000);

	it("says each call in Ukrainian and English, with the window's short label", () => {
		expect(a.say).toEqual({ uk: "Талон А один, вікно один", en: "Ticket A001, window 1" });
		expect(a.windowLabel).toBe("1");
		expect(call("e9", "B120", "w12", T0).say.uk).toBe("Талон Бе сто двадцять, вікно дванадцять");
	});

	it("keeps the newest first, each ticket once at its latest call, in any order of arrival", () => {
		const orders = [
			[a, b, recall, moved],
			[moved, recall, b, a],
			[b, moved, a, recall],
		];
		for (const order of orders) {
			const list = order.reduce<BoardCall[]>((l, c) => addCall(l, c, 6), []);
			expect(list.map((c) => `${c.ticket}@${c.window}`)).toEqual(["A002@w12", "A001@w01"]);
			expect(list.map((c) => c.id)).toEqual(["e4", "e3"]);
		}
	});

	it("keeps at most `limit`, and an id once", () => {
		let list: BoardCall[] = [];
		for (let i = 0; i < 10; i++) list = addCall(list, call(`x${i}`, `C${i}`, "w05", T0 + i), 3);
		expect(list.map((c) => c.ticket)).toEqual(["C9", "C8", "C7"]);
		expect(addCall(list, list[0] as BoardCall, 3)).toEqual(list);
	});

	it("rebuilds from the day's ledger after a restart, and shows only today's", () => {
		const events = [
			wireEvent("queue", "demo", "terminal-1", {
				id: "i1",
				ts: T0 - 60_000,
				event: "issued",
				ticket: "A001",
				service: "passports",
			}),
			wireEvent("queue", "demo", "win-01", {
				id: "c1",
				ts: T0,
				event: "called",
				ticket: "A001",
				service: "passports",
				window: "w01",
			}),
		];
		const state = events.reduce((s, e) => apply(s, e, index), emptyLive(index));
		const calls = callsFromLedger(state.tickets, index, 6);
		expect(calls.map((c) => [c.ticket, c.window, c.at])).toEqual([["A001", "w01", T0]]);
		expect(boardView(index, calls, undefined, T0 + 60_000).calls).toHaveLength(1);
		expect(boardView(index, calls, undefined, T0 + 86_400_000).calls).toHaveLength(0);
	});
});
