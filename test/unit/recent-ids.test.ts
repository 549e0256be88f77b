/** The ingest's window of recent event ids: in flight, done, bounded with the oldest done out first. */
import { describe, expect, it } from "vitest";
import { RecentIds } from "../../hub/recentIds.ts";

describe("RecentIds", () => {
	it("tells in flight from done from unseen, and forgets the ones done longest ago", () => {
		const ids = new RecentIds<string>(2);
		ids.begin("a", "batch 1");
		ids.begin("b", "batch 1");
		ids.begin("c", "batch 2");
		expect([ids.get("a"), ids.get("x")]).toEqual(["batch 1", undefined]);
		ids.done("b");
		ids.done("a");
		expect([ids.get("a"), ids.get("b"), ids.get("c")]).toEqual([null, null, "batch 2"]);
		// A third done id pushes out the first done (b), whatever order they began in.
		ids.done("c");
		expect([ids.get("a"), ids.get("b"), ids.get("c")]).toEqual([null, undefined, null]);
		expect(ids.size).toBe(2);
	});

	it("forgets an id whose batch was refused, so its repeat counts as new", () => {
		const ids = new RecentIds<string>(10);
		ids.begin("a", "batch 1");
		ids.forget("a");
		expect(ids.get("a")).toBeUndefined();
		expect(ids.size).toBe(0);
	});

	it("stays bounded over many ids", () => {
		const ids = new RecentIds<number>(1_000);
		for (let i = 0; i < 10_000; i++) {
			ids.begin(`e${i}`, i);
			ids.done(`e${i}`);
		}
		expect(ids.size).toBe(1_000);
		expect(ids.get("e8999")).toBeUndefined();
		expect(ids.get("e9000")).toBeNull();
	});
});
