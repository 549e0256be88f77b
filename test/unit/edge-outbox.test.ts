import {
	closeSync,
	existsSync,
	mkdtempSync,
	openSync,
	readdirSync,
	readFileSync,
	rmSync,
	statSync,
	writeFileSync,
	writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as zlib from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Log } from "../../core/log.ts";
import type { OutboxConfig } from "../../edge/config.ts";
import { crc32 } from "../../edge/crc32.ts";
import { Outbox, type OutboxEntry } from "../../edge/outbox.ts";
import { encodeEvent, encodeMark, MAGIC, scanRecords } from "../../edge/outbox-file.ts";

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

const ids = (o: Outbox) => drain(o).map((e) => (JSON.parse(e.payload) as { id: string }).id);
const outboxFile = () => join(dir, "outbox.log");

/** Write raw bytes right after the last good record, as a write cut short by a power cut leaves them. */
function writeAtEnd(bytes: Buffer): number {
	const end = scanRecords(readFileSync(outboxFile())).end;
	const fd = openSync(outboxFile(), "r+");
	writeSync(fd, bytes, 0, bytes.length, end);
	closeSync(fd);
	return end;
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

	it("appends inside the preallocated size, and a reopen finds exactly the records written", () => {
		const { log, lines } = recordingLog();
		const a = Outbox.open(dir, cfg(), log);
		const size = statSync(outboxFile()).size;
		expect(size).toBeGreaterThanOrEqual(256 * 1024);
		for (let i = 1; i <= 150; i++) a.append("t/rating", { id: `e${i}`, score: (i % 5) + 1 });
		for (let i = 1; i <= 50; i++) a.ack(i);
		// The fdatasync of an append has no size to commit: the file did not grow.
		expect(statSync(outboxFile()).size).toBe(size);
		a.close();

		const buf = readFileSync(outboxFile());
		expect(buf.subarray(0, MAGIC.length).equals(MAGIC)).toBe(true);
		const scan = scanRecords(buf);
		expect(scan.records).toHaveLength(200);
		expect(scan.tornBytes).toBe(0);
		expect(buf.subarray(scan.end).every((b) => b === 0)).toBe(true);

		const b = Outbox.open(dir, cfg(), log);
		expect(b.depth).toBe(100);
		expect(drain(b).map((e) => e.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 51));
		expect(drain(b)[0]?.payload).toBe('{"id":"e51","score":2}');
		// A zero-filled tail is the normal end of the data, not damage.
		expect(lines.filter((l) => l.level === "warn" || l.level === "error")).toEqual([]);
		b.close();
	});

	it("grows the file by zero-filled chunks when the preallocated space runs out", () => {
		const { log } = recordingLog();
		const a = Outbox.open(dir, cfg({ maxEvents: 100_000, maxBytes: 64 * 1024 * 1024, fsync: false }), log);
		const before = statSync(outboxFile()).size;
		const big = "x".repeat(1000);
		for (let i = 1; i <= 1500; i++) a.append("t", { id: `e${i}`, big });
		const after = statSync(outboxFile()).size;
		expect(after).toBeGreaterThan(before);
		a.close();
		const scan = scanRecords(readFileSync(outboxFile()));
		expect(scan.records).toHaveLength(1500);
		expect(scan.tornBytes).toBe(0);
		const b = Outbox.open(dir, cfg({ maxEvents: 100_000, maxBytes: 64 * 1024 * 1024, fsync: false }), log);
		expect(b.depth).toBe(1500);
		expect(ids(b).at(-1)).toBe("e1500");
		b.close();
	});

	it("drops a record torn by a power cut, says so, and goes on appending cleanly", () => {
		const { log, lines } = recordingLog();
		const a = Outbox.open(dir, cfg(), log);
		a.append("t", { id: "e1" });
		a.close();
		const torn = encodeEvent(2, "t", '{"id":"e2"}');
		const at = writeAtEnd(torn.subarray(0, torn.length - 5));
		const b = Outbox.open(dir, cfg(), log);
		expect(lines.find((l) => l.msg.includes("torn record"))).toMatchObject({
			level: "warn",
			obj: { bytes: torn.length - 5 },
		});
		expect(drain(b).map((e) => e.seq)).toEqual([1]);
		// The torn bytes are cleared on disk, not only skipped.
		expect(
			readFileSync(outboxFile())
				.subarray(at)
				.every((x) => x === 0),
		).toBe(true);
		b.append("t", { id: "e2b" });
		b.close();
		const c = Outbox.open(dir, cfg(), log);
		expect(ids(c)).toEqual(["e1", "e2b"]);
		c.close();
	});

	it.each([
		["its length written, its body still zeros", (r: Buffer) => Buffer.concat([r.subarray(0, 8), Buffer.alloc(1)])],
		["a body byte changed", (r: Buffer) => Buffer.from(r.map((x, i) => (i === r.length - 3 ? x ^ 0x20 : x)))],
		["its length zeros, its body written", (r: Buffer) => Buffer.concat([Buffer.alloc(4), r.subarray(4)])],
		["a length that runs past the file", (r: Buffer) => Buffer.from([0xff, 0xff, 0xff, 0x7f, ...r.subarray(4)])],
	])("detects a torn record (%s) by its length and checksum", (_what, damage) => {
		const { log, lines } = recordingLog();
		const a = Outbox.open(dir, cfg(), log);
		a.append("t", { id: "e1" });
		a.close();
		writeAtEnd(damage(encodeEvent(2, "t", '{"id":"e2"}')));
		const b = Outbox.open(dir, cfg(), log);
		expect(ids(b)).toEqual(["e1"]);
		expect(lines.some((l) => l.level === "warn" && l.msg.includes("torn record"))).toBe(true);
		b.close();
	});

	it("never lets a stale record behind a torn one come back", () => {
		const { log } = recordingLog();
		const a = Outbox.open(dir, cfg(), log);
		a.append("t", { id: "e1" });
		a.close();
		// A torn event 2 followed by a complete mark for 2 that reached the disk before it.
		const event = encodeEvent(2, "t", '{"id":"e2"}');
		event[event.length - 1] = 0;
		writeAtEnd(Buffer.concat([event, encodeMark("ack", 2)]));
		const b = Outbox.open(dir, cfg(), log);
		expect(ids(b)).toEqual(["e1"]);
		// The new event 2 takes exactly the torn one's place; the stale mark must not remove it.
		expect(b.append("t", { id: "e2" })).toMatchObject({ ok: true, seq: 2 });
		b.close();
		const c = Outbox.open(dir, cfg(), log);
		expect(ids(c)).toEqual(["e1", "e2"]);
		c.close();
	});

	it("reads an outbox file of the earlier line format and converts it", () => {
		const { log, lines } = recordingLog();
		writeFileSync(
			outboxFile(),
			[
				'{"s":1,"t":"t/rating","p":{"id":"e1","score":5}}',
				'{"s":2,"t":"t/rating","p":{"id":"e2","score":4}}',
				'{"s":3,"t":"t/queue","p":{"id":"e3","event":"issued"}}',
				'{"a":1}',
				'{"s":4,"t":"t/rating","p":{"id":"e4","score":1}}',
				'{"d":3}',
				'{"s":5,"t":"t/rating","p":{"id":"e5"', // torn by a power cut
			].join("\n"),
		);
		const a = Outbox.open(dir, cfg(), log);
		expect(drain(a).map((e) => [e.seq, e.topic, e.payload])).toEqual([
			[2, "t/rating", '{"id":"e2","score":4}'],
			[4, "t/rating", '{"id":"e4","score":1}'],
		]);
		expect(lines.some((l) => l.msg.includes("converting"))).toBe(true);
		expect(a.append("t/rating", { id: "e5b" })).toMatchObject({ ok: true, seq: 5 });
		a.close();

		const buf = readFileSync(outboxFile());
		expect(buf.subarray(0, MAGIC.length).equals(MAGIC)).toBe(true);
		const b = Outbox.open(dir, cfg(), log);
		expect(ids(b)).toEqual(["e2", "e4", "e5b"]);
		b.close();
	});

	it("sets aside a file that is not an outbox and starts empty, with an error in the log", () => {
		const { log, lines } = recordingLog();
		writeFileSync(outboxFile(), Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]));
		const o = Outbox.open(dir, cfg(), log);
		expect(o.depth).toBe(0);
		expect(lines.some((l) => l.level === "error" && l.msg.includes("not an outbox"))).toBe(true);
		expect(readdirSync(dir).some((f) => f.startsWith("outbox.log.unreadable-"))).toBe(true);
		o.append("t", { id: "e1" });
		o.close();
	});

	it("checksums with the standard CRC-32", () => {
		expect(crc32(Buffer.from("123456789"))).toBe(0xcbf43926);
		const a = Buffer.from('{"s":1,"t":"t"');
		const b = Buffer.from(',"p":{"id":"é"}}');
		expect(crc32(b, crc32(a))).toBe(crc32(Buffer.concat([a, b])));
		if (typeof zlib.crc32 === "function") expect(crc32(Buffer.concat([a, b]))).toBe(zlib.crc32(Buffer.concat([a, b])));
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

	it("rewrites the file when it is mostly acknowledged records, keeping the order", () => {
		const { log } = recordingLog();
		const o = Outbox.open(dir, cfg({ maxEvents: 100_000, fsync: false }), log);
		for (let i = 1; i <= 12_000; i++) {
			o.append("t", { id: `e${i}` });
			// Acknowledged out of order, as PUBACKs of several in flight may be; e7 never is.
			if (i > 3 && i - 3 !== 7) o.ack(i - 3);
			if (i % 2 === 0 && i - 2 !== 7) o.ack(i - 2);
		}
		expect(ids(o)).toEqual(["e7", "e11999", "e12000"]);
		// Rewritten on the way: far fewer records in the file than were written to it.
		const inFile = scanRecords(readFileSync(outboxFile())).records;
		expect(inFile.length).toBeLessThan(10_000);
		expect(existsSync(`${outboxFile()}.tmp`)).toBe(false);
		o.append("t", { id: "e12001" });
		o.close();
		const again = Outbox.open(dir, cfg(), log);
		expect(ids(again)).toEqual(["e7", "e11999", "e12000", "e12001"]);
		again.close();
		// A start that finds acknowledged records rewrites the file too: only the waiting events are left.
		expect(scanRecords(readFileSync(outboxFile())).records).toMatchObject([
			{ kind: "event", seq: 7 },
			{ kind: "event", seq: 11999 },
			{ kind: "event", seq: 12000 },
			{ kind: "event", seq: 12001 },
		]);
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
