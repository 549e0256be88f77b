/**
 * The durable outbox: every event is appended to a file and synced to disk before the press
 * is acknowledged; it is removed only when the broker's PUBACK arrives (MQTT 3.1.1 §4.3.2),
 * and what is left is replayed in order after a reconnect or a reboot.
 *
 * File format, one JSON object a line (append-only, so a power cut can only tear the last line,
 * which was never acknowledged and is cut off on open):
 *   {"s":17,"t":"vikno/v1/…/rating","p":{…}}   event 17
 *   {"a":17}                                    event 17 acknowledged by the broker
 *   {"d":17}                                    event 17 dropped because the outbox was full
 * Acknowledgement lines are not synced: losing one only republishes an event, which the hub
 * deduplicates by id. The file is rewritten with only the waiting events when it is mostly garbage.
 */
import {
	closeSync,
	existsSync,
	fdatasyncSync,
	fsyncSync,
	ftruncateSync,
	mkdirSync,
	openSync,
	readFileSync,
	renameSync,
	unlinkSync,
	writeFileSync,
	writeSync,
} from "node:fs";
import { join } from "node:path";
import type { OutboxConfig } from "./config.ts";
import type { Log } from "./log.ts";

export interface OutboxEntry {
	seq: number;
	topic: string;
	payload: string;
	/** Bytes this entry takes in the file. */
	size: number;
}

export type AppendResult = { ok: true; seq: number; dropped: number } | { ok: false; reason: "full" };

const FILE = "outbox.log";
const LOCK = "outbox.lock";
/** Rewrite the file when it holds this many dead lines and they outnumber the live ones. */
const COMPACT_AFTER = 20_000;

export class Outbox {
	private fd: number;
	private readonly pending = new Map<number, OutboxEntry>();
	/** Sequence numbers in append order; `head` skips those already gone. */
	private order: number[] = [];
	private head = 0;
	private lastSeq = 0;
	private liveBytes = 0;
	private deadLines = 0;
	private droppedTotal = 0;
	private readonly file: string;
	private readonly lock: string;

	private constructor(
		private readonly dir: string,
		private readonly config: OutboxConfig,
		private readonly log: Log,
	) {
		mkdirSync(dir, { recursive: true });
		this.file = join(dir, FILE);
		this.lock = join(dir, LOCK);
		takeLock(this.lock);
		this.load();
		this.fd = openSync(this.file, "a");
		if (this.deadLines > 0) this.compact();
	}

	static open(dir: string, config: OutboxConfig, log: Log): Outbox {
		return new Outbox(dir, config, log);
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
		const line = record(seq, topic, payload);
		const size = Buffer.byteLength(line);
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
			this.remove(oldest.seq, "d");
			dropped++;
		}
		if (dropped > 0) {
			this.droppedTotal += dropped;
			this.log.warn(
				{ dropped, droppedTotal: this.droppedTotal, depth: this.pending.size, policy: "drop-oldest" },
				"outbox full: oldest waiting events dropped",
			);
		}
		writeSync(this.fd, line);
		if (this.config.fsync) fdatasyncSync(this.fd);
		this.lastSeq = seq;
		this.pending.set(seq, { seq, topic, payload, size });
		this.order.push(seq);
		this.liveBytes += size;
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
		this.remove(seq, "a");
		if (this.deadLines >= COMPACT_AFTER && this.deadLines > this.pending.size * 2) this.compact();
	}

	close(): void {
		if (this.fd < 0) return;
		closeSync(this.fd);
		this.fd = -1;
		try {
			unlinkSync(this.lock);
		} catch {
			// already gone
		}
	}

	private remove(seq: number, mark: "a" | "d"): void {
		const e = this.pending.get(seq);
		if (!e) return;
		this.pending.delete(seq);
		this.liveBytes -= e.size;
		writeSync(this.fd, `{"${mark}":${seq}}\n`);
		this.deadLines += 2;
		while (this.head < this.order.length && !this.pending.has(this.order[this.head] as number)) this.head++;
		if (this.head > 4096 && this.head * 2 > this.order.length) {
			this.order = this.order.slice(this.head);
			this.head = 0;
		}
	}

	private load(): void {
		if (!existsSync(this.file)) return;
		const buf = readFileSync(this.file);
		const end = buf.lastIndexOf(0x0a) + 1;
		if (end < buf.length) {
			// A torn last line from a power cut: it was never synced, so never acknowledged.
			this.log.warn({ bytes: buf.length - end }, "outbox: cutting off an unfinished last line");
			const fd = openSync(this.file, "r+");
			ftruncateSync(fd, end);
			fsyncSync(fd);
			closeSync(fd);
		}
		const text = buf.subarray(0, end).toString("utf8");
		let bad = 0;
		for (const line of text.split("\n")) {
			if (line === "") continue;
			let rec: { s?: number; t?: string; p?: unknown; a?: number; d?: number };
			try {
				rec = JSON.parse(line);
			} catch {
				bad++;
				continue;
			}
			if (typeof rec.s === "number" && typeof rec.t === "string") {
				const payload = JSON.stringify(rec.p);
				const size = Buffer.byteLength(line) + 1;
				this.pending.set(rec.s, { seq: rec.s, topic: rec.t, payload, size });
				this.order.push(rec.s);
				this.liveBytes += size;
				this.lastSeq = Math.max(this.lastSeq, rec.s);
			} else {
				const seq = rec.a ?? rec.d;
				const e = seq === undefined ? undefined : this.pending.get(seq);
				if (e) {
					this.pending.delete(e.seq);
					this.liveBytes -= e.size;
				}
				this.deadLines += 2;
			}
		}
		if (bad > 0) this.log.error({ lines: bad }, "outbox: unreadable lines skipped");
		this.order.sort((a, b) => a - b);
		while (this.head < this.order.length && !this.pending.has(this.order[this.head] as number)) this.head++;
		if (this.pending.size > 0) this.log.info({ depth: this.pending.size }, "outbox: events waiting from before");
	}

	/** Rewrite the file with only the waiting events: temp file, fsync, rename, fsync the folder. */
	private compact(): void {
		const tmp = `${this.file}.tmp`;
		const lines: string[] = [];
		for (let i = this.head; i < this.order.length; i++) {
			const e = this.pending.get(this.order[i] as number);
			if (e) lines.push(record(e.seq, e.topic, e.payload));
		}
		const fd = openSync(tmp, "w");
		writeSync(fd, lines.join(""));
		fsyncSync(fd);
		closeSync(fd);
		closeSync(this.fd);
		renameSync(tmp, this.file);
		syncDir(this.dir);
		this.fd = openSync(this.file, "a");
		this.order = this.order.slice(this.head).filter((s) => this.pending.has(s));
		this.head = 0;
		this.deadLines = 0;
	}
}

function record(seq: number, topic: string, payload: string): string {
	return `{"s":${seq},"t":${JSON.stringify(topic)},"p":${payload}}\n`;
}

function syncDir(dir: string): void {
	const fd = openSync(dir, "r");
	try {
		fsyncSync(fd);
	} finally {
		closeSync(fd);
	}
}

/** One process per outbox: a second writer would interleave lines. A lock of a dead process is taken over. */
function takeLock(path: string): void {
	try {
		writeFileSync(path, String(process.pid), { flag: "wx" });
		return;
	} catch (e) {
		if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
	}
	const pid = Number(readFileSync(path, "utf8"));
	if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
		throw new Error(`outbox ${path} is in use by process ${pid}; one edge node per data directory`);
	}
	writeFileSync(path, String(process.pid));
}

function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (e) {
		return (e as NodeJS.ErrnoException).code === "EPERM";
	}
}
