/**
 * The forwarder against a real spool file and a store whose writes the test answers: two batches
 * on their way at once, marks only in order, and a failed batch sent again with those behind it.
 */
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { silentLog } from "../../core/log.ts";
import { Forwarder } from "../../hub/forwarder.ts";
import { createMetrics } from "../../hub/metrics.ts";
import { Spool } from "../../store/spool.ts";
import type { EventStore, StoredEvent } from "../../store/types.ts";
import { storedRating } from "../fixtures/events.ts";
import { tempDir } from "../fixtures/hub.ts";
import { until } from "../fixtures/wait.ts";

const dir = tempDir("vikno-forwarder-");
afterAll(() => dir.remove());

const T0 = Date.UTC(2026, 10, 23, 8);
const ev = (i: number) => storedRating(i, T0);

/** A remote store whose appends wait for the test to answer them. */
function storeUnderControl() {
	const calls: { ids: string[]; ok: () => void; fail: (e: Error) => void }[] = [];
	const store = {
		name: "remote",
		localDurable: false,
		append: (events: readonly StoredEvent[]) =>
			new Promise<null[]>((resolve, reject) =>
				calls.push({ ids: events.map((e) => e.id), ok: () => resolve(events.map(() => null)), fail: reject }),
			),
	} as unknown as EventStore;
	return { store, calls };
}

describe("Forwarder", () => {
	it("forwards an event spooled while it finishes, after it last looked at the spool", async () => {
		const spool = new Spool(join(dir.path, "late.db"));
		spool.add([ev(1)]);
		const { store, calls } = storeUnderControl();
		const fwd = new Forwarder({ spool, store, metrics: createMetrics(), log: silentLog, batchSize: 10 });
		// The mark of the first batch comes after the loop found nothing more to send: ingest spools
		// an event and kicks right then, as it does after every spooled batch.
		const markAsync = spool.forwardedAsync.bind(spool);
		let late = false;
		vi.spyOn(spool, "forwardedAsync").mockImplementation(async (upTo, now) => {
			if (!late) {
				late = true;
				spool.add([ev(2)]);
				fwd.kick();
			}
			return markAsync(upTo, now);
		});
		fwd.kick();
		await until(
			() => calls.length,
			(n) => n === 1,
			{ intervalMs: 2 },
		);
		calls[0]?.ok();
		await until(
			() => calls.length,
			(n) => n === 2,
			{ intervalMs: 2, timeoutMs: 2_000, what: "the late event sent" },
		);
		expect(calls[1]?.ids).toEqual(["ev-2"]);
		calls[1]?.ok();
		await fwd.idle();
		expect(spool.depth).toBe(0);
		await fwd.close();
		spool.close();
	});

	it("sends the next batch while the store takes one, and marks them forwarded in order", async () => {
		const spool = new Spool(join(dir.path, "a.db"));
		spool.add([1, 2, 3, 4, 5].map(ev));
		const { store, calls } = storeUnderControl();
		// Every mark the forwarder asks the spool for, in the order asked (the real write still runs).
		const marks: number[] = [];
		const markAsync = spool.forwardedAsync.bind(spool);
		vi.spyOn(spool, "forwardedAsync").mockImplementation((upTo, now) => {
			marks.push(upTo);
			return markAsync(upTo, now);
		});
		const fwd = new Forwarder({ spool, store, metrics: createMetrics(), log: silentLog, batchSize: 2 });
		fwd.kick();
		await until(
			() => calls.length,
			(n) => n === 2,
			{ intervalMs: 2 },
		);
		expect(calls.map((c) => c.ids)).toEqual([
			["ev-1", "ev-2"],
			["ev-3", "ev-4"],
		]);
		// The second answers first: nothing is marked until the first is in too.
		calls[1]?.ok();
		calls[0]?.ok();
		// Both marked, in order (a mark of 4 before 2 would have forwarded 1 and 2 unwritten),
		// and the last event on its way.
		await until(
			() => spool.depth,
			(d) => d === 1,
			{ intervalMs: 2 },
		);
		expect(marks).toEqual([2, 4]);
		await until(
			() => calls.length,
			(n) => n === 3,
			{ intervalMs: 2 },
		);
		expect(calls[2]?.ids).toEqual(["ev-5"]);
		calls[2]?.ok();
		await fwd.idle();
		expect(spool.depth).toBe(0);
		await fwd.close();
		spool.close();
	});

	it("after a failed batch, sends it and the ones behind it again, from the mark", async () => {
		const spool = new Spool(join(dir.path, "b.db"));
		spool.add([1, 2, 3, 4, 5, 6].map(ev));
		const { store, calls } = storeUnderControl();
		const fwd = new Forwarder({
			spool,
			store,
			metrics: createMetrics(),
			log: silentLog,
			batchSize: 2,
			minBackoffMs: 5,
			maxBackoffMs: 5,
		});
		fwd.kick();
		await until(
			() => calls.length,
			(n) => n === 2,
			{ intervalMs: 2 },
		);
		calls[0]?.ok();
		await until(
			() => calls.length,
			(n) => n === 3,
			{ intervalMs: 2 },
		);
		// [3, 4] fails (a timeout, say) while [5, 6] is on its way and then succeeds.
		calls[1]?.fail(new Error("timeout"));
		calls[2]?.ok();
		await until(
			() => calls.length,
			(n) => n === 5,
			{ intervalMs: 2 },
		);
		expect(calls.slice(3).map((c) => c.ids)).toEqual([
			["ev-3", "ev-4"],
			["ev-5", "ev-6"],
		]);
		expect(spool.depth).toBe(4);
		calls[3]?.ok();
		calls[4]?.ok();
		await fwd.idle();
		expect(spool.depth).toBe(0);
		await fwd.close();
		spool.close();
	});
});
