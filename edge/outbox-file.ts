/**
 * The outbox file's format, apart from the outbox's bookkeeping (`outbox.ts`).
 *
 * Version 2, preallocated. The file is extended in chunks of real zero blocks (not a sparse
 * `ftruncate`, not `fallocate`, whose unwritten extents need a metadata change on first write),
 * so an append overwrites space that is already inside the file's size and its `fdatasync` has
 * only data blocks to write: no size to commit, no journal commit on ext4.
 *
 *   header  16 bytes  "vikno-outbox v2\n"
 *   record  u32 LE    length of the body (never 0)
 *           u32 LE    CRC-32 of the four length bytes and the body
 *           body      UTF-8 JSON, one of
 *                       {"s":17,"t":"vikno/v1/…/rating","p":{…}}   event 17
 *                       {"a":17}                                    event 17 acknowledged by the broker
 *                       {"d":17}                                    event 17 dropped because the outbox was full
 *   …zeros to the end of the file.
 *
 * The data ends at the first record whose length is zero, runs past the file or fails its
 * checksum. Anything but zeros after that point is a record torn by a power cut: it was never
 * synced, so never acknowledged to the visitor.
 *
 * Version 1 (before 2026-11-23) had the same bodies one a line with no header and no checksum;
 * `scanLines` reads it so that an existing outbox is converted on the first start.
 */
import { crc32 } from "./crc32.ts";

export const MAGIC = Buffer.from("vikno-outbox v2\n", "latin1");
/** Length and checksum before each body. */
export const RECORD_HEAD = 8;

export type OutboxRecord =
	| { kind: "event"; seq: number; topic: string; payload: string; size: number }
	| { kind: "ack" | "drop"; seq: number };

export interface Scan {
	records: OutboxRecord[];
	/** Offset just after the last good record: where the next one is written. */
	end: number;
	/** Non-zero bytes after `end` (a torn record), counted up to the last of them. */
	tornBytes: number;
	/** Records that passed their checksum but are not outbox records (never a power cut). */
	bad: number;
}

export type Format = "v2" | "v1" | "unknown";

export function formatOf(buf: Buffer): Format {
	if (buf.length >= MAGIC.length && buf.subarray(0, MAGIC.length).equals(MAGIC)) return "v2";
	// Version 1 starts with a JSON object; an empty file is an empty outbox of either version.
	if (buf.length === 0 || buf[0] === 0x7b) return "v1";
	return "unknown";
}

export function encodeEvent(seq: number, topic: string, payload: string): Buffer {
	return frame(`{"s":${seq},"t":${JSON.stringify(topic)},"p":${payload}}`);
}

export function encodeMark(kind: "ack" | "drop", seq: number): Buffer {
	return frame(`{"${kind === "ack" ? "a" : "d"}":${seq}}`);
}

function frame(body: string): Buffer {
	const n = Buffer.byteLength(body);
	const buf = Buffer.allocUnsafe(RECORD_HEAD + n);
	buf.writeUInt32LE(n, 0);
	buf.write(body, RECORD_HEAD, "utf8");
	buf.writeUInt32LE(crc32(buf.subarray(RECORD_HEAD), crc32(buf.subarray(0, 4))), 4);
	return buf;
}

/** Read a version 2 file: the good records in file order, and where they end. */
export function scanRecords(buf: Buffer): Scan {
	const records: OutboxRecord[] = [];
	let bad = 0;
	let pos = MAGIC.length;
	while (pos + RECORD_HEAD <= buf.length) {
		const n = buf.readUInt32LE(pos);
		if (n === 0 || pos + RECORD_HEAD + n > buf.length) break;
		const body = buf.subarray(pos + RECORD_HEAD, pos + RECORD_HEAD + n);
		if (crc32(body, crc32(buf.subarray(pos, pos + 4))) !== buf.readUInt32LE(pos + 4)) break;
		const rec = parseBody(body.toString("utf8"), RECORD_HEAD + n);
		if (rec) records.push(rec);
		else bad++;
		pos += RECORD_HEAD + n;
	}
	let last = buf.length;
	while (last > pos && buf[last - 1] === 0) last--;
	return { records, end: pos, tornBytes: last - pos, bad };
}

/** Read a version 1 file (JSON lines); a last line without its newline is torn. */
export function scanLines(buf: Buffer): Scan {
	const end = buf.lastIndexOf(0x0a) + 1;
	const records: OutboxRecord[] = [];
	let bad = 0;
	for (const line of buf.subarray(0, end).toString("utf8").split("\n")) {
		if (line === "") continue;
		// Sizes are those of the record once converted, so the bounds count the same as after.
		const rec = parseBody(line, RECORD_HEAD + Buffer.byteLength(line));
		if (rec) records.push(rec);
		else bad++;
	}
	return { records, end, tornBytes: buf.length - end, bad };
}

function parseBody(text: string, size: number): OutboxRecord | undefined {
	let rec: { s?: unknown; t?: unknown; p?: unknown; a?: unknown; d?: unknown };
	try {
		rec = JSON.parse(text);
	} catch {
		return undefined;
	}
	if (typeof rec !== "object" || rec === null) return undefined;
	if (typeof rec.s === "number" && typeof rec.t === "string" && rec.p !== undefined) {
		return { kind: "event", seq: rec.s, topic: rec.t, payload: JSON.stringify(rec.p), size };
	}
	if (typeof rec.a === "number") return { kind: "ack", seq: rec.a };
	if (typeof rec.d === "number") return { kind: "drop", seq: rec.d };
	return undefined;
}
