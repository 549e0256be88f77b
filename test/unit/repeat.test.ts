/** A repeat or a reused id: a stored event against a message carrying its id, as a table. */
import { describe, expect, it } from "vitest";
import { type EventFacts, sameEvent } from "../../core/repeat.ts";

const T = 1_760_000_000_000;
const issued: EventFacts = {
	node: "terminal-1",
	kind: "queue",
	data: { id: "e1", ts: T, event: "issued", ticket: "A017", service: "passports" },
};
const rating: EventFacts = { node: "win-07", kind: "rating", data: { id: "e2", ts: T, score: 1 } };
const storedRating: EventFacts = {
	...rating,
	data: { id: "e2", ts: T, score: 1, window: "w07", scale: 5, service: "land", ticket: "D004" },
};

describe("sameEvent", () => {
	const cases: [string, EventFacts, EventFacts, boolean, boolean?][] = [
		["the same issue again", issued, { ...issued, data: { ...issued.data } }, true],
		["fields in another order", issued, { ...issued, data: { service: "passports", ...issued.data } }, true],
		["another ticket under the id", issued, { ...issued, data: { ...issued.data, ticket: "A018" } }, false],
		["another node", issued, { ...issued, node: "win-01" }, false],
		["another kind", issued, { ...rating, data: issued.data }, false],
		["a field less", issued, { ...issued, data: { id: "e1", ts: T, event: "issued", ticket: "A017" } }, false],
		["a field more", issued, { ...issued, data: { ...issued.data, priority: "idp" } }, false],
		["a rating with what the hub attributed", storedRating, rating, true],
		["a rating the hub marked extra", { ...storedRating, data: { ...storedRating.data, extra: true } }, rating, true],
		["a rating with another score", storedRating, { ...rating, data: { ...rating.data, score: 5 } }, false],
		["a rating with its own ticket", storedRating, { ...rating, data: { ...rating.data, ticket: "D004" } }, true],
		["a rating naming another ticket", storedRating, { ...rating, data: { ...rating.data, ticket: "D005" } }, false],
		["an extra press against a rating", storedRating, { ...rating, data: { ...rating.data, extra: true } }, false],
		[
			"a rating kept with its source",
			{ ...storedRating, data: { ...storedRating.data, source: "button" } },
			rating,
			true,
		],
		// The hub sets the source: what a node claimed there is not what tells two events apart.
		[
			"a node's rating claiming the QR page",
			{ ...storedRating, data: { ...storedRating.data, source: "button" } },
			{ ...rating, data: { ...rating.data, source: "qr" } },
			true,
		],
		["a Last Will, stamped on receipt", { ...issued, data: { ...issued.data, ts: T + 9 } }, issued, true, true],
		["a message with another time", { ...issued, data: { ...issued.data, ts: T + 9 } }, issued, false],
	];
	it.each(cases)("%s", (_, stored, sent, same, ignoreTs) => {
		expect(sameEvent(stored, sent, { ignoreTs: ignoreTs ?? false })).toBe(same);
	});
});
