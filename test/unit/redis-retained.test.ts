import { describe, expect, it } from "vitest";
import { matchesFilter } from "../../broker/redisRetained.ts";

describe("matchesFilter (MQTT 3.1.1 §4.7)", () => {
	it.each([
		["a/b/c", "a/b/c", true],
		["a/+/c", "a/b/c", true],
		["a/+/c", "a/b/d", false],
		["a/#", "a", true],
		["a/#", "a/b/c", true],
		["a/+", "a/b/c", false],
		["a/b", "a/b/c", false],
		["+/+", "a/b", true],
		["#", "$SYS/x", false],
		["+/x", "$SYS/x", false],
		["$SYS/#", "$SYS/x", true],
		["vikno/v1/c/+/status", "vikno/v1/c/вхід/status", true],
		["a/+/#", "a/b", true],
	])("%s against %s: %s", (filter, topic, expected) => {
		expect(matchesFilter(filter, topic)).toBe(expected);
	});
});
