/**
 * Reads MQTT 3.1.1 packet boundaries from a byte stream before aedes sees the bytes (aedes
 * has no maximum packet size of its own). Pure: no sockets, no timers. Checks:
 * - the fixed header (§2.2): a type a client may send, the flags that type requires, a
 *   remaining length of at most four bytes and at most `maxPacketBytes` — refused as soon as
 *   the length is read, so an unfinished huge packet never grows memory;
 * - CONNECT first and only once (MQTT-3.1.0-1, MQTT-3.1.0-2);
 * - UTF-8 strings of CONNECT (client id, will topic, user name), PUBLISH (topic), SUBSCRIBE and
 *   UNSUBSCRIBE (filters): well-formed UTF-8 without U+0000 (MQTT-1.5.3-1, MQTT-1.5.3-2).
 *   The parser aedes uses decodes invalid bytes to U+FFFD instead of refusing them.
 */

export type FrameProblem = { reason: "too_large" | "malformed" | "bad_utf8" | "protocol"; detail: string };

/** Required low-nibble flags per packet type a client may send (PUBLISH: any but QoS 3). */
const CLIENT_TYPES: Record<number, { name: string; flags: number | "publish" }> = {
	1: { name: "CONNECT", flags: 0 },
	3: { name: "PUBLISH", flags: "publish" },
	4: { name: "PUBACK", flags: 0 },
	5: { name: "PUBREC", flags: 0 },
	6: { name: "PUBREL", flags: 2 },
	7: { name: "PUBCOMP", flags: 0 },
	8: { name: "SUBSCRIBE", flags: 2 },
	10: { name: "UNSUBSCRIBE", flags: 2 },
	12: { name: "PINGREQ", flags: 0 },
	14: { name: "DISCONNECT", flags: 0 },
};

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** An MQTT UTF-8 string's bytes: well-formed and free of U+0000. */
export function isMqttString(bytes: Uint8Array): boolean {
	for (let i = 0; i < bytes.length; i++) {
		const b = bytes[i] as number;
		if (b === 0) return false;
		if (b >= 0x80) {
			try {
				utf8.decode(bytes.subarray(i));
				return true;
			} catch {
				return false;
			}
		}
	}
	return true;
}

/** Reads length-prefixed fields of one packet body; any read past the end is `malformed`. */
class Fields {
	constructor(
		private readonly body: Uint8Array,
		public pos = 0,
	) {}
	get left(): number {
		return this.body.length - this.pos;
	}
	u8(): number {
		if (this.left < 1) throw new Malformed("packet ends inside a field");
		return this.body[this.pos++] as number;
	}
	u16(): number {
		return (this.u8() << 8) | this.u8();
	}
	bytes(): Uint8Array {
		const n = this.u16();
		if (this.left < n) throw new Malformed("length prefix runs past the end of the packet");
		const out = this.body.subarray(this.pos, this.pos + n);
		this.pos += n;
		return out;
	}
	string(what: string): void {
		if (!isMqttString(this.bytes())) throw new BadUtf8(`${what} is not valid UTF-8 or contains U+0000`);
	}
}

class Malformed extends Error {}
class BadUtf8 extends Error {}

function checkBody(type: number, flags: number, body: Uint8Array): void {
	const f = new Fields(body);
	switch (type) {
		case 1: {
			f.bytes(); // protocol name; aedes answers a wrong one or level with CONNACK 1
			const level = f.u8();
			const connectFlags = f.u8();
			if (connectFlags & 1) throw new Malformed("CONNECT reserved flag set (MQTT-3.1.2-3)");
			f.u16(); // keep-alive
			if (level !== 3 && level !== 4) return; // MQTT 5 layout differs; refused by aedes with CONNACK 1
			f.string("client id");
			if (connectFlags & 0x04) {
				f.string("will topic");
				f.bytes();
			}
			if (connectFlags & 0x80) f.string("user name");
			return;
		}
		case 3:
			if (((flags >> 1) & 3) === 3) throw new Malformed("PUBLISH with QoS 3 (MQTT-3.3.1-4)");
			f.string("topic");
			return;
		case 8:
			f.u16();
			if (f.left === 0) throw new Malformed("SUBSCRIBE without a filter (MQTT-3.8.3-3)");
			while (f.left > 0) {
				f.string("topic filter");
				f.u8();
			}
			return;
		case 10:
			f.u16();
			if (f.left === 0) throw new Malformed("UNSUBSCRIBE without a filter (MQTT-3.10.3-2)");
			while (f.left > 0) f.string("topic filter");
			return;
	}
}

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
			const spec = CLIENT_TYPES[type];
			if (!spec) return { reason: "malformed", detail: `packet type ${type} is not one a client sends` };
			if (spec.flags !== "publish" && flags !== spec.flags)
				return { reason: "malformed", detail: `${spec.name} with flags ${flags} (MQTT-2.2.2-2)` };
			if (type === 1 ? this.connected : !this.connected)
				return {
					reason: "protocol",
					detail: type === 1 ? "second CONNECT (MQTT-3.1.0-2)" : `${spec.name} before CONNECT (MQTT-3.1.0-1)`,
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
				return { reason: "too_large", detail: `${spec.name} of ${length} bytes; the limit is ${this.maxPacketBytes}` };
			const end = pos + i + length;
			if (end > buf.length) return this.slice(start, pos, packets);
			try {
				checkBody(type, flags, buf.subarray(pos + i, end));
			} catch (e) {
				if (e instanceof Malformed) return { reason: "malformed", detail: e.message };
				if (e instanceof BadUtf8) return { reason: "bad_utf8", detail: e.message };
				throw e;
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
