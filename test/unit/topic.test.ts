import { describe, expect, it } from "vitest";
import { KIND_NAMES } from "../../core/contract.ts";
import {
	commandPrefix,
	commandTopic,
	eventTopic,
	HUB_NODE,
	hubTopic,
	parseEventTopic,
	TOPIC_ROOT,
} from "../../core/topic.ts";

describe("topic builders", () => {
	it("build the wire contract v1 topics", () => {
		expect(TOPIC_ROOT).toBe("vikno/v1");
		expect(HUB_NODE).toBe("$hub");
		expect(eventTopic("demo", "win-01", "rating")).toBe("vikno/v1/demo/win-01/rating");
		expect(hubTopic("demo", "alerts")).toBe("vikno/v1/demo/$hub/alerts");
		expect(commandTopic("demo", "win-01", "call")).toBe("vikno/v1/demo/win-01/cmd/call");
		expect(commandPrefix("demo", "win-01")).toBe("vikno/v1/demo/win-01/cmd");
	});

	it.each(KIND_NAMES)("round-trips kind %s", (kind) => {
		expect(parseEventTopic(eventTopic("kr-viza", "terminal-1", kind))).toEqual({
			ok: true,
			centre: "kr-viza",
			node: "terminal-1",
			kind,
		});
	});
});

describe("parseEventTopic", () => {
	const id32 = `a${"b".repeat(31)}`;
	it.each([
		["shortest ids", "vikno/v1/a/0/status", "a", "0"],
		["32-character ids", `vikno/v1/${id32}/${id32}/status`, id32, id32],
		["hyphens inside and at the end", "vikno/v1/kr-viza-2/door-/status", "kr-viza-2", "door-"],
	])("accepts %s", (_, topic, centre, node) => {
		expect(parseEventTopic(topic)).toEqual({ ok: true, centre, node, kind: "status" });
	});

	it.each([
		["the empty topic", "", /not of the form/],
		["another version", "vikno/v2/demo/win-01/rating", /not of the form/],
		["another root", "viknO/v1/demo/win-01/rating", /not of the form/],
		["four levels", "vikno/v1/demo/rating", /not of the form/],
		["six levels", "vikno/v1/demo/win-01/rating/extra", /not of the form/],
		["a trailing slash", "vikno/v1/demo/win-01/rating/", /not of the form/],
		["a leading slash", "/vikno/v1/demo/win-01/rating", /not of the form/],
		["a command topic", "vikno/v1/demo/win-01/cmd/call", /not of the form/],
		["an upper-case centre", "vikno/v1/Demo/win-01/rating", /centre id "Demo"/],
		["an empty centre", "vikno/v1//win-01/rating", /centre id ""/],
		["a centre starting with a hyphen", "vikno/v1/-demo/win-01/rating", /centre id "-demo"/],
		["a 33-character node", `vikno/v1/demo/${id32}x/rating`, /node id/],
		["the hub's pseudo-node", "vikno/v1/demo/$hub/live", /node id "\$hub"/],
		["a wildcard node", "vikno/v1/demo/+/rating", /node id "\+"/],
		["a multi-level wildcard", "vikno/v1/demo/win-01/#", /kind "#"/],
		["a node with a dot", "vikno/v1/demo/win.01/rating", /node id "win\.01"/],
		["a non-ASCII node", "vikno/v1/demo/вікно-1/rating", /node id/],
		["an unknown kind", "vikno/v1/demo/win-01/vote", /kind "vote" is not one of/],
		["a kind in upper case", "vikno/v1/demo/win-01/Rating", /kind "Rating"/],
		["a prototype key as kind", "vikno/v1/demo/win-01/constructor", /kind "constructor"/],
	])("rejects %s", (_, topic, detail) => {
		const parsed = parseEventTopic(topic);
		expect(parsed.ok).toBe(false);
		if (!parsed.ok) expect(parsed.detail).toMatch(detail);
	});

	it("does not parse the hub's own topics as node events", () => {
		expect(parseEventTopic(hubTopic("demo", "alerts")).ok).toBe(false);
	});
});
