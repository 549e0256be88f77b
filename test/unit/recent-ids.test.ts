/** The ingest's window of recent event ids: in flight, done, bounded with the oldest done out first. */
import { describe, expect, it } from "vitest";
import { fingerprint, RecentIds } from "../../hub/recentIds.ts";

describe("RecentIds", () => {
	it("tells in flight from done from unseen, and forgets the ones done longest ago", () => {
		const ids = new RecentIds<string>(2);
		ids.begin("a", "batch 1");
		ids.begin("b", "batch 1");
		ids.begin("c", "batch 2");
		const state = (id: string) => ids.get(id)?.inFlight;
		expect([state("a"), state("x")]).toEqual(["batch 1", undefined]);
		ids.done("b");
		ids.done("a");
		expect([state("a"), state("b"), state("c")]).toEqual([null, null, "batch 2"]);
		// A third done id pushes out the first done (b), whatever order they began in.
		ids.done("c");
		expect([state("a"), state("b"), state("c")]).toEqual([null, undefined, null]);
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
		expect(ids.get("e9000")?.inFlight).toBeNull();
	});

	it("keeps each id's fingerprint while in flight and once done", () => {
		const ids = new RecentIds<string>(10);
		ids.begin("a", "batch 1", 42);
		expect(ids.get("a")).toEqual({ inFlight: "batch 1", fp: 42 });
		ids.done("a");
		expect(ids.get("a")).toEqual({ inFlight: null, fp: 42 });
	});
});

describe("fingerprint", () => {
	const bytes = (s: string) => new TextEncoder().encode(s);
	const topic = "vikno/v1/demo/terminal-1/queue";
	const body = '{"id":"e1","ts":1760000000000,"event":"issued","ticket":"A017","service":"passports"}';

	it("is the same for the same bytes on the same topic, and differs for anything else", () => {
		const fp = fingerprint(topic, bytes(body));
		expect(fingerprint(topic, bytes(body))).toBe(fp);
		expect(fingerprint("vikno/v1/demo/win-01/queue", bytes(body))).not.toBe(fp);
		expect(fingerprint(topic, bytes(body.replace("A017", "A018")))).not.toBe(fp);
		expect(fingerprint(topic, bytes(body.replace(",", ", ")))).not.toBe(fp);
		expect(fp).toBeGreaterThanOrEqual(0);
		expect(fp).toBeLessThan(2 ** 32);
	});
});
