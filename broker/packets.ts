/**
 * What each MQTT 3.1.1 packet a client may send must look like (§2 and §3 of the
 * specification), one small check per packet type in one table, as aedes keeps one handler per
 * type. Pure: a check reads the packet's body and throws a Refusal naming what is wrong and the
 * reason it is counted under (docs/broker.md). The frame guard (frames.ts) runs them on every
 * packet before aedes parses it: the parser aedes uses is lenient (it accepts a PINGREQ with a
 * body, a QoS 0 PUBLISH with DUP, CONNECT flags that contradict the payload, …).
 *
 * MQTT-4.8.0-1: a server that meets a protocol violation MUST close the network connection.
 */
import { mqttStringProblem, topicFilterProblem, topicNameProblem } from "./mqttText.ts";

export type RefusalReason = "malformed" | "bad_utf8" | "protocol" | "unsupported_protocol";

export class Refusal extends Error {
	constructor(
		readonly reason: RefusalReason,
		message: string,
		/** A CONNACK return code to send before closing (MQTT-3.1.2-2); none: just close. */
		readonly connack?: number,
	) {
		super(message);
	}
}

const malformed = (detail: string): never => {
	throw new Refusal("malformed", detail);
};

/** Reads the fields of one packet body in order; a read past its end is `malformed`. */
export class Fields {
	private pos = 0;
	constructor(private readonly body: Uint8Array) {}

	get left(): number {
		return this.body.length - this.pos;
	}
	u8(what: string): number {
		if (this.left < 1) malformed(`${what} missing: the packet ends before it`);
		return this.body[this.pos++] as number;
	}
	u16(what: string): number {
		if (this.left < 2) malformed(`${what} missing: the packet ends before it`);
		const n = ((this.body[this.pos] as number) << 8) | (this.body[this.pos + 1] as number);
		this.pos += 2;
		return n;
	}
	/** Binary data with a two-byte length (MQTT-1.5.3's prefix): a password, a Will message. */
	binary(what: string): Uint8Array {
		const n = this.u16(what);
		if (this.left < n) malformed(`${what} runs past the end of the packet`);
		const out = this.body.subarray(this.pos, this.pos + n);
		this.pos += n;
		return out;
	}
	/** A UTF-8 string (MQTT-1.5.3); one that is not a well-formed MQTT string is `bad_utf8`. */
	string(what: string): string {
		const bytes = this.binary(what);
		const problem = mqttStringProblem(bytes);
		if (problem) throw new Refusal("bad_utf8", `${what} ${problem}`);
		return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("utf8");
	}
	/** The body must end here: fields and flags account for every byte of it. */
	end(what: string, hint = ""): void {
		if (this.left > 0) malformed(`${this.left} bytes after the ${what}${hint}`);
	}
}

/** MQTT-2.3.1-1: SUBSCRIBE, UNSUBSCRIBE and PUBLISH (QoS > 0) carry a non-zero packet id; so do their acknowledgements. */
function packetId(f: Fields, name: string): number {
	const id = f.u16(`${name} packet id`);
	if (id === 0) malformed(`${name} with packet id 0 (MQTT-2.3.1-1)`);
	return id;
}

function topicName(topic: string, what: string): void {
	const problem = topicNameProblem(topic);
	if (problem) throw new Refusal("protocol", `${what}: ${problem}`);
}

function topicFilter(filter: string): void {
	const problem = topicFilterProblem(filter);
	if (problem) throw new Refusal("protocol", problem);
}

/** Protocol names and the one level each is spoken at here: MQTT 3.1.1 and MQTT 3.1 (§3.1.2.1, §3.1.2.2). */
const PROTOCOLS = new Map([
	["MQTT", 4],
	["MQIsdp", 3],
]);

function connect(f: Fields): void {
	const name = Buffer.from(f.binary("protocol name")).toString("latin1");
	const level = f.u8("protocol level");
	const expected = PROTOCOLS.get(name);
	// MQTT-3.1.2-1: a wrong name MAY be closed without a CONNACK (mosquitto 2 does the same).
	if (expected === undefined)
		throw new Refusal("unsupported_protocol", `protocol name ${JSON.stringify(name)} is not "MQTT" (MQTT-3.1.2-1)`);
	// MQTT-3.1.2-2: an unsupported level MUST get CONNACK 1, then the connection is closed. This
	// includes MQTT 5 (level 5) and a mosquitto bridge's private level 0x84, which then retries as
	// a plain MQTT 3.1.1 client.
	if (level !== expected)
		throw new Refusal(
			"unsupported_protocol",
			`"${name}" at protocol level ${level}; only ${expected} (MQTT-3.1.2-2)`,
			1,
		);

	const flags = f.u8("connect flags");
	if (flags & 0x01) malformed("CONNECT reserved flag set (MQTT-3.1.2-3)");
	const will = (flags & 0x04) !== 0;
	const willQos = (flags >> 3) & 3;
	const willRetain = (flags & 0x20) !== 0;
	const password = (flags & 0x40) !== 0;
	const username = (flags & 0x80) !== 0;
	if (!will && (willQos !== 0 || willRetain))
		malformed("Will QoS or Will retain set without the Will flag (MQTT-3.1.2-11, MQTT-3.1.2-13, MQTT-3.1.2-15)");
	if (willQos === 3) malformed("Will QoS 3 (MQTT-3.1.2-14)");
	if (password && !username) malformed("password flag without the user name flag (MQTT-3.1.2-22)");
	f.u16("keep-alive");

	// The payload: exactly the fields the flags announce, in this order (§3.1.3).
	f.string("client id");
	if (will) {
		topicName(f.string("Will topic"), "Will topic");
		f.binary("Will message");
	}
	if (username) f.string("user name");
	if (password) f.binary("password");
	f.end("CONNECT payload", " (a user name or password without its flag: MQTT-3.1.2-18, MQTT-3.1.2-20)");
}

function publish(f: Fields, flags: number): void {
	const qos = (flags >> 1) & 3;
	if (qos === 3) malformed("PUBLISH with QoS 3 (MQTT-3.3.1-4)");
	if (qos === 0 && flags & 0x08) malformed("DUP set on a QoS 0 PUBLISH (MQTT-3.3.1-2)");
	topicName(f.string("topic"), "PUBLISH");
	if (qos > 0) packetId(f, "PUBLISH");
	// The rest is the application message, any bytes.
}

/** PUBACK, PUBREC, PUBREL, PUBCOMP: a packet id and nothing else (§3.4 to §3.7: remaining length 2). */
const acknowledgement =
	(name: string) =>
	(f: Fields): void => {
		packetId(f, name);
		f.end(`${name} packet id (its remaining length is 2)`);
	};

/** PINGREQ, DISCONNECT: no variable header, no payload (§3.12, §3.14: remaining length 0). */
const bodiless =
	(name: string) =>
	(f: Fields): void => {
		f.end(`${name} header (its remaining length is 0)`);
	};

function subscribe(f: Fields): void {
	packetId(f, "SUBSCRIBE");
	if (f.left === 0) malformed("SUBSCRIBE without a filter (MQTT-3.8.3-3)");
	while (f.left > 0) {
		topicFilter(f.string("topic filter"));
		const requested = f.u8("requested QoS");
		// MQTT-3-8.3-4: reserved bits set or QoS 3 make the SUBSCRIBE malformed.
		if (requested & 0xfc)
			malformed(`reserved bits set in the requested QoS byte 0x${requested.toString(16)} (MQTT-3-8.3-4)`);
		if (requested === 3) malformed("requested QoS 3 (MQTT-3-8.3-4)");
	}
}

function unsubscribe(f: Fields): void {
	packetId(f, "UNSUBSCRIBE");
	if (f.left === 0) malformed("UNSUBSCRIBE without a filter (MQTT-3.10.3-2)");
	while (f.left > 0) topicFilter(f.string("topic filter"));
}

export interface PacketRule {
	name: string;
	/** The low nibble of the first byte (MQTT-2.2.2-2); PUBLISH: DUP, QoS and RETAIN, checked by its body rule. */
	flags: number | "publish";
	body: (f: Fields, flags: number) => void;
}

/** The packets a client may send, by type (§2.2.1); any other type closes the connection. */
export const CLIENT_PACKETS: Readonly<Record<number, PacketRule>> = {
	1: { name: "CONNECT", flags: 0, body: connect },
	3: { name: "PUBLISH", flags: "publish", body: publish },
	4: { name: "PUBACK", flags: 0, body: acknowledgement("PUBACK") },
	5: { name: "PUBREC", flags: 0, body: acknowledgement("PUBREC") },
	6: { name: "PUBREL", flags: 2, body: acknowledgement("PUBREL") },
	7: { name: "PUBCOMP", flags: 0, body: acknowledgement("PUBCOMP") },
	8: { name: "SUBSCRIBE", flags: 2, body: subscribe },
	10: { name: "UNSUBSCRIBE", flags: 2, body: unsubscribe },
	12: { name: "PINGREQ", flags: 0, body: bodiless("PINGREQ") },
	14: { name: "DISCONNECT", flags: 0, body: bodiless("DISCONNECT") },
};
