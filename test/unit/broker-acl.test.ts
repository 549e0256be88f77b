import { describe, expect, it } from "vitest";
import { type ConnectPolicy, type CredentialCheck, canConnect, canPublish, canSubscribe } from "../../broker/acl.ts";
import type { Identity } from "../../broker/identity.ts";
import { parseUsername } from "../../broker/identity.ts";

const win: Identity = { kind: "node", username: "demo/win-01", centre: "demo", node: "win-01", role: "window" };
const door: Identity = { kind: "node", username: "demo/door-1", centre: "demo", node: "door-1", role: "door" };
const dash: Identity = { kind: "service", username: "service:dash", name: "dash" };
const local: Identity = { kind: "service", username: "service:lutsk", name: "lutsk", centre: "lutsk" };
const anon: Identity = { kind: "anonymous" };

describe("canPublish", () => {
	it.each([
		[win, "vikno/v1/demo/win-01/rating", false, true],
		[win, "vikno/v1/demo/win-01/queue", false, true],
		[win, "vikno/v1/demo/win-01/request", false, true],
		[win, "vikno/v1/demo/win-01/status", true, true],
		[win, "vikno/v1/demo/win-01/rating", true, "retain_not_allowed"],
		[win, "vikno/v1/demo/win-02/rating", false, "foreign_topic"],
		[win, "vikno/v1/other/win-01/rating", false, "foreign_topic"],
		[win, "vikno/v1/demo/win-01/occupancy", false, "kind_not_allowed"],
		[win, "vikno/v1/demo/win-01/cmd/call", false, "foreign_topic"],
		[win, "vikno/v1/demo/$hub/live", false, "foreign_topic"],
		[win, "vikno/v1/demo/win-01", false, "foreign_topic"],
		[win, "other/topic", false, "foreign_topic"],
		[door, "vikno/v1/demo/door-1/occupancy", false, true],
		[door, "vikno/v1/demo/door-1/rating", false, "kind_not_allowed"],
		[dash, "vikno/v1/demo/$hub/live", true, true],
		[dash, "vikno/v1/demo/$hub/alerts/x", false, true],
		[dash, "vikno/v1/demo/win-01/cmd/call", false, true],
		[dash, "vikno/v1/demo/win-01/cmd/call", true, "retain_not_allowed"],
		[dash, "vikno/v1/demo/win-01/rating", false, "foreign_topic"],
		[dash, "vikno/v1/demo/win-01/cmd", false, "foreign_topic"],
		[local, "vikno/v1/lutsk/$hub/live", false, true],
		[local, "vikno/v1/demo/$hub/live", false, "foreign_topic"],
		[anon, "anything/at/all", true, true],
	] as const)("%o publishes %s (retain %s): %s", (identity, topic, retain, expected) => {
		const d = canPublish(identity, topic, { retain });
		expect(d.ok ? true : d.reason).toBe(expected);
	});
});

describe("canSubscribe", () => {
	it.each([
		[win, "vikno/v1/demo/win-01/cmd/#", true],
		[win, "vikno/v1/demo/win-01/cmd/call", true],
		[win, "vikno/v1/demo/win-01/cmd/+", true],
		[win, "#", false],
		[win, "vikno/v1/#", false],
		[win, "vikno/v1/demo/win-01/#", false],
		[win, "vikno/v1/demo/+/cmd/#", false],
		[win, "vikno/v1/demo/win-02/cmd/#", false],
		[win, "$SYS/#", false],
		[win, "vikno/v1/demo/$hub/live", true],
		[win, "vikno/v1/demo/$hub/alerts", false],
		[win, "vikno/v1/demo/$hub/#", false],
		[win, "vikno/v1/demo/$hub/+", false],
		[win, "vikno/v1/lutsk/$hub/live", false],
		[win, "vikno/v1/+/$hub/live", false],
		[win, "vikno/v1/demo/$hub/live/x", false],
		[dash, "vikno/v1/#", true],
		[dash, "vikno/v1/+/$hub/live", true],
		[dash, "$SYS/#", true],
		[dash, "#", false],
		[dash, "vikno/#", false],
		[dash, "+/v1/#", false],
		[local, "vikno/v1/lutsk/#", true],
		[local, "vikno/v1/#", false],
		[local, "vikno/v1/+/$hub/live", false],
		[anon, "#", true],
	] as const)("%o subscribes %s: %s", (identity, filter, expected) => {
		expect(canSubscribe(identity, filter).ok).toBe(expected);
	});
});

describe("canConnect", () => {
	const policy: ConnectPolicy = {
		allowAnonymous: false,
		maxKeepaliveS: 3600,
		allowKeepaliveZero: false,
		nodeRole: (c, n) => (c === "demo" && n === "win-01" ? "window" : undefined),
	};
	const ok = (username: string): CredentialCheck => {
		const principal = parseUsername(username);
		if (!principal) throw new Error(username);
		return { status: "ok", username, principal };
	};
	const req = { clientId: "demo/win-01", clean: false, keepalive: 30 };

	it.each([
		["a node with its own client id", req, ok("demo/win-01"), policy, true],
		["another client id", { ...req, clientId: "vikno-demo-win-01" }, ok("demo/win-01"), policy, "client_id_mismatch"],
		["a node the hub does not know", { ...req, clientId: "demo/win-09" }, ok("demo/win-09"), policy, "unknown_node"],
		["no user name", req, { status: "none" }, policy, "anonymous"],
		["no user name where allowed", req, { status: "none" }, { ...policy, allowAnonymous: true }, true],
		["a wrong password", req, { status: "bad_password" }, policy, "bad_password"],
		["a revoked credential", req, { status: "revoked" }, policy, "revoked"],
		["an unknown user", req, { status: "unknown" }, policy, "unknown_user"],
		["an unreadable registry", req, { status: "error" }, policy, "registry_error"],
		[
			"empty client id, clean=false (MQTT-3.1.3-8)",
			{ ...req, clientId: "" },
			{ status: "none" },
			{ ...policy, allowAnonymous: true },
			"empty_client_id",
		],
		[
			"empty client id, clean=true",
			{ ...req, clientId: "", clean: true },
			{ status: "none" },
			{ ...policy, allowAnonymous: true },
			true,
		],
		["keep-alive 0", { ...req, keepalive: 0 }, ok("demo/win-01"), policy, "keepalive"],
		["keep-alive too long", { ...req, keepalive: 3601 }, ok("demo/win-01"), policy, "keepalive"],
		["keep-alive at the limit", { ...req, keepalive: 3600 }, ok("demo/win-01"), policy, true],
		[
			"keep-alive 0 where allowed",
			{ ...req, keepalive: 0 },
			ok("demo/win-01"),
			{ ...policy, allowKeepaliveZero: true },
			true,
		],
		[
			"keep-alive above a lower limit",
			{ ...req, keepalive: 61 },
			ok("demo/win-01"),
			{ ...policy, maxKeepaliveS: 60, allowKeepaliveZero: true },
			"keepalive",
		],
		[
			"its status as Will",
			{ ...req, will: { topic: "vikno/v1/demo/win-01/status", retain: true } },
			ok("demo/win-01"),
			policy,
			true,
		],
		[
			"another node's status as Will",
			{ ...req, will: { topic: "vikno/v1/demo/win-02/status", retain: true } },
			ok("demo/win-01"),
			policy,
			"will_not_authorized",
		],
		["a service with a suffixed client id", { ...req, clientId: "service:dash/1" }, ok("service:dash"), policy, true],
		["a service with another id", { ...req, clientId: "dash" }, ok("service:dash"), policy, "client_id_mismatch"],
	] as const)("%s", (_name, request, check, p, expected) => {
		const d = canConnect(request, check, p);
		expect(d.ok ? true : d.reason).toBe(expected);
		if (!d.ok) expect([2, 3, 4, 5]).toContain(d.returnCode);
	});

	it("answers bad credentials with CONNACK 4 and a foreign client id with 2", () => {
		const bad = canConnect(req, { status: "bad_password" }, policy);
		const mismatch = canConnect({ ...req, clientId: "x" }, ok("demo/win-01"), policy);
		expect(!bad.ok && bad.returnCode).toBe(4);
		expect(!mismatch.ok && mismatch.returnCode).toBe(2);
	});
});

describe("parseUsername", () => {
	it.each([
		["demo/win-01", { kind: "node", centre: "demo", node: "win-01" }],
		["service:dash", { kind: "service", name: "dash" }],
		["win-01", undefined],
		["demo/win-01/x", undefined],
		["Demo/win-01", undefined],
		["service:", undefined],
	])("%s", (username, expected) => {
		expect(parseUsername(username)).toEqual(expected);
	});
});
