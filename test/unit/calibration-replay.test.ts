/**
 * bench/calibrationReplay.ts: a trace of queue events replayed through the calibration gives the
 * ranges the calibration shows, scores only the tickets issued from the trace's scored day, and
 * treats a cancelled ticket and a no-show as the hub does.
 */
import { describe, expect, it } from "vitest";
import { replay } from "../../bench/calibrationReplay.ts";

const MIN = 60_000;
const DAY1 = Date.parse("2026-11-08T08:00:00Z"); // Sunday, Kyiv
const DAY2 = Date.parse("2026-11-09T08:00:00Z"); // Monday, Kyiv

function trace(): string[] {
	const lines = [JSON.stringify({ centre: "demo", timeZone: "Europe/Kyiv", scoredFrom: "2026-11-09" })];
	const raw = { minutes: 10, low: 8, high: 12 };
	const add = (ticket: string, at: number, waitMin: number | "cancelled") => {
		lines.push(JSON.stringify({ event: "issued", ticket, service: "a", ts: at, raw, baseline: 20 }));
		if (waitMin === "cancelled") lines.push(JSON.stringify({ event: "cancelled", ticket, ts: at + MIN }));
		else lines.push(JSON.stringify({ event: "called", ticket, ts: at + waitMin * MIN }));
	};
	// Sunday: 30 tickets whose real waits spread from 0 to 20 min, the raw range too narrow.
	for (let i = 0; i < 30; i++) add(`S${i}`, DAY1 + i * MIN, (i * 8) % 21);
	// Monday: two called, one cancelled, one called after a no-show's call came first.
	add("M1", DAY2, 10);
	add("M2", DAY2 + MIN, 30);
	add("M3", DAY2 + 2 * MIN, "cancelled");
	lines.push(JSON.stringify({ event: "issued", ticket: "M4", service: "a", ts: DAY2 + 3 * MIN, raw, baseline: 20 }));
	lines.push(JSON.stringify({ event: "no_show", ticket: "M4", ts: DAY2 + 4 * MIN }));
	lines.push(JSON.stringify({ event: "called", ticket: "M4", ts: DAY2 + 5 * MIN }));
	return lines;
}

describe("calibration replay over a trace", () => {
	it("scores Monday's called tickets with the range the calibration learnt on Sunday", () => {
		const { head, compared } = replay(trace());
		expect(head.scoredFrom).toBe("2026-11-09");
		expect(compared.map((c) => c.real)).toEqual([10, 30, 2]);
		const [m1] = compared;
		// Sunday's waits were spread far wider than the raw 8–12: Monday's range is widened.
		expect(m1?.low).toBeLessThan(5);
		expect(m1?.high).toBeGreaterThan(15);
		expect(m1?.raw).toEqual({ minutes: 10, low: 8, high: 12 });
		expect(m1?.baseline).toBe(20);
	});

	it("shows the raw range while too few tickets were called", () => {
		const lines = trace().slice(0, 1 + 2 * 5); // five Sunday tickets
		lines[0] = JSON.stringify({ centre: "demo", timeZone: "Europe/Kyiv", scoredFrom: "2026-11-08" });
		const { compared } = replay(lines);
		expect(compared).toHaveLength(5);
		for (const c of compared) expect([c.low, c.minutes, c.high]).toEqual([8, 10, 12]);
	});
});
