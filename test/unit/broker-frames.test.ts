import { describe, expect, it } from "vitest";
import { FrameScanner, isMqttString } from "../../broker/frames.ts";
import { frame, str, varint } from "../fixtures/mqttBytes.ts";

const packet = frame;
const connect = (clientId: string | Buffer, opts: { username?: string | Buffer; flags?: number } = {}) =>
	packet(
		0x10,
		Buffer.concat([
			str("MQTT"),
			Buffer.from([4, (opts.flags ?? 2) | (opts.username !== undefined ? 0x80 : 0), 0, 30]),
			str(clientId),
			...(opts.username !== undefined ? [str(opts.username)] : []),
		]),
	);
const publish = (topic: string | Buffer, payload = "{}") =>
	packet(0x30, Buffer.concat([str(topic), Buffer.from(payload)]));

function scan(bytes: Buffer, max = 1024, window = 100) {
	const s = new FrameScanner(max);
	s.feed(bytes);
	return s.next(window);
}

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

	it("isMqttString", () => {
		expect(isMqttString(Buffer.from("plain"))).toBe(true);
		expect(isMqttString(Buffer.from("ЦНАП"))).toBe(true);
		expect(isMqttString(Buffer.from([0xf0, 0x9f, 0x98, 0x80]))).toBe(true);
		expect(isMqttString(Buffer.from([0x80]))).toBe(false);
		expect(isMqttString(Buffer.from([0]))).toBe(false);
	});
});
