/**
 * The frame guard's scanner against the normative statements of MQTT 3.1.1 (cited as
 * MQTT-x.y.z-n): each refusal below is a MUST (or a MAY that mosquitto 2 takes, noted), and
 * each is paired with the nearest packet that is fine, so a check that refused too much fails too.
 */
import { describe, expect, it } from "vitest";
import { FrameScanner } from "../../broker/frames.ts";
import { mqttStringProblem, topicFilterProblem, topicNameProblem } from "../../broker/mqttText.ts";
import {
	ackFrame,
	connectFrame,
	frame,
	publishFrame,
	str,
	subscribeFrame,
	unsubscribeFrame,
	varint,
} from "../fixtures/mqttBytes.ts";

const packet = frame;
const connect = (clientId: string | Buffer, opts: { username?: string | Buffer; flags?: number } = {}) =>
	connectFrame({ clientId, ...opts });
const publish = (topic: string | Buffer, payload = "{}") => publishFrame({ topic, payload });

function scan(bytes: Buffer, max = 1024, window = 100) {
	const s = new FrameScanner(max);
	s.feed(bytes);
	return s.next(window);
}

/** Scan a packet sent after a good CONNECT: the slice of both, or the problem. */
const afterConnect = (bytes: Buffer) => scan(Buffer.concat([connect("a"), bytes]));
const accepted = (bytes: Buffer, packets: number) => ({ bytes, packets });

describe("FrameScanner", () => {
	it("passes a CONNECT and publishes through, whole, as one slice", () => {
		const bytes = Buffer.concat([connect("a"), publish("t/1"), publish("t/2")]);
		expect(scan(bytes)).toEqual({ bytes, packets: 3 });
	});

	it("keeps a partial packet until the rest arrives, byte by byte", () => {
		const bytes = Buffer.concat([connect("a"), publish("vikno/v1/x", "x".repeat(300))]);
		const s = new FrameScanner(1024);
		let got = 0;
		for (const b of bytes) {
			s.feed(Buffer.from([b]));
			const r = s.next(100);
			if (r && "packets" in r) got += r.packets;
			expect(r && "reason" in r).toBeFalsy();
		}
		expect(got).toBe(2);
		expect(s.buffered).toBe(0);
	});

	it("hands out at most `window` packets at a time", () => {
		const s = new FrameScanner(1024);
		s.feed(Buffer.concat([connect("a"), ...Array.from({ length: 9 }, () => publish("t"))]));
		const sizes: number[] = [];
		for (let r = s.next(4); r && "packets" in r; r = s.next(4)) sizes.push(r.packets);
		expect(sizes).toEqual([4, 4, 2]);
	});

	it("refuses an oversize packet from its header alone, before the body arrives", () => {
		const header = Buffer.concat([Buffer.from([0x10]), varint(200 * 1024 * 1024)]);
		expect(scan(header)).toMatchObject({ reason: "too_large" });
	});

	it.each([
		["a reserved packet type", Buffer.from([0x00, 0x00])],
		["a server-only packet (CONNACK)", Buffer.from([0x20, 0x02, 0, 0])],
		["a remaining length of five bytes", Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x01])],
		["SUBSCRIBE with wrong flags (MQTT-3.8.1-1)", Buffer.concat([connect("a"), Buffer.from([0x80, 0x00])])],
		["PUBLISH with QoS 3", Buffer.concat([connect("a"), packet(0x36, Buffer.concat([str("t"), Buffer.from([0, 1])]))])],
		["a CONNECT whose fields overrun it", packet(0x10, Buffer.concat([str("MQTT"), Buffer.from([4, 2, 0])]))],
		["the CONNECT reserved flag (MQTT-3.1.2-3)", connect("a", { flags: 3 })],
	])("refuses %s as malformed", (_name, bytes) => {
		expect(scan(bytes)).toMatchObject({ reason: "malformed" });
	});

	it.each([
		["a packet before CONNECT (MQTT-3.1.0-1)", publish("t")],
		["a second CONNECT (MQTT-3.1.0-2)", Buffer.concat([connect("a"), connect("b")])],
	])("refuses %s as a protocol error", (_name, bytes) => {
		expect(scan(bytes)).toMatchObject({ reason: "protocol" });
	});

	it.each([
		["invalid UTF-8 in a client id", connect(Buffer.from([0x61, 0xc3, 0x28]))],
		["U+0000 in a client id", connect(Buffer.from("a\0b"))],
		["invalid UTF-8 in a user name", connect("a", { username: Buffer.from([0xff]) })],
		["an encoded surrogate in a topic", Buffer.concat([connect("a"), publish(Buffer.from([0x74, 0xed, 0xa0, 0x80]))])],
		["U+0000 in a topic", Buffer.concat([connect("a"), publish("t\0")])],
		[
			"invalid UTF-8 in a filter",
			Buffer.concat([
				connect("a"),
				packet(0x82, Buffer.concat([Buffer.from([0, 1]), str(Buffer.from([0xc0, 0x80])), Buffer.from([1])])),
			]),
		],
	])("refuses %s (MQTT-1.5.3)", (_name, bytes) => {
		expect(scan(bytes)).toMatchObject({ reason: "bad_utf8" });
	});

	it("accepts Ukrainian text in ids and topics", () => {
		const bytes = Buffer.concat([connect("вікно-1", { username: "центр/вікно" }), publish("вікно/тема")]);
		expect(scan(bytes)).toMatchObject({ packets: 2 });
	});
});

describe("CONNECT: protocol name and level (MQTT-3.1.2-1, MQTT-3.1.2-2)", () => {
	it.each([
		["MQTT 3.1.1", { protocol: "MQTT", level: 4 }],
		["MQTT 3.1", { protocol: "MQIsdp", level: 3 }],
	])("accepts %s", (_name, o) => {
		const bytes = connectFrame(o);
		expect(scan(bytes)).toEqual(accepted(bytes, 1));
	});

	it.each([
		["MQTT 5 (level 5)", { protocol: "MQTT", level: 5 }],
		["level 3 under the name MQTT", { protocol: "MQTT", level: 3 }],
		["level 4 under the name MQIsdp", { protocol: "MQIsdp", level: 4 }],
		["level 2", { protocol: "MQTT", level: 2 }],
		["a mosquitto bridge's private level 0x84", { protocol: "MQTT", level: 0x84 }],
	])("MQTT-3.1.2-2: answers %s with CONNACK 1, then closes", (_name, o) => {
		expect(scan(connectFrame(o))).toMatchObject({ reason: "unsupported_protocol", connack: 1 });
	});

	it.each(["MQTU", "mqtt", "MQT", "MQTTT", ""])(
		"MQTT-3.1.2-1: closes on the protocol name %j without a CONNACK",
		(protocol) => {
			const problem = scan(connectFrame({ protocol }));
			expect(problem).toMatchObject({ reason: "unsupported_protocol" });
			expect(problem).not.toHaveProperty("connack");
		},
	);
});

describe("CONNECT: flags and payload (MQTT-3.1.2, MQTT-3.1.3)", () => {
	const will = { topic: "vikno/v1/demo/win-01/status" };

	it.each<[string, Parameters<typeof connectFrame>[0]]>([
		["a Will at QoS 1, retained", { will: { ...will, qos: 1, retain: true } }],
		["a Will at QoS 2", { will: { ...will, qos: 2 } }],
		["a user name and a password", { username: "demo/win-01", password: "secret" }],
		["an empty user name", { username: "" }],
		["a password with U+0000 (binary data, not a string)", { username: "u", password: Buffer.from("p\0w") }],
		["clean session 0", { flags: 0x00 }],
	])("accepts %s", (_name, o) => {
		const bytes = connectFrame(o);
		expect(scan(bytes)).toEqual(accepted(bytes, 1));
	});

	it.each<[string, Parameters<typeof connectFrame>[0]]>([
		["MQTT-3.1.2-11/-13: Will QoS 1 without the Will flag", { flags: 0x02 | 0x08 }],
		["MQTT-3.1.2-13: Will QoS 2 without the Will flag", { flags: 0x02 | 0x10 }],
		["MQTT-3.1.2-15: Will retain without the Will flag", { flags: 0x02 | 0x20 }],
		["MQTT-3.1.2-14: Will QoS 3", { will: { ...will, qos: 3 } }],
		["MQTT-3.1.2-9: the Will flag without a Will topic and message", { flags: 0x06 }],
		["MQTT-3.1.2-18: a user name without the user name flag", { flags: 0x02, tail: str("demo/win-01") }],
		["MQTT-3.1.2-19: the user name flag without a user name", { flags: 0x82 }],
		["MQTT-3.1.2-20: a password without the password flag", { username: "u", tail: str("secret") }],
		["MQTT-3.1.2-21: the password flag without a password", { username: "u", flags: 0xc2 }],
		["MQTT-3.1.2-22: the password flag without the user name flag", { password: "p", flags: 0x42 }],
		["a byte left over after the payload", { tail: Buffer.from([0]) }],
	])("refuses %s as malformed", (_name, o) => {
		expect(scan(connectFrame(o))).toMatchObject({ reason: "malformed" });
	});

	it("refuses a client id whose length runs past the packet (MQTT-3.1.3-3: it MUST be present)", () => {
		const header = Buffer.concat([str("MQTT"), Buffer.from([4, 0x02, 0, 30])]);
		expect(scan(packet(0x10, Buffer.concat([header, Buffer.from([0, 5]), Buffer.from("abc")])))).toMatchObject({
			reason: "malformed",
		});
		expect(scan(packet(0x10, header))).toMatchObject({ reason: "malformed" });
	});

	it.each([
		["U+0001", [0x01]],
		["U+001F", [0x1f]],
		["U+007F", [0x7f]],
		["U+0080", [0xc2, 0x80]],
		["U+009F", [0xc2, 0x9f]],
	])("MQTT-1.5.3: refuses the control character %s in a client id, user name and Will topic", (_name, ch) => {
		const s = (text: string) => Buffer.concat([Buffer.from(text), Buffer.from(ch)]);
		expect(scan(connectFrame({ clientId: s("a") }))).toMatchObject({ reason: "bad_utf8" });
		expect(scan(connectFrame({ username: s("demo/win-01") }))).toMatchObject({ reason: "bad_utf8" });
		expect(scan(connectFrame({ will: { topic: s("vikno/v1/x") } }))).toMatchObject({ reason: "bad_utf8" });
	});

	it.each([
		["empty (MQTT-4.7.3-1)", ""],
		["with a wildcard (MQTT-3.3.2-2)", "vikno/v1/demo/+/status"],
	])("refuses a Will topic %s as a protocol error", (_name, topic) => {
		expect(scan(connectFrame({ will: { topic } }))).toMatchObject({ reason: "protocol" });
	});
});

describe("PUBLISH (MQTT-2.3.1-1, MQTT-3.3.1-2, MQTT-3.3.2-2, MQTT-4.7.3-1)", () => {
	it.each([
		["QoS 0", { topic: "t" }],
		["QoS 1 with packet id 1", { topic: "t", qos: 1, id: 1 }],
		["QoS 2 with packet id 65535, DUP", { topic: "t", qos: 2, id: 65535, dup: true }],
		["QoS 1, DUP, retained", { topic: "t", qos: 1, dup: true, retain: true }],
		["an empty payload", { topic: "t", payload: "" }],
		["a topic with empty levels and $", { topic: "$hub//a/" }],
		["a topic with U+00A0 and U+2A6D4", { topic: "a\u00a0\u{2a6d4}" }],
	])("accepts %s", (_name, o) => {
		expect(afterConnect(publishFrame(o))).toMatchObject({ packets: 2 });
	});

	it.each([
		["MQTT-2.3.1-1: QoS 1 with packet id 0", { topic: "t", qos: 1, id: 0 }, "malformed"],
		["MQTT-2.3.1-1: QoS 2 with packet id 0", { topic: "t", qos: 2, id: 0 }, "malformed"],
		["MQTT-3.3.1-2: DUP on a QoS 0 message", { topic: "t", dup: true }, "malformed"],
		["MQTT-4.7.3-1: an empty topic", { topic: "" }, "protocol"],
		["MQTT-3.3.2-2: a + in the topic", { topic: "a/+" }, "protocol"],
		["MQTT-3.3.2-2: a # in the topic", { topic: "#opic" }, "protocol"],
		["MQTT-1.5.3: a control character in the topic", { topic: "a\u0001b" }, "bad_utf8"],
		["MQTT-1.5.3: U+009F in the topic", { topic: "a\u009fb" }, "bad_utf8"],
		["MQTT-1.5.3: the non-character U+FFFF in the topic", { topic: "a\uffffb" }, "bad_utf8"],
	])("refuses %s", (_name, o, reason) => {
		expect(afterConnect(publishFrame(o))).toMatchObject({ reason });
	});

	it("refuses a QoS 1 PUBLISH that ends before its packet id", () => {
		expect(afterConnect(packet(0x32, str("t")))).toMatchObject({
			reason: "malformed",
			detail: "PUBLISH packet id missing: the packet ends before it",
		});
	});
});

describe("PUBACK, PUBREC, PUBREL, PUBCOMP: one non-zero packet id, nothing else", () => {
	const acks = [
		["PUBACK", 0x40],
		["PUBREC", 0x50],
		["PUBREL", 0x62],
		["PUBCOMP", 0x70],
	] as const;

	it.each(acks)("accepts %s for any id (one not in flight is aedes' and the docs' business)", (_name, first) => {
		expect(afterConnect(ackFrame(first, 1))).toMatchObject({ packets: 2 });
		expect(afterConnect(ackFrame(first, 65535))).toMatchObject({ packets: 2 });
	});

	it.each(acks)("MQTT-2.3.1-1: refuses %s with packet id 0", (_name, first) => {
		expect(afterConnect(ackFrame(first, 0))).toMatchObject({ reason: "malformed" });
	});

	it.each(acks)("refuses %s of other than 2 bytes (MQTT-4.8.0-1)", (_name, first) => {
		for (const body of [[], [0x01], [0x00, 0x01, 0x00]])
			expect(afterConnect(ackFrame(first, Buffer.from(body)))).toMatchObject({ reason: "malformed" });
	});
});

describe("SUBSCRIBE and UNSUBSCRIBE (MQTT-2.3.1-1, MQTT-3-8.3-4, MQTT-4.7.1-2/3, MQTT-4.7.3-1)", () => {
	it.each(["a", "a/+/#", "+", "#", "+/+", "/", "a//b", "$SYS/#", "вікно/+"])("accepts the filter %j", (filter) => {
		expect(afterConnect(subscribeFrame(1, [[filter, 1]]))).toMatchObject({ packets: 2 });
		expect(afterConnect(unsubscribeFrame(1, [filter]))).toMatchObject({ packets: 2 });
	});

	it.each([0, 1, 2])("accepts requested QoS %i", (qos) => {
		expect(afterConnect(subscribeFrame(7, [["a", qos]]))).toMatchObject({ packets: 2 });
	});

	it.each([
		["ab/+e", "protocol"],
		["a/#/b", "protocol"],
		["a#", "protocol"],
		["#/a", "protocol"],
		["+a", "protocol"],
		["", "protocol"],
		["a\u0001", "bad_utf8"],
		["a\u007f", "bad_utf8"],
		["a\u0085", "bad_utf8"],
	])("refuses the filter %j in SUBSCRIBE and UNSUBSCRIBE (%s)", (filter, reason) => {
		expect(
			afterConnect(
				subscribeFrame(1, [
					["ok", 0],
					[filter, 0],
				]),
			),
		).toMatchObject({ reason });
		expect(afterConnect(unsubscribeFrame(1, ["ok", filter]))).toMatchObject({ reason });
	});

	it("MQTT-2.3.1-1: refuses packet id 0 in SUBSCRIBE and UNSUBSCRIBE", () => {
		expect(afterConnect(subscribeFrame(0, [["a", 0]]))).toMatchObject({ reason: "malformed" });
		expect(afterConnect(unsubscribeFrame(0, ["a"]))).toMatchObject({ reason: "malformed" });
	});

	it.each([3, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xff])(
		"MQTT-3-8.3-4: refuses requested QoS byte 0x%s (QoS 3 or a reserved bit)",
		(options) => {
			expect(afterConnect(subscribeFrame(1, [["a", options]]))).toMatchObject({ reason: "malformed" });
		},
	);

	it.each([
		["SUBSCRIBE without a filter (MQTT-3.8.3-3)", packet(0x82, Buffer.from([0, 1]))],
		["UNSUBSCRIBE without a filter (MQTT-3.10.3-2)", packet(0xa2, Buffer.from([0, 1]))],
		["a filter without its QoS byte", packet(0x82, Buffer.concat([Buffer.from([0, 1]), str("a")]))],
		[
			"a byte after the last QoS byte",
			packet(0x82, Buffer.concat([Buffer.from([0, 1]), str("a"), Buffer.from([0, 0])])),
		],
	])("refuses %s as malformed", (_name, bytes) => {
		expect(afterConnect(bytes)).toMatchObject({ reason: "malformed" });
	});
});

describe("PINGREQ and DISCONNECT: no body (§3.12.1, §3.14.1)", () => {
	it.each([
		["PINGREQ", 0xc0],
		["DISCONNECT", 0xe0],
	])("accepts %s with remaining length 0 and refuses it with a body", (_name, first) => {
		expect(afterConnect(packet(first, Buffer.alloc(0)))).toMatchObject({ packets: 2 });
		expect(afterConnect(packet(first, Buffer.from([0])))).toMatchObject({ reason: "malformed" });
	});
});

describe("MQTT strings, topic names and filters", () => {
	it.each([
		["plain", Buffer.from("plain")],
		["Cyrillic", Buffer.from("ЦНАП")],
		["an emoji (4 bytes)", Buffer.from([0xf0, 0x9f, 0x98, 0x80])],
		["U+00A0", Buffer.from("\u00a0")],
		["the empty string", Buffer.alloc(0)],
	])("accepts %s", (_name, bytes) => {
		expect(mqttStringProblem(bytes)).toBeUndefined();
	});

	it.each([
		["a lone continuation byte", [0x80], /UTF-8/],
		["U+0000 (a MUST, not only a control character)", [0x61, 0], /U\+0000 \(MQTT-1\.5\.3-2\)/],
		["U+0000 after Cyrillic", [0xd0, 0x96, 0], /U\+0000 \(MQTT-1\.5\.3-2\)/],
		["an overlong U+0000", [0xc0, 0x80], /UTF-8/],
		["U+0001", [0x61, 0x01], /control character U\+0001/],
		["U+001F", [0x1f], /U\+001F/],
		["U+007F", [0x7f], /U\+007F/],
		["U+0080", [0xc2, 0x80], /control character U\+0080/],
		["U+009F", [0xd0, 0x96, 0xc2, 0x9f], /U\+009F/],
		["U+FDD0", [0xef, 0xb7, 0x90], /non-character U\+FDD0/],
		["U+FFFE", [0xef, 0xbf, 0xbe], /non-character/],
		["U+1FFFF", [0xf0, 0x9f, 0xbf, 0xbf], /non-character U\+1FFFF/],
	])("refuses %s", (_name, bytes, problem) => {
		expect(mqttStringProblem(Buffer.from(bytes))).toMatch(problem);
	});

	it("topic names: not empty, no wildcards", () => {
		expect(topicNameProblem("vikno/v1/demo/win-01/rating")).toBeUndefined();
		expect(topicNameProblem("")).toMatch(/MQTT-4.7.3-1/);
		expect(topicNameProblem("a/#")).toMatch(/MQTT-3.3.2-2/);
	});

	it("topic filters: # last and alone in its level, + alone in its level", () => {
		expect(topicFilterProblem("vikno/v1/demo/+/cmd/#")).toBeUndefined();
		expect(topicFilterProblem("a/#/b")).toMatch(/MQTT-4.7.1-2/);
		expect(topicFilterProblem("ab/+e")).toMatch(/MQTT-4.7.1-3/);
	});
});
