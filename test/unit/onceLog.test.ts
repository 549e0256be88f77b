import { describe, expect, it } from "vitest";
import type { Log } from "../../core/log.ts";
import { OnceLog } from "../../core/onceLog.ts";

function recorder() {
	const lines: { msg: string; obj: Record<string, unknown> }[] = [];
	const log: Log = {
		info() {},
		debug() {},
		error() {},
		warn(obj: object | string, msg?: string) {
			lines.push({ msg: msg ?? "", obj: obj as Record<string, unknown> });
		},
	};
	return { log, lines };
}

describe("OnceLog", () => {
	it("logs a key once per interval, then says how many it kept quiet", () => {
		const { log, lines } = recorder();
		let now = 1_000;
		const once = new OnceLog(log, { intervalMs: 60_000, now: () => now });
		once.warn("schema", { reason: "schema" }, "rejected");
		now += 1_000;
		once.warn("schema", { reason: "schema" }, "rejected");
		once.warn("not_json", { reason: "not_json" }, "rejected");
		now += 59_000;
		once.warn("schema", { reason: "schema" }, "rejected");
		once.warn("schema", { reason: "schema" }, "rejected");
		expect(lines.map((l) => l.obj)).toEqual([
			{ reason: "schema", suppressedSinceLast: 0 },
			{ reason: "not_json", suppressedSinceLast: 0 },
			{ reason: "schema", suppressedSinceLast: 1 },
		]);
	});

	it("forgets every key past its limit rather than grow", () => {
		const { log, lines } = recorder();
		const once = new OnceLog(log, { intervalMs: 60_000, now: () => 0, maxKeys: 2 });
		for (const key of ["a", "b", "c", "a"]) once.warn(key, { key }, "refused");
		expect(lines.map((l) => l.obj.key)).toEqual(["a", "b", "c", "a"]);
	});
});
