import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadCentreFile } from "../../config/load.ts";
import { indexCentre } from "../../core/centre.ts";
import { KIND_NAMES, KNOWN_FIELDS, QUEUE_EVENTS } from "../../core/contract.ts";
import { decode } from "../../core/decode.ts";
import { REJECT_REASON_NAMES } from "../../core/reasons.ts";
import { eid, MALFORMED, type MessageCase, payloadBytes, ratingOfSize, TS, VALID } from "../fixtures/messages.ts";

const demo = indexCentre(loadCentreFile(fileURLToPath(new URL("../../config/centres/demo.yaml", import.meta.url))));
const centre = (id: string) => (id === "demo" ? demo : undefined);
const run = (c: MessageCase) => decode(c.topic, payloadBytes(c.payload), { centre });

describe("decode: valid messages", () => {
	it.each(VALID.map((c) => [c.name, c] as const))("%s", (_, c) => {
		const result = run(c);
		if (!result.ok) throw new Error(`rejected as ${result.reason}: ${result.detail}`);
		const [, , centreId, node] = c.topic.split("/");
		expect(result.event.kind).toBe(c.expect.ok ? c.expect.kind : undefined);
		expect(result.event.centre).toBe(centreId);
		expect(result.event.node).toBe(node);
		// The payload comes through with its known fields, whole; unknown extra fields are dropped.
		const sent = JSON.parse(new TextDecoder().decode(payloadBytes(c.payload))) as Record<string, unknown>;
		const known = KNOWN_FIELDS[result.event.kind];
		expect(result.event.data).toEqual(Object.fromEntries(Object.entries(sent).filter(([k]) => known.has(k))));
		expect(JSON.parse(result.text)).toEqual(result.event.data);
	});
});

describe("decode: malformed messages", () => {
	it.each(MALFORMED.map((c) => [c.name, c] as const))("%s", (_, c) => {
		const result = run(c);
		if (c.expect.ok) throw new Error("the malformed corpus holds only rejections");
		expect(result.ok).toBe(false);
		if (result.ok) return;
		expect(result.reason).toBe(c.expect.reason);
		// Every rejection says what is wrong, in words a person can act on.
		expect(result.detail.length).toBeGreaterThan(10);
		if (c.expect.detail) expect(result.detail).toMatch(c.expect.detail);
	});
});

describe("decode: the corpus covers the contract", () => {
	it("has a valid message of every kind and every queue event", () => {
		const kinds = new Set(VALID.map((c) => (c.expect.ok ? c.expect.kind : "")));
		expect([...kinds].sort()).toEqual([...KIND_NAMES].sort());
		const events = new Set(
			VALID.filter((c) => c.expect.ok && c.expect.kind === "queue").map((c) => (c.payload as { event: string }).event),
		);
		expect([...events].sort()).toEqual([...QUEUE_EVENTS].sort());
	});

	it("has a malformed message for every reason decode can give", () => {
		const reasons = new Set(MALFORMED.map((c) => (c.expect.ok ? "" : c.expect.reason)));
		// not_authorized comes from the broker's ACL, which sees the client; id_reused and
		// unstorable from ingest, which sees the ids before and the store; too_old from the hub's
		// clock policy, which needs the arrival time — none from decode.
		const notDecode = ["not_authorized", "id_reused", "unstorable", "too_old"];
		expect([...reasons].sort()).toEqual(REJECT_REASON_NAMES.filter((r) => !notDecode.includes(r)).sort());
	});

	it("has unique case names", () => {
		const names = [...VALID, ...MALFORMED].map((c) => c.name);
		expect(new Set(names).size).toBe(names.length);
	});
});

describe("decode: options and order of checks", () => {
	const rating = (score: number) => payloadBytes({ id: eid(), ts: TS, score });

	it("honours a lower size limit", () => {
		const bytes = payloadBytes(ratingOfSize(200));
		expect(decode("vikno/v1/demo/win-01/rating", bytes, { centre }).ok).toBe(true);
		const result = decode("vikno/v1/demo/win-01/rating", bytes, { centre, maxBytes: 199 });
		expect(result).toMatchObject({ ok: false, reason: "too_large" });
	});

	it("checks the topic before the payload", () => {
		expect(decode("vikno/v1/demo/win-01/vote", new TextEncoder().encode("not json"), { centre })).toMatchObject({
			ok: false,
			reason: "bad_topic",
		});
	});

	it("reads the rating scale from the centre", () => {
		const scale10 = indexCentre({ ...demo.centre, ratingScale: 10 });
		const on10 = (id: string) => (id === "demo" ? scale10 : undefined);
		expect(decode("vikno/v1/demo/win-01/rating", rating(10), { centre: on10 }).ok).toBe(true);
		expect(decode("vikno/v1/demo/win-01/rating", rating(10), { centre })).toMatchObject({ reason: "schema" });
	});

	it("does not look up a centre for a message it already rejected", () => {
		const asked: string[] = [];
		const spy = (id: string) => {
			asked.push(id);
			return centre(id);
		};
		decode("vikno/v1/demo/win-01/vote", rating(5), { centre: spy });
		decode("vikno/v1/demo/win-01/rating", new TextEncoder().encode("[]"), { centre: spy });
		expect(asked).toEqual([]);
		decode("vikno/v1/demo/win-01/rating", rating(5), { centre: spy });
		expect(asked).toEqual(["demo"]);
	});
});

describe("decode: unknown fields are dropped", () => {
	const topic = "vikno/v1/demo/win-09/rating";
	const cases: [string, string, Record<string, unknown>, "as received" | "serialised again", number][] = [
		["nothing unknown", `{"id":"e1",  "ts":${TS},"score":4}`, { id: "e1", ts: TS, score: 4 }, "as received", 0],
		[
			"personal data",
			`{"id":"e2","ts":${TS},"score":1,"name":"Олена","phone":"+380501234567","passport":"FE123456"}`,
			{ id: "e2", ts: TS, score: 1 },
			"serialised again",
			3,
		],
		[
			"attribution a node may not set",
			`{"id":"e3","ts":${TS},"score":5,"window":"w12","service":"passports","scale":10}`,
			{ id: "e3", ts: TS, score: 5 },
			"serialised again",
			3,
		],
		[
			"a deep structure",
			`{"id":"e4","ts":${TS},"score":2,"x":${"[".repeat(5_000)}${"]".repeat(5_000)},"ticket":"A1"}`,
			{ id: "e4", ts: TS, score: 2, ticket: "A1" },
			"serialised again",
			1,
		],
		[
			"a prototype key",
			`{"id":"e5","ts":${TS},"score":3,"__proto__":{"extra":true}}`,
			{ id: "e5", ts: TS, score: 3 },
			"serialised again",
			1,
		],
	];
	it.each(cases)("%s", (_, text, data, form, dropped) => {
		const result = decode(topic, new TextEncoder().encode(text), { centre });
		if (!result.ok) throw new Error(`rejected as ${result.reason}: ${result.detail}`);
		expect(result.event.data).toEqual(data);
		expect(result.dropped).toBe(dropped);
		expect(result.text).toBe(form === "as received" ? text : JSON.stringify(data));
		expect((result.event.data as { extra?: unknown }).extra).toBeUndefined();
	});
});
