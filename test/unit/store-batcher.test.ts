/** The write batcher of the InfluxDB backends, with a write function under the test's control. */
import { describe, expect, it } from "vitest";
import { Batcher } from "../../store/batcher.ts";
import { until } from "../fixtures/wait.ts";

function writer() {
	const calls: { values: number[]; done: () => void; fail: (e: Error) => void }[] = [];
	const write = (values: number[]) =>
		new Promise<void>((resolve, reject) => calls.push({ values, done: resolve, fail: reject }));
	return { calls, write };
}
const tick = () => new Promise((r) => setImmediate(r));

describe("Batcher", () => {
	it("splits into writes of at most batchSize, at most `concurrency` in flight, and resolves when written", async () => {
		const w = writer();
		const b = new Batcher(w.write, { batchSize: 3, flushMs: 0, concurrency: 2 });
		let resolved = false;
		const p = b.add([1, 2, 3, 4, 5, 6, 7]).then(() => {
			resolved = true;
		});
		await tick();
		expect(w.calls.map((c) => c.values)).toEqual([
			[1, 2, 3],
			[4, 5, 6],
		]);
		w.calls[0]?.done();
		await tick();
		expect(w.calls.map((c) => c.values)).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
		w.calls[1]?.done();
		await tick();
		expect(resolved).toBe(false);
		w.calls[2]?.done();
		await p;
		expect(resolved).toBe(true);
	});

	it("coalesces appends made while writes are in flight into the next write", async () => {
		const w = writer();
		const b = new Batcher(w.write, { batchSize: 100, flushMs: 0, concurrency: 1 });
		const first = b.add([1]);
		await tick();
		const later = [b.add([2]), b.add([3, 4]), b.add([5])];
		await tick();
		expect(w.calls).toHaveLength(1);
		w.calls[0]?.done();
		await first;
		await tick();
		expect(w.calls.map((c) => c.values)).toEqual([[1], [2, 3, 4, 5]]);
		w.calls[1]?.done();
		await Promise.all(later);
		await b.drained();
	});

	it("a failed write rejects the appends it held and drops their other points; others go on", async () => {
		const w = writer();
		const b = new Batcher(w.write, { batchSize: 2, flushMs: 0, concurrency: 1 });
		const a = b.add([1, 2, 3]);
		const c = b.add([9]);
		await tick();
		w.calls[0]?.fail(new Error("down"));
		await expect(a).rejects.toThrow("down");
		await tick();
		expect(w.calls.map((x) => x.values)).toEqual([[1, 2], [9]]);
		w.calls[1]?.done();
		await c;
	});

	it("waits flushMs for more points before a write that is not full", async () => {
		const w = writer();
		const b = new Batcher(w.write, { batchSize: 10, flushMs: 30 });
		b.add([1]);
		await tick();
		b.add([2]);
		expect(w.calls).toHaveLength(0);
		await until(
			() => w.calls.length,
			(n) => n > 0,
			{ what: "the timed flush" },
		);
		expect(w.calls.map((c) => c.values)).toEqual([[1, 2]]);
		w.calls[0]?.done();
		await b.drained();
	});
});
