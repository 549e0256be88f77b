import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { OutboxConfig } from "../../edge/config.ts";
import type { Log } from "../../edge/log.ts";
import { Outbox, type OutboxEntry } from "../../edge/outbox.ts";

const cfg = (o: Partial<OutboxConfig> = {}): OutboxConfig => ({
	maxEvents: 1000,
	maxBytes: 1_000_000,
	whenFull: "drop-oldest",
	fsync: true,
	...o,
});

function recordingLog() {
	const lines: { level: string; msg: string; obj: object }[] = [];
	const at =
		(level: string) =>
		(a: object | string, b?: string): void => {
			lines.push(typeof a === "string" ? { level, msg: a, obj: {} } : { level, msg: b ?? "", obj: a });
		};
	const log: Log = { error: at("error"), warn: at("warn"), info: at("info"), debug: at("debug") };
	return { log, lines };
}

function drain(o: Outbox): OutboxEntry[] {
	const out: OutboxEntry[] = [];
	let seq = 0;
	for (let e = o.nextAfter(seq); e; e = o.nextAfter(seq)) {
		out.push(e);
		seq = e.seq;
	}
	return out;
}

let dir: string;
beforeEach(() => {
	dir = mkdtempSync(join(tmpdir(), "vikno-outbox-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("durable outbox", () => {
	it("keeps events in order until acknowledged, across a reopen", () => {
		const { log } = recordingLog();
		const a = Outbox.open(dir, cfg(), log);
		for (let i = 1; i <= 5; i++)
			expect(a.append("t/rating", { id: `e${i}`, score: i })).toMatchObject({ ok: true, seq: i });
		a.ack(2);
		a.ack(4);
		a.ack(99); // unknown: ignored
		expect(a.depth).toBe(3);
		expect(drain(a).map((e) => JSON.parse(e.payload).id)).toEqual(["e1", "e3", "e5"]);
		a.close();

		const b = Outbox.open(dir, cfg(), log);
		expect(drain(b).map((e) => [e.seq, e.topic, e.payload])).toEqual([
			[1, "t/rating", '{"id":"e1","score":1}'],
			[3, "t/rating", '{"id":"e3","score":3}'],
			[5, "t/rating", '{"id":"e5","score":5}'],
		]);
		// New events continue the numbering, so replay stays in order.
		expect(b.append("t/rating", { id: "e6" })).toMatchObject({ ok: true, seq: 6 });
		expect(b.nextAfter(3)?.seq).toBe(5);
		b.close();
	});

	it("cuts off a torn last line (power cut mid-write) and goes on appending cleanly", () => {
		const { log, lines } = recordingLog();
		const a = Outbox.open(dir, cfg(), log);
		a.append("t", { id: "e1" });
		a.close();
		appendFileSync(join(dir, "outbox.log"), '{"s":2,"t":"t","p":{"id":"e2"');
		const b = Outbox.open(dir, cfg(), log);
		expect(lines.some((l) => l.msg.includes("unfinished last line"))).toBe(true);
		expect(drain(b).map((e) => e.seq)).toEqual([1]);
		b.append("t", { id: "e2b" });
		b.close();
		const c = Outbox.open(dir, cfg(), log);
		expect(drain(c).map((e) => JSON.parse(e.payload).id)).toEqual(["e1", "e2b"]);
		c.close();
	});

	it("drops the oldest event when full, and says so in the log", () => {
		const { log, lines } = recordingLog();
		const o = Outbox.open(dir, cfg({ maxEvents: 10 }), log);
		for (let i = 1; i <= 13; i++) o.append("t", { id: `e${i}` });
		expect(o.depth).toBe(10);
		expect(o.dropped).toBe(3);
		expect(drain(o)[0]?.seq).toBe(4);
		const warn = lines.filter((l) => l.level === "warn" && l.msg.includes("outbox full"));
		expect(warn).toHaveLength(3);
		expect(warn[0]?.obj).toMatchObject({ policy: "drop-oldest", dropped: 1 });
		o.close();
		// Drops are on disk too.
		const again = Outbox.open(dir, cfg({ maxEvents: 10 }), log);
		expect(again.depth).toBe(10);
		again.close();
	});

	it("refuses new events when full with refuse-new, and by size", () => {
		const { log, lines } = recordingLog();
		const o = Outbox.open(dir, cfg({ maxEvents: 10, whenFull: "refuse-new" }), log);
		for (let i = 1; i <= 10; i++) o.append("t", { id: `e${i}` });
		expect(o.append("t", { id: "e11" })).toEqual({ ok: false, reason: "full" });
		expect(lines.some((l) => l.level === "error" && l.msg.includes("refused"))).toBe(true);
		o.ack(1);
		expect(o.append("t", { id: "e11" }).ok).toBe(true);
		o.close();

		const small = mkdtempSync(join(tmpdir(), "vikno-outbox-"));
		const s = Outbox.open(small, cfg({ maxBytes: 10_000, whenFull: "refuse-new" }), log);
		let accepted = 0;
		while (s.append("t", { id: "x".repeat(40) }).ok) accepted++;
		expect(s.bytes).toBeLessThanOrEqual(10_000);
		expect(accepted).toBeGreaterThan(50);
		s.close();
		rmSync(small, { recursive: true, force: true });
	});

	it("rewrites the file when it is mostly acknowledged lines", () => {
		const { log } = recordingLog();
		const o = Outbox.open(dir, cfg({ maxEvents: 100_000, fsync: false }), log);
		for (let i = 1; i <= 12_000; i++) {
			o.append("t", { id: `e${i}` });
			if (i > 2) o.ack(i - 2);
		}
		expect(o.depth).toBe(2);
		const size = statSync(join(dir, "outbox.log")).size;
		expect(size).toBeLessThan(12_000 * 20);
		o.close();
		const again = Outbox.open(dir, cfg(), log);
		expect(drain(again).map((e) => JSON.parse(e.payload).id)).toEqual(["e11999", "e12000"]);
		again.close();
	});

	it("lets one process at a time use a data directory", () => {
		const { log } = recordingLog();
		const o = Outbox.open(dir, cfg(), log);
		expect(readFileSync(join(dir, "outbox.lock"), "utf8")).toBe(String(process.pid));
		o.close();
		// A lock held by a live process (here: our parent) is refused.
		writeFileSync(join(dir, "outbox.lock"), String(process.ppid));
		expect(() => Outbox.open(dir, cfg(), log)).toThrow(/in use by process/);
		// A lock left by a process that no longer exists (kill -9) is taken over.
		writeFileSync(join(dir, "outbox.lock"), "2147483646");
		const again = Outbox.open(dir, cfg(), log);
		again.close();
	});
});
