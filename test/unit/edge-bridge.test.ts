/**
 * The queue bridge's answers over loopback HTTP: the result itself on success, and every error
 * in the one envelope {"error":{"code","message"}} with the status its code has in edge/errors.ts.
 * The target stands in for the node (its outbox), which edge-hub.test.ts runs for real.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLog } from "../../core/log.ts";
import { type Bridge, type BridgeTarget, startBridge } from "../../edge/bridge.ts";
import { EDGE_ERRORS } from "../../edge/errors.ts";

const TOKEN = "secret-token";
let bridge: Bridge;
let full = false;
const emitted: object[] = [];
/** Keeps the event as the outbox would, or refuses it when "full"; returns its id. */
const keep = (prefix: string) => (fields: object) => {
	if (full) return null;
	emitted.push(fields);
	return `${prefix}-${emitted.length}`;
};
const target: BridgeTarget = {
	window: undefined,
	zone: undefined,
	emitQueue: keep("q"),
	emitOccupancy: keep("o"),
	buffered: () => emitted.length,
};

beforeAll(async () => {
	bridge = await startBridge({ enabled: true, host: "127.0.0.1", port: 0, token: TOKEN }, target, silentLog);
});
afterAll(() => bridge?.close());

const call = (path: string, init: RequestInit & { token?: string | null } = {}) =>
	fetch(`${bridge.url}${path}`, {
		...init,
		headers: init.token === null ? {} : { authorization: `Bearer ${init.token ?? TOKEN}` },
	});

describe("queue bridge answers", () => {
	it("answers an event with its id and the outbox depth, and /healthz with the depth", async () => {
		const res = await call("/v1/queue", {
			method: "POST",
			body: JSON.stringify({ event: "called", ticket: "A017", service: "passports", window: "w03" }),
		});
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({ id: "q-1", buffered: 1 });
		const occ = await call("/v1/occupancy", { method: "POST", body: JSON.stringify({ zone: "hall", count: 4 }) });
		expect(await occ.json()).toEqual({ id: "o-2", buffered: 2 });
		expect(await (await call("/healthz")).json()).toEqual({ buffered: 2 });
	});

	it.each([
		["unauthorized", "/healthz", { token: null }],
		["unauthorized", "/healthz", { token: "wrong-token" }],
		["not_found", "/v2/queue", { method: "POST", body: "{}" }],
		["method_not_allowed", "/v1/queue", { method: "PUT", body: "{}" }],
		["too_large", "/v1/queue", { method: "POST", body: "x".repeat(17 * 1024) }],
		["not_json", "/v1/queue", { method: "POST", body: "{" }],
		["schema", "/v1/queue", { method: "POST", body: JSON.stringify({ event: "shouted", ticket: "A1", service: "x" }) }],
		["schema", "/v1/queue", { method: "POST", body: JSON.stringify({ event: "called", ticket: "A1", service: "x" }) }],
		["schema", "/v1/occupancy", { method: "POST", body: JSON.stringify({ count: 3 }) }],
	] as const)("answers %s in the envelope with its status (%s)", async (code, path, init) => {
		const res = await call(path, init as RequestInit & { token?: string | null });
		expect(res.status).toBe(EDGE_ERRORS[code].status);
		expect(res.headers.get("content-type")).toBe("application/json");
		const body = await res.json();
		expect(body).toEqual({ error: { code, message: expect.any(String) } });
		expect(body.error.message.length).toBeGreaterThan(5);
	});

	it("answers outbox_full when the node refuses the event", async () => {
		full = true;
		const res = await call("/v1/queue", {
			method: "POST",
			body: JSON.stringify({ event: "issued", ticket: "A018", service: "passports" }),
		});
		full = false;
		expect(res.status).toBe(EDGE_ERRORS.outbox_full.status);
		expect(await res.json()).toEqual({ error: { code: "outbox_full", message: "the node's outbox is full" } });
	});
});
