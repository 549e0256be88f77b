/**
 * The durable outbox: every event is written to a file and synced to disk before the press
 * is acknowledged; it is removed only when the broker's PUBACK arrives (MQTT 3.1.1 §4.3.2),
 * and what is left is replayed in order after a reconnect or a reboot.
 *
 * The file (`outbox-file.ts` has its format) is a log of checksummed records — events, and
 * marks for events acknowledged or dropped — written into space preallocated with zeros, so the
 * `fdatasync` before the light comes on writes data blocks only: the file's size does not change
 * on an append. Marks are not synced: losing one only republishes an event, which the hub
 * deduplicates by id. The file is rewritten with only the waiting events when it is mostly
 * marks and acknowledged events, and on a start that finds any.
 */
import {
	closeSync,
	existsSync,
	fdatasyncSync,
	fsyncSync,
	mkdirSync,
	openSync,
	readFileSync,
	renameSync,
	unlinkSync,
	writeSync,
} from "node:fs";
import { join } from "node:path";
import type { Log } from "../core/log.ts";
import type { OutboxConfig } from "./config.ts";
import { encodeEvent, encodeMark, formatOf, MAGIC, type Scan, scanLines, scanRecords } from "./outbox-file.ts";
import { takeLock } from "./outbox-lock.ts";

export interface OutboxEntry {
	seq: number;
	topic: string;
	payload: string;
	/** Bytes this entry takes in the file. */
	size: number;
}

export type AppendResult = { ok: true; seq: number; dropped: number } | { ok: false; reason: "full" };

export interface OutboxHooks {
	/**
	 * Makes a written record durable (`fdatasync` of the outbox file). Tests wrap it to see that
	 * an event is synced before the node says "thank you"; nothing else should replace it.
	 */
	syncData?: (fd: number) => void;
}

const FILE = "outbox.log";
const LOCK = "outbox.lock";
/** Rewrite the file when it holds this many dead records and they outnumber the live ones. */
const COMPACT_AFTER = 20_000;
/** The file grows by this much zero-filled space at a time (one size change per ~5 000 events). */
const CHUNK = 1024 * 1024;
/** Less free space than this after an append: grow right after it, off the press's path. */
const GROW_AHEAD = 256 * 1024;

export class Outbox {
	private fd = -1;
	private readonly pending = new Map<number, OutboxEntry>();
	/** Sequence numbers in append order; `head` skips those already gone. */
	private order: number[] = [];
	private head = 0;
	private lastSeq = 0;
	private liveBytes = 0;
	private deadRecords = 0;
	private droppedTotal = 0;
	/** Where the next record goes, and the file's (zero-filled, synced) size. */
	private end = 0;
	private allocated = 0;
	private growSoon: ReturnType<typeof setImmediate> | undefined;
	private readonly file: string;
	private readonly lock: string;
	private readonly syncData: (fd: number) => void;

	private constructor(
		private readonly dir: string,
		private readonly config: OutboxConfig,
		private readonly log: Log,
		hooks: OutboxHooks,
	) {
		this.syncData = hooks.syncData ?? fdatasyncSync;
		mkdirSync(dir, { recursive: true });
		this.file = join(dir, FILE);
		this.lock = join(dir, LOCK);
		takeLock(this.lock);
		this.load();
	}

	static open(dir: string, config: OutboxConfig, log: Log, hooks: OutboxHooks = {}): Outbox {
		return new Outbox(dir, config, log, hooks);
	}

	get depth(): number {
		return this.pending.size;
	}

	get bytes(): number {
		return this.liveBytes;
	}

	get dropped(): number {
		return this.droppedTotal;
	}

	/** Append an event; when this returns ok, the event is on disk (if fsync is on). */
	append(topic: string, data: object): AppendResult {
		const seq = this.lastSeq + 1;
		const payload = JSON.stringify(data);
		const rec = encodeEvent(seq, topic, payload);
		const size = rec.length;
		let dropped = 0;
		while (
			this.pending.size > 0 &&
			(this.pending.size >= this.config.maxEvents || this.liveBytes + size > this.config.maxBytes)
		) {
			if (this.config.whenFull === "refuse-new") {
				this.log.error(
					{ depth: this.pending.size, bytes: this.liveBytes, policy: "refuse-new" },
					"outbox full: new event refused (the hub has not acknowledged for a long time)",
				);
				return { ok: false, reason: "full" };
			}
			const oldest = this.oldest();
			if (!oldest) break;
			this.remove(oldest.seq, "drop");
			dropped++;
		}
		if (dropped > 0) {
			this.droppedTotal += dropped;
			this.log.warn(
				{ dropped, droppedTotal: this.droppedTotal, depth: this.pending.size, policy: "drop-oldest" },
				"outbox full: oldest waiting events dropped",
			);
		}
		this.write(rec);
		// Inside the preallocated size: this writes the record's block and nothing else.
		if (this.config.fsync) this.syncData(this.fd);
		this.lastSeq = seq;
		this.pending.set(seq, { seq, topic, payload, size });
		this.order.push(seq);
		this.liveBytes += size;
		this.growAhead();
		return { ok: true, seq, dropped };
	}

	/** The first waiting entry with a sequence number above `seq` (0 = from the start). */
	nextAfter(seq: number): OutboxEntry | undefined {
		let lo = this.head;
		let hi = this.order.length;
		while (lo < hi) {
			const mid = (lo + hi) >>> 1;
			if ((this.order[mid] as number) <= seq) lo = mid + 1;
			else hi = mid;
		}
		for (let i = lo; i < this.order.length; i++) {
			const e = this.pending.get(this.order[i] as number);
			if (e) return e;
		}
		return undefined;
	}

	oldest(): OutboxEntry | undefined {
		return this.nextAfter(0);
	}

	/** The broker acknowledged `seq`: forget it. Unknown or repeated sequence numbers are ignored. */
	ack(seq: number): void {
		if (!this.pending.has(seq)) return;
		this.remove(seq, "ack");
		if (this.deadRecords >= COMPACT_AFTER && this.deadRecords > this.pending.size * 2) this.compact();
	}

	close(): void {
		if (this.fd < 0) return;
		if (this.growSoon) clearImmediate(this.growSoon);
		this.growSoon = undefined;
		closeSync(this.fd);
		this.fd = -1;
		try {
			unlinkSync(this.lock);
		} catch {
			// already gone
		}
	}

	private remove(seq: number, kind: "ack" | "drop"): void {
		const e = this.pending.get(seq);
		if (!e) return;
		this.pending.delete(seq);
		this.liveBytes -= e.size;
		this.write(encodeMark(kind, seq));
		this.deadRecords += 2;
		while (this.head < this.order.length && !this.pending.has(this.order[this.head] as number)) this.head++;
		if (this.head > 4096 && this.head * 2 > this.order.length) {
			this.order = this.order.slice(this.head);
			this.head = 0;
		}
	}

	/** Write a record at the end of the data, growing the file first if it does not fit. */
	private write(rec: Buffer): void {
		if (this.end + rec.length > this.allocated) this.grow(rec.length);
		writeSync(this.fd, rec, 0, rec.length, this.end);
		this.end += rec.length;
	}

	/** Extend the file with zeros and commit its new size, so later appends need no size change. */
	private grow(need: number): void {
		const size = Math.ceil((this.end + need + GROW_AHEAD) / CHUNK) * CHUNK;
		writeSync(this.fd, Buffer.alloc(size - this.allocated), 0, size - this.allocated, this.allocated);
		if (this.config.fsync) fsyncSync(this.fd);
		this.allocated = size;
	}

	private growAhead(): void {
		if (this.growSoon || this.allocated - this.end >= GROW_AHEAD) return;
		this.growSoon = setImmediate(() => {
			this.growSoon = undefined;
			if (this.fd >= 0 && this.allocated - this.end < GROW_AHEAD) this.grow(0);
		});
		this.growSoon.unref();
	}

	private load(): void {
		const buf = existsSync(this.file) ? readFileSync(this.file) : undefined;
		const format = buf ? formatOf(buf) : "none";
		if (!buf || format === "unknown") {
			if (buf) {
				const aside = `${this.file}.unreadable-${Date.now()}`;
				renameSync(this.file, aside);
				this.log.error({ file: aside }, "outbox: not an outbox file; set aside, starting with an empty outbox");
			}
			this.compact();
			return;
		}
		const scan = format === "v2" ? scanRecords(buf) : scanLines(buf);
		this.apply(scan);
		if (scan.tornBytes > 0) {
			// Never synced, so never acknowledged to anyone.
			this.log.warn({ bytes: scan.tornBytes }, "outbox: dropping a torn record at the end (power cut mid-write)");
		}
		if (scan.bad > 0) this.log.error({ records: scan.bad }, "outbox: unreadable records skipped");
		if (this.pending.size > 0) this.log.info({ depth: this.pending.size }, "outbox: events waiting from before");
		if (format === "v1")
			this.log.info({ depth: this.pending.size }, "outbox: converting the file from the line format");
		// A fresh file also leaves any torn record behind.
		if (format === "v1" || this.deadRecords > 0) {
			this.compact();
			return;
		}
		this.fd = openSync(this.file, "r+");
		this.end = scan.end;
		this.allocated = buf.length;
		if (scan.tornBytes > 0) {
			// Zeroed, so that no later, shorter record can be followed by a stale piece of it.
			writeSync(this.fd, Buffer.alloc(scan.tornBytes), 0, scan.tornBytes, scan.end);
			this.syncData(this.fd);
		}
		this.growAhead();
	}

	private apply(scan: Scan): void {
		for (const r of scan.records) {
			if (r.kind === "event") {
				this.pending.set(r.seq, { seq: r.seq, topic: r.topic, payload: r.payload, size: r.size });
				this.order.push(r.seq);
				this.liveBytes += r.size;
				this.lastSeq = Math.max(this.lastSeq, r.seq);
			} else {
				const e = this.pending.get(r.seq);
				if (e) {
					this.pending.delete(e.seq);
					this.liveBytes -= e.size;
				}
				this.deadRecords += 2;
			}
		}
		this.order.sort((a, b) => a - b);
		while (this.head < this.order.length && !this.pending.has(this.order[this.head] as number)) this.head++;
	}

	/**
	 * Write the waiting events into a fresh preallocated file: temp file, fsync, rename, fsync
	 * the folder. A crash leaves either the old file or the new one.
	 */
	private compact(): void {
		const parts: Buffer[] = [MAGIC];
		let used = MAGIC.length;
		for (let i = this.head; i < this.order.length; i++) {
			const e = this.pending.get(this.order[i] as number);
			if (!e) continue;
			const rec = encodeEvent(e.seq, e.topic, e.payload);
			parts.push(rec);
			used += rec.length;
		}
		const size = Math.ceil((used + GROW_AHEAD) / CHUNK) * CHUNK;
		parts.push(Buffer.alloc(size - used));
		const tmp = `${this.file}.tmp`;
		const fd = openSync(tmp, "w");
		try {
			writeSync(fd, Buffer.concat(parts, size));
			fsyncSync(fd);
		} finally {
			closeSync(fd);
		}
		if (this.fd >= 0) closeSync(this.fd);
		renameSync(tmp, this.file);
		syncDir(this.dir);
		this.fd = openSync(this.file, "r+");
		this.end = used;
		this.allocated = size;
		this.order = this.order.slice(this.head).filter((s) => this.pending.has(s));
		this.head = 0;
		this.deadRecords = 0;
	}
}

function syncDir(dir: string): void {
	const fd = openSync(dir, "r");
	try {
		fsyncSync(fd);
	} finally {
		closeSync(fd);
	}
}
