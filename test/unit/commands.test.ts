/**
 * The hub → node half of the contract: every command's schema as a table of valid and malformed
 * payloads (core/commands.ts, through `decodeCommand`, as the edge receives them), the `$hub`
 * state's schema (core/hubState.ts), the topic → payload map, and the edge's refusal registry
 * against docs/edge.md.
 */
import { readFileSync } from "node:fs";
import { Compile } from "typebox/compile";
import { describe, expect, expectTypeOf, it } from "vitest";
import { COMMAND_NAMES, type CommandOf, decodeCommand } from "../../core/commands.ts";
import type { KIND_NAMES, PayloadOf } from "../../core/contract.ts";
import { HUB_TOPIC_NAMES, HUB_TOPICS, type HubStateOf } from "../../core/hubState.ts";
import { type Log, type LogFn, silentLog } from "../../core/log.ts";
import type { TopicPayload } from "../../core/topic.ts";
import { EDGE_REFUSAL_NAMES, Refusals } from "../../edge/refusals.ts";

const bytes = (p: unknown) => Buffer.from(typeof p === "string" ? p : JSON.stringify(p));
const REQ = "0196b4a2-7c1e-7d3a-9f00-1a2b3c4d5e6f";

/** [name, command, payload (a string is sent as it is), what it decodes to — undefined: as sent] */
const VALID: [string, string, unknown, unknown?][] = [
	["call: a ticket", "call", { request: REQ, ticket: "A017", service: "passport" }],
	["call: a priority ticket", "call", { request: REQ, ticket: "B004", service: "social", priority: "idp" }],
	["call: nobody waits (as the dispatcher sends it)", "call", { request: REQ, ticket: null, service: null }],
	["call: nobody waits, no service", "call", { request: REQ, ticket: null }],
	["call: an unknown extra field is ignored", "call", { request: REQ, ticket: "A017", service: "passport", x: 1 }],
	["identify: seconds", "identify", { seconds: 30 }],
	["identify: a fraction of a second", "identify", { seconds: 0.5 }],
	["identify: no arguments", "identify", {}],
	["identify: an empty payload is {}", "identify", "", {}],
	["pause: a break", "pause", { paused: true }],
	["pause: back from it", "pause", { paused: false }],
	["reload: {}", "reload", {}],
	["reload: an empty payload", "reload", "", {}],
	["status: {}", "status", {}],
	["status: with a field it does not use", "status", { why: "check" }],
];

/** [name, command, payload, what the refusal says] */
const MALFORMED: [string, string, unknown, RegExp][] = [
	["call: no request", "call", { ticket: "A017", service: "passport" }, /required properties request/],
	["call: the request is not an id", "call", { request: "a b", ticket: "A017", service: "passport" }, /\/request/],
	["call: a ticket without its service", "call", { request: REQ, ticket: "A017" }, /required properties service/],
	["call: no ticket at all", "call", { request: REQ }, /required properties ticket/],
	["call: a number for a ticket", "call", { request: REQ, ticket: 17, service: "passport" }, /\/ticket must be string/],
	["call: an empty ticket", "call", { request: REQ, ticket: "", service: "passport" }, /\/ticket/],
	["call: a service that is no id", "call", { request: REQ, ticket: "A017", service: "Паспорт" }, /\/service/],
	["call: a number for a priority", "call", { request: REQ, ticket: "A017", service: "pass", priority: 7 }, /priority/],
	["call: nobody waits, but a service", "call", { request: REQ, ticket: null, service: "passport" }, /ticket/],
	["call: an empty payload", "call", "", /required properties/],
	["pause: no state", "pause", {}, /required properties paused/],
	["pause: text for the state", "pause", { paused: "yes" }, /\/paused must be boolean/],
	["identify: seconds as text", "identify", { seconds: "ten" }, /\/seconds must be number/],
	["identify: negative seconds", "identify", { seconds: -5 }, /\/seconds must be > 0/],
	["identify: zero seconds", "identify", { seconds: 0 }, /\/seconds must be > 0/],
	["identify: an array", "identify", "[10]", /must be a JSON object, got an array/],
	["identify: null", "identify", "null", /must be a JSON object, got object/],
	["identify: not JSON", "identify", "blink", /not UTF-8 JSON/],
	["identify: not UTF-8", "identify", Buffer.from([0x7b, 0xff, 0x7d]), /not UTF-8 JSON/],
	["reload: a number", "reload", "5", /got number/],
	["status: a string", "status", '"now"', /got string/],
	["status: larger than 16 KiB", "status", JSON.stringify({ pad: "x".repeat(16 * 1024) }), /limit is 16384/],
];

describe("commands: valid payloads", () => {
	it.each(VALID)("%s", (_name, name, payload, want) => {
		const d = decodeCommand(name, bytes(payload));
		if (!d.ok) throw new Error(`refused: ${d.detail}`);
		expect(d.command).toEqual({ name, data: want ?? payload });
	});
});

describe("commands: malformed payloads are refused with what is wrong", () => {
	it.each(MALFORMED)("%s", (_name, name, payload, detail) => {
		const d = decodeCommand(name, Buffer.isBuffer(payload) ? payload : bytes(payload));
		expect(d.ok).toBe(false);
		if (d.ok) return;
		expect(d.problem).toBe("malformed");
		expect(d.detail).toMatch(new RegExp(`^${name}`));
		expect(d.detail).toMatch(detail);
	});

	it("tells a command it does not know apart from a malformed one", () => {
		expect(decodeCommand("reboot", bytes({}))).toMatchObject({ ok: false, problem: "unknown" });
		expect(decodeCommand("call/x", bytes({}))).toMatchObject({ ok: false, problem: "unknown" });
	});

	it("covers every command of the table, valid and malformed", () => {
		expect([...new Set(VALID.map((c) => c[1]))].sort()).toEqual([...COMMAND_NAMES].sort());
		expect([...new Set(MALFORMED.map((c) => c[1]))].sort()).toEqual([...COMMAND_NAMES].sort());
	});
});

const alert = {
	key: "wait:passport",
	rule: "waitOverTarget",
	severity: "warning",
	subject: { service: "passport" },
	message: {
		uk: "«Паспорт»: талон чекає 41 хв (ціль — 30 хв)",
		en: "Passport: a ticket has waited 41 min (target 30 min)",
	},
	since: 1_795_420_800_000,
	value: 41,
	threshold: 30,
};
const alerts = Compile(HUB_TOPICS.alerts.schema);

describe("$hub/alerts", () => {
	it.each([
		["no alerts", { centre: "demo", at: 1_795_420_800_000, alerts: [] }],
		["one alert", { centre: "demo", at: 1_795_420_800_000, alerts: [alert] }],
		["a field a newer hub adds", { centre: "demo", at: 1_795_420_800_000, alerts: [{ ...alert, link: "/a" }] }],
	])("%s passes", (_name, payload) => {
		expect([...alerts.Errors(payload)]).toEqual([]);
	});

	it.each([
		["no centre", { at: 1_795_420_800_000, alerts: [] }],
		["seconds for `at`", { centre: "demo", at: 1_795_420_800, alerts: [] }],
		["an unknown rule", { centre: "demo", at: 1_795_420_800_000, alerts: [{ ...alert, rule: "noise" }] }],
		["an unknown severity", { centre: "demo", at: 1_795_420_800_000, alerts: [{ ...alert, severity: "info" }] }],
		["a message in one language", { centre: "demo", at: 1, alerts: [{ ...alert, message: { en: "x" } }] }],
		["a value that is not a number", { centre: "demo", at: 1_795_420_800_000, alerts: [{ ...alert, value: null }] }],
	])("%s fails", (_name, payload) => {
		expect(alerts.Check(payload)).toBe(false);
	});

	it("is retained state; nodes read only live", () => {
		expect(HUB_TOPIC_NAMES).toEqual(["alerts", "live"]);
		expect(HUB_TOPICS.alerts.retained).toBe(true);
		expect(HUB_TOPICS.live.retained).toBe(true);
		expect(HUB_TOPICS.alerts.nodesRead).toBe(false);
		expect(HUB_TOPICS.live.nodesRead).toBe(true);
	});
});

describe("the topic → payload map", () => {
	it("is made from the three tables", () => {
		expectTypeOf<TopicPayload["{node}/rating"]>().toEqualTypeOf<PayloadOf["rating"]>();
		expectTypeOf<TopicPayload["{node}/cmd/call"]>().toEqualTypeOf<CommandOf["call"]>();
		expectTypeOf<TopicPayload["$hub/alerts"]>().toEqualTypeOf<HubStateOf["alerts"]>();
		expectTypeOf<keyof TopicPayload>().toEqualTypeOf<
			| `{node}/${(typeof KIND_NAMES)[number]}`
			| `{node}/cmd/${(typeof COMMAND_NAMES)[number]}`
			| `$hub/${(typeof HUB_TOPIC_NAMES)[number]}`
		>();
	});
});

describe("edge refusals", () => {
	it("counts every refusal and logs one line per reason per interval, with how many it left out", () => {
		const lines: { obj: Record<string, unknown>; msg: string }[] = [];
		const warn = (obj: object | string, msg?: string) => {
			if (typeof obj === "object") lines.push({ obj: { ...obj }, msg: msg ?? "" });
		};
		const log: Log = { ...silentLog, warn: warn as LogFn };
		let now = 0;
		const r = new Refusals(log, () => now, 60_000);
		expect(r.counted()).toBeUndefined();
		for (let i = 0; i < 5; i++) r.refuse("bad_command", `identify payload: /seconds must be number (${i})`);
		now = 60_000;
		r.refuse("bad_command", "call payload: / must have required properties request");
		expect(r.counted()).toEqual({ bad_command: 6 });
		expect(lines.map((l) => [l.msg, l.obj.suppressedSinceLast])).toEqual([
			["refused (bad_command): identify payload: /seconds must be number (0)", 0],
			["refused (bad_command): call payload: / must have required properties request", 4],
		]);
	});

	it("are documented in docs/edge.md, exactly the names of edge/refusals.ts", () => {
		const doc = readFileSync(new URL("../../docs/edge.md", import.meta.url), "utf8");
		const section = doc.split(/^### Refused commands$/m)[1]?.split(/^#{2,3} /m)[0] ?? "";
		const documented = [...section.matchAll(/^\| `([a-z_]+)` +\|/gm)].map((m) => m[1]);
		expect(documented.sort()).toEqual([...EDGE_REFUSAL_NAMES].sort());
	});
});
