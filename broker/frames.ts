/**
 * Reads MQTT 3.1.1 packet boundaries from a byte stream before aedes sees the bytes (aedes
 * has no maximum packet size of its own). Pure: no sockets, no timers. Checks:
 * - the fixed header (§2.2): a type a client may send, the flags that type requires, a
 *   remaining length of at most four bytes and at most `maxPacketBytes` — refused as soon as
 *   the length is read, so an unfinished huge packet never grows memory;
 * - CONNECT first and only once (MQTT-3.1.0-1, MQTT-3.1.0-2);
 * - the body of each packet against the rules of its type (packets.ts): protocol name and
 *   level, CONNECT flags that match the payload, packet ids, fixed lengths, QoS and DUP, strings
 *   (mqttText.ts), topic names and filters. The parser aedes uses decodes invalid bytes to U+FFFD
 *   and ignores much of the rest.
 */
import { CLIENT_PACKETS, Fields, Refusal, type RefusalReason } from "./packets.ts";

export type FrameProblem = {
	reason: "too_large" | RefusalReason;
	detail: string;
	/** A CONNACK return code to send before closing (an unsupported protocol level). */
	connack?: number;
};

export type Slice = { bytes: Buffer; packets: number };

export class FrameScanner {
	private buf: Buffer = Buffer.alloc(0);
	private offset = 0;
	private connected = false;

	constructor(private readonly maxPacketBytes: number) {}

	/** Bytes held that do not yet form a complete packet (bounded by the maximum packet size). */
	get buffered(): number {
		return this.buf.length - this.offset;
	}

	feed(chunk: Buffer): void {
		this.buf = this.offset >= this.buf.length ? chunk : Buffer.concat([this.buf.subarray(this.offset), chunk]);
		this.offset = 0;
	}

	/** Up to `maxPackets` complete, checked packets; undefined when none is complete yet. */
	next(maxPackets: number): Slice | FrameProblem | undefined {
		const buf = this.buf;
		const start = this.offset;
		let pos = start;
		let packets = 0;
		while (packets < maxPackets && pos < buf.length) {
			const first = buf[pos] as number;
			const type = first >> 4;
			const flags = first & 15;
			const rule = CLIENT_PACKETS[type];
			if (!rule) return { reason: "malformed", detail: `packet type ${type} is not one a client sends` };
			if (rule.flags !== "publish" && flags !== rule.flags)
				return { reason: "malformed", detail: `${rule.name} with flags ${flags} (MQTT-2.2.2-2)` };
			if (type === 1 ? this.connected : !this.connected)
				return {
					reason: "protocol",
					detail: type === 1 ? "second CONNECT (MQTT-3.1.0-2)" : `${rule.name} before CONNECT (MQTT-3.1.0-1)`,
				};
			let length = 0;
			let i = 1;
			for (;;) {
				if (pos + i >= buf.length) return this.slice(start, pos, packets);
				const b = buf[pos + i] as number;
				length += (b & 127) * 128 ** (i - 1);
				i++;
				if (!(b & 128)) break;
				if (i > 4) return { reason: "malformed", detail: "remaining length longer than 4 bytes" };
			}
			if (length > this.maxPacketBytes)
				return { reason: "too_large", detail: `${rule.name} of ${length} bytes; the limit is ${this.maxPacketBytes}` };
			const end = pos + i + length;
			if (end > buf.length) return this.slice(start, pos, packets);
			try {
				rule.body(new Fields(buf.subarray(pos + i, end)), flags);
			} catch (e) {
				if (!(e instanceof Refusal)) throw e;
				return { reason: e.reason, detail: e.message, ...(e.connack === undefined ? {} : { connack: e.connack }) };
			}
			if (type === 1) this.connected = true;
			pos = end;
			packets++;
		}
		return this.slice(start, pos, packets);
	}

	private slice(start: number, pos: number, packets: number): Slice | undefined {
		if (packets === 0) return undefined;
		this.offset = pos;
		return { bytes: this.buf.subarray(start, pos), packets };
	}
}
