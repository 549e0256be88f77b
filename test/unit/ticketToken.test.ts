import { describe, expect, it } from "vitest";
import { ticketLink, ticketToken, verifyTicketToken } from "../../core/ticketToken.ts";

const KEY = "k3y-of-terminal-1-0123456789abcdef0123456789";

describe("ticket tokens", () => {
	const token = ticketToken(KEY, "demo", "2026-12-07", "A017");

	it("is 22 base64url characters and the same each time", () => {
		expect(token).toMatch(/^[A-Za-z0-9_-]{22}$/);
		expect(ticketToken(KEY, "demo", "2026-12-07", "A017")).toBe(token);
	});

	it("verifies its own ticket", () => {
		expect(verifyTicketToken(KEY, "demo", "2026-12-07", "A017", token)).toBe(true);
	});

	it.each([
		["another key", "another-key", "demo", "2026-12-07", "A017", token],
		["another centre", KEY, "lutsk", "2026-12-07", "A017", token],
		["another day", KEY, "demo", "2026-12-08", "A017", token],
		["another ticket", KEY, "demo", "2026-12-07", "A018", token],
		["one character changed", KEY, "demo", "2026-12-07", "A017", `${token[0] === "A" ? "B" : "A"}${token.slice(1)}`],
		// The last character holds 2 bits of the HMAC and 4 unused ones: any other spelling is refused.
		[
			"the last character changed",
			KEY,
			"demo",
			"2026-12-07",
			"A017",
			`${token.slice(0, 21)}${token[21] === "A" ? "B" : "A"}`,
		],
		["cut short", KEY, "demo", "2026-12-07", "A017", token.slice(0, 21)],
		["too long", KEY, "demo", "2026-12-07", "A017", `${token}A`],
		["not base64url", KEY, "demo", "2026-12-07", "A017", `${token.slice(0, 21)}+`],
		["empty", KEY, "demo", "2026-12-07", "A017", ""],
	])("refuses %s", (_what, key, centre, day, ticket, given) => {
		expect(verifyTicketToken(key, centre, day, ticket, given)).toBe(false);
	});

	it("refuses every other spelling of the last character, whose low 4 bits a decoder ignores", () => {
		const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
		for (let i = 0; i < 50; i++) {
			const key = `${KEY}-${i}`;
			const t = ticketToken(key, "demo", "2026-12-07", "A017");
			for (const c of alphabet)
				if (c !== t[21])
					expect(verifyTicketToken(key, "demo", "2026-12-07", "A017", `${t.slice(0, 21)}${c}`)).toBe(false);
		}
	});

	it("makes the link the ticket page reads", () => {
		expect(ticketLink("https://cnap.example.org/", "demo", "A017", token)).toBe(
			`https://cnap.example.org/c/demo/t/A017?k=${token}`,
		);
	});
});
