import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
	CONNECT_REFUSAL_NAMES,
	DISCONNECT_NAMES,
	PUBLISH_REFUSAL_NAMES,
	SUBSCRIBE_REFUSAL_NAMES,
} from "../../broker/reasons.ts";

const doc = readFileSync(new URL("../../docs/broker.md", import.meta.url), "utf8");

/** The first-column codes of the table under a heading of docs/broker.md. */
function documented(heading: string): string[] {
	const section = doc.split(`### ${heading}\n`)[1]?.split("\n### ")[0] ?? "";
	return [...section.matchAll(/^\| `([a-z0-9_]+)` +\|/gm)].map((m) => m[1] as string);
}

describe("docs/broker.md lists exactly the broker's reasons", () => {
	it.each([
		["Refused connections", CONNECT_REFUSAL_NAMES],
		["Closed connections", DISCONNECT_NAMES],
		["Refused publishes", PUBLISH_REFUSAL_NAMES],
		["Refused subscriptions", SUBSCRIBE_REFUSAL_NAMES],
	] as const)("%s", (heading, names) => {
		expect(documented(heading)).toEqual([...names]);
	});
});
