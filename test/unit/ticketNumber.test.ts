import { describe, expect, it } from "vitest";
import { formatTicket, issueTicket, NO_TICKETS, type TicketCounters } from "../../core/ticketNumber.ts";
import { localDay } from "../../core/time.ts";

describe("ticket numbers", () => {
	it.each([
		["A", 1, "A001"],
		["B", 42, "B042"],
		["KA", 999, "KA999"],
		["A", 1000, "A1000"],
	])("formats %s %i as %s", (prefix, n, ticket) => {
		expect(formatTicket(prefix, n)).toBe(ticket);
	});

	it("numbers per prefix and restarts on a new local day of the centre", () => {
		// 22:30 UTC on 23 Nov is already 00:30 on 24 Nov in Kyiv (UTC+2 in winter).
		const lateEvening = Date.UTC(2026, 10, 23, 22, 30);
		expect(localDay(lateEvening, "Europe/Kyiv")).toBe("2026-11-24");
		expect(localDay(lateEvening, "UTC")).toBe("2026-11-23");
		let c: TicketCounters = NO_TICKETS;
		const issue = (prefix: string, day: string, start?: number) => {
			const r = issueTicket(c, prefix, day, start);
			c = r.counters;
			return r.ticket;
		};
		expect([issue("A", "d1"), issue("A", "d1"), issue("B", "d1"), issue("A", "d1")]).toEqual([
			"A001",
			"A002",
			"B001",
			"A003",
		]);
		expect(issue("A", "d2")).toBe("A001");
		expect(issue("C", "d3", 501)).toBe("C501");
		expect(issue("C", "d3", 501)).toBe("C502");
	});

	it("leaves the counters it was given as they were", () => {
		const before: TicketCounters = { day: "2026-11-23", last: { A: 4 } };
		const r = issueTicket(before, "A", "2026-11-23");
		expect(r.ticket).toBe("A005");
		expect(before).toEqual({ day: "2026-11-23", last: { A: 4 } });
	});
});
