/**
 * The frame guard against raw bytes over a real TCP socket to a real hub (loopback, port 0):
 * every packet below breaks a normative statement of MQTT 3.1.1 (cited as MQTT-x.y.z-n), and the
 * hub closes the connection (or answers CONNACK 1 first), counts the reason in /metrics, logs it,
 * and goes on serving a client that was connected all along. Where the specification leaves a
 * choice (acknowledgements of packet ids not in flight, the protocol name and level, a DISCONNECT
 * with a body), Debian's mosquitto is run beside the hub and must behave the same.
 */
import { type Socket, connect as tcp } from "node:net";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Log } from "../../core/log.ts";
import type { Hub } from "../../server/hub.ts";
import { demoTopic, payload } from "../fixtures/events.ts";
import { metric, startTestHub, tempDir } from "../fixtures/hub.ts";
import { spawnHub } from "../fixtures/hubProcess.ts";
import { type Mosquitto, mosquittoAvailable, startMosquitto } from "../fixtures/mosquitto.ts";
import {
	ackFrame,
	type ConnectFields,
	connectFrame,
	frame,
	publishFrame,
	str,
	subscribeFrame,
	unsubscribeFrame,
} from "../fixtures/mqttBytes.ts";
import { until } from "../fixtures/wait.ts";

// --- a raw socket: what was received, split into packets, and when it closed ---
interface Raw {
	socket: Socket;
	send(bytes: Buffer): void;
	/** Whole packets received so far, as hex. */
	packets(): string[];
	closed: Promise<void>;
	isClosed(): boolean;
}

async function raw(port: number): Promise<Raw> {
	const socket = tcp({ port, host: "127.0.0.1" });
	socket.on("error", () => {});
	let got = Buffer.alloc(0);
	socket.on("data", (b: Buffer) => {
		got = Buffer.concat([got, b]);
	});
	let isClosed = false;
	const closed = new Promise<void>((resolve) =>
		socket.once("close", () => {
			isClosed = true;
			resolve();
		}),
	);
	await Promise.race([new Promise((resolve) => socket.once("connect", resolve)), closed]);
	return {
		socket,
		send: (bytes) => socket.write(bytes),
		packets: () => split(got),
		closed,
		isClosed: () => isClosed,
	};
}

/** Server packets are small here: a one-byte remaining length. */
function split(buf: Buffer): string[] {
	const out: string[] = [];
	for (let pos = 0; pos + 2 <= buf.length; ) {
		const end = pos + 2 + (buf[pos + 1] as number);
		if (end > buf.length) break;
		out.push(buf.subarray(pos, end).toString("hex"));
		pos = end;
	}
	return out;
}

const CONNACK_OK = "20020000";
const CONNACK_1 = "20020001";
const PINGREQ = Buffer.from([0xc0, 0x00]);
const PINGRESP = "d000";

/** The packets a socket got until it was closed by the other side. */
async function untilClosed(r: Raw): Promise<string[]> {
	await r.closed;
	return r.packets();
}

/** Wait for `n` packets, or fail if the socket closes first. */
async function take(r: Raw, n: number): Promise<string[]> {
	await until(
		() => ({ packets: r.packets(), closed: r.isClosed() }),
		(s) => s.packets.length >= n || s.closed,
		{ intervalMs: 5, what: `${n} packets` },
	);
	if (r.packets().length < n) throw new Error(`closed after ${JSON.stringify(r.packets())}, expected ${n} packets`);
	return r.packets();
}

/** A raw client that connected (CONNACK 0 received). */
async function connected(port: number, o: ConnectFields = {}): Promise<Raw> {
	const r = await raw(port);
	r.send(connectFrame({ clientId: `raw-${Math.random().toString(36).slice(2, 10)}`, ...o }));
	expect(await take(r, 1)).toEqual([CONNACK_OK]);
	return r;
}

// --- the hub under test, with a client connected before any of the abuse and served after each ---
const dir = tempDir("vikno-broker-validation-");
let hub: Hub;
let legit: MqttClient;
const warnings: { obj: Record<string, unknown>; msg: string | undefined }[] = [];
const recording: Log = {
	info() {},
	debug() {},
	error() {},
	warn(obj: object | string, msg?: string) {
		warnings.push({ obj: obj as Record<string, unknown>, msg });
	},
};
const LEGIT_TOPIC = demoTopic("win-11", "rating");
const legitGot: string[] = [];

beforeAll(async () => {
	hub = await startTestHub(dir.path, {
		log: recording,
	});
	legit = await mqtt.connectAsync(hub.mqttUrl, { protocolVersion: 4, reconnectPeriod: 0, clientId: "legit" });
	legit.on("message", (_topic, body) => legitGot.push(body.toString()));
	await legit.subscribeAsync(LEGIT_TOPIC, { qos: 1 });
});

afterAll(async () => {
	legit?.end(true);
	await hub?.close();
	dir.remove();
});

/** The client connected from the start still publishes, is acknowledged and gets its message back. */
async function stillServing(): Promise<void> {
	const body = JSON.stringify(payload({ score: 5 }));
	await legit.publishAsync(LEGIT_TOPIC, body, { qos: 1 });
	await until(
		() => legitGot.includes(body),
		(ok) => ok,
		{ what: "the legitimate client's message back" },
	);
	expect(legit.connected).toBe(true);
}

const metrics = async () => (await fetch(`${hub.httpUrl}/metrics`)).text();
const disconnects = (reason: string) => `vikno_mqtt_disconnects_total{reason="${reason}"}`;
const refusedConnects = (reason: string) => `vikno_mqtt_connects_refused_total{reason="${reason}"}`;

/** Run `act`, then wait until `series` has grown by exactly one. */
async function countedOnce(series: string, act: () => Promise<void>): Promise<void> {
	const before = metric(await metrics(), series);
	await act();
	await until(
		async () => metric(await metrics(), series),
		(n) => n >= before + 1,
		{ what: `${series} + 1` },
	);
	expect(metric(await metrics(), series)).toBe(before + 1);
}

const will = (topic: string) => ({ topic });

describe("CONNECT (MQTT-3.1.2, MQTT-3.1.3, MQTT-1.5.3)", () => {
	it.each<[string, ConnectFields, string[], string]>([
		["MQTT-3.1.2-1: the protocol name MQTU", { protocol: "MQTU" }, [], refusedConnects("unsupported_protocol")],
		["MQTT-3.1.2-2: MQTT 5 (level 5)", { level: 5 }, [CONNACK_1], refusedConnects("unsupported_protocol")],
		["MQTT-3.1.2-2: level 3 named MQTT", { level: 3 }, [CONNACK_1], refusedConnects("unsupported_protocol")],
		["MQTT-3.1.2-11: Will QoS 1 without the Will flag", { flags: 0x0a }, [], disconnects("malformed")],
		["MQTT-3.1.2-15: Will retain without the Will flag", { flags: 0x22 }, [], disconnects("malformed")],
		["MQTT-3.1.2-14: Will QoS 3", { will: { topic: "t", qos: 3 } }, [], disconnects("malformed")],
		["MQTT-3.1.2-18: a user name without its flag", { flags: 0x02, tail: str("u") }, [], disconnects("malformed")],
		["MQTT-3.1.2-19: the user name flag without a user name", { flags: 0x82 }, [], disconnects("malformed")],
		[
			"MQTT-3.1.2-21: the password flag without a password",
			{ username: "u", flags: 0xc2 },
			[],
			disconnects("malformed"),
		],
		["MQTT-3.1.2-22: a password without a user name", { password: "p", flags: 0x42 }, [], disconnects("malformed")],
		["a byte after the payload", { tail: Buffer.from([0]) }, [], disconnects("malformed")],
		["MQTT-1.5.3: U+0001 in the client id", { clientId: "a\u0001" }, [], disconnects("bad_utf8")],
		["MQTT-1.5.3: U+009F in the user name", { username: "demo/win-01\u009f" }, [], disconnects("bad_utf8")],
		["MQTT-1.5.3: U+007F in the Will topic", { will: will("vikno/v1/\u007f") }, [], disconnects("bad_utf8")],
		["MQTT-4.7.3-1: an empty Will topic", { will: will("") }, [], disconnects("protocol")],
		["MQTT-3.3.2-2: a wildcard in the Will topic", { will: will("vikno/v1/#") }, [], disconnects("protocol")],
	])("%s: closed, counted, others served", async (_name, fields, answer, series) => {
		await countedOnce(series, async () => {
			const r = await raw(hub.mqttPort);
			r.send(connectFrame({ clientId: "bad-connect", ...fields }));
			expect(await untilClosed(r)).toEqual(answer);
		});
		await stillServing();
	});
});

describe("packets after CONNACK", () => {
	const acks = [
		["PUBACK", 0x40],
		["PUBREC", 0x50],
		["PUBREL", 0x62],
		["PUBCOMP", 0x70],
	] as const;
	/** [what, bytes, reason counted, what the log line says: the guard's own words, not a later check's] */
	it.each<[string, Buffer, string, string]>([
		[
			"MQTT-2.3.1-1: PUBLISH at QoS 1 with packet id 0",
			publishFrame({ topic: "t", qos: 1, id: 0 }),
			"malformed",
			"PUBLISH with packet id 0 (MQTT-2.3.1-1)",
		],
		[
			"MQTT-2.3.1-1: PUBLISH at QoS 2 with packet id 0",
			publishFrame({ topic: "t", qos: 2, id: 0 }),
			"malformed",
			"PUBLISH with packet id 0 (MQTT-2.3.1-1)",
		],
		[
			"MQTT-3.3.1-2: DUP on a QoS 0 PUBLISH",
			publishFrame({ topic: "t", dup: true }),
			"malformed",
			"DUP set on a QoS 0 PUBLISH (MQTT-3.3.1-2)",
		],
		[
			"MQTT-1.5.3: U+0001 in a topic",
			publishFrame({ topic: "vikno/v1/\u0001" }),
			"bad_utf8",
			"topic contains the control character U+0001",
		],
		["MQTT-4.7.3-1: an empty topic", publishFrame({ topic: "" }), "protocol", "an empty topic (MQTT-4.7.3-1)"],
		[
			"MQTT-2.3.1-1: SUBSCRIBE with packet id 0",
			subscribeFrame(0, [["a", 0]]),
			"malformed",
			"SUBSCRIBE with packet id 0 (MQTT-2.3.1-1)",
		],
		[
			"MQTT-1.5.3: U+001F in a filter",
			subscribeFrame(1, [["a\u001f", 0]]),
			"bad_utf8",
			"topic filter contains the control character U+001F",
		],
		["MQTT-4.7.1-3: the filter ab/+e", subscribeFrame(1, [["ab/+e", 0]]), "protocol", "(MQTT-4.7.1-3)"],
		["MQTT-4.7.1-2: the filter a/#/b", subscribeFrame(1, [["a/#/b", 0]]), "protocol", "(MQTT-4.7.1-2)"],
		["MQTT-4.7.3-1: an empty filter", subscribeFrame(1, [["", 0]]), "protocol", "an empty topic filter (MQTT-4.7.3-1)"],
		["MQTT-3-8.3-4: requested QoS 3", subscribeFrame(1, [["a", 3]]), "malformed", "requested QoS 3 (MQTT-3-8.3-4)"],
		[
			"MQTT-3-8.3-4: a reserved bit in the requested QoS byte",
			subscribeFrame(1, [["a", 0x41]]),
			"malformed",
			"reserved bits set in the requested QoS byte 0x41 (MQTT-3-8.3-4)",
		],
		[
			"MQTT-2.3.1-1: UNSUBSCRIBE with packet id 0",
			unsubscribeFrame(0, ["a"]),
			"malformed",
			"UNSUBSCRIBE with packet id 0 (MQTT-2.3.1-1)",
		],
		["MQTT-4.7.1-3: UNSUBSCRIBE from ab/+e", unsubscribeFrame(1, ["ab/+e"]), "protocol", "(MQTT-4.7.1-3)"],
		[
			"MQTT-1.5.3: U+0085 in an UNSUBSCRIBE filter",
			unsubscribeFrame(1, ["a\u0085"]),
			"bad_utf8",
			"topic filter contains the control character U+0085",
		],
		[
			"PINGREQ with a body (§3.12.1: remaining length 0)",
			frame(0xc0, Buffer.from([0])),
			"malformed",
			"1 bytes after the PINGREQ header",
		],
		[
			"DISCONNECT with a body (§3.14.1: remaining length 0)",
			frame(0xe0, Buffer.from([0])),
			"malformed",
			"1 bytes after the DISCONNECT header",
		],
		...acks.map(([name, first]): [string, Buffer, string, string] => [
			`MQTT-2.3.1-1: ${name} with packet id 0`,
			ackFrame(first, 0),
			"malformed",
			`${name} with packet id 0 (MQTT-2.3.1-1)`,
		]),
		...acks.map(([name, first]): [string, Buffer, string, string] => [
			`${name} of 3 bytes (remaining length 2)`,
			ackFrame(first, Buffer.from([0, 1, 0])),
			"malformed",
			`1 bytes after the ${name} packet id`,
		]),
		["PUBACK of 1 byte", ackFrame(0x40, Buffer.from([1])), "malformed", "PUBACK packet id missing"],
	])("%s: closed without an answer, counted, logged, others served", async (_name, bytes, reason, logged) => {
		const clientId = `bad-${reason}-${Math.random().toString(36).slice(2, 10)}`;
		await countedOnce(disconnects(reason), async () => {
			const r = await connected(hub.mqttPort, { clientId });
			r.send(bytes);
			expect(await untilClosed(r)).toEqual([CONNACK_OK]);
		});
		const line = await until(
			() => warnings.find((w) => w.obj.client === clientId),
			(w) => w !== undefined,
			{ what: "the log line" },
		);
		expect(line?.obj.reason).toBe(reason);
		expect(line?.msg).toContain(logged);
		await stillServing();
	});
});

/**
 * MQTT 3.1.1 gives no rule for an acknowledgement of a packet id that is not in flight; mosquitto
 * 2.0.11 ignores PUBACK and PUBCOMP, answers PUBREC with PUBREL and PUBREL with PUBCOMP, and keeps
 * the connection (a client resending after a reconnect is not cut off). The hub does the same.
 * Packet id 0 is refused by both (MQTT-2.3.1-1).
 */
async function unsolicitedAcks(port: number, clean: boolean): Promise<string[]> {
	const r = await connected(port, { clientId: `unsolicited-${clean}`, flags: clean ? 0x02 : 0x00 });
	r.send(Buffer.concat([ackFrame(0x40, 1), ackFrame(0x50, 2), ackFrame(0x62, 3), ackFrame(0x70, 4)]));
	await take(r, 3);
	// Answered only after everything before it was handled: nothing else is owed, and the connection is alive.
	r.send(PINGREQ);
	const [connack, ...rest] = await take(r, 4);
	r.socket.destroy();
	// The PUBREL (for the PUBREC of 2) and the PUBCOMP (for the PUBREL of 3) answer different packet
	// ids, and MQTT orders acknowledgements only among those of one kind (MQTT-4.6.0): with a
	// persistent session the hub's PUBREL goes through its session store and may come second.
	const pingresp = rest.pop();
	return [connack ?? "", ...rest.sort(), pingresp ?? ""];
}
const ANSWERED = [CONNACK_OK, "62020002", "70020003", PINGRESP];

async function ackWithIdZero(port: number): Promise<string[]> {
	const r = await connected(port);
	r.send(ackFrame(0x40, 0));
	return untilClosed(r);
}

/** The protocol name and level cases where mosquitto (which also speaks MQTT 5) and MQTT 3.1.1 agree. */
const PROTOCOLS: [string, ConnectFields, string[]][] = [
	["MQTT-3.1.2-1: protocol name MQTU: closed without CONNACK", { protocol: "MQTU" }, []],
	["MQTT-3.1.2-1: protocol name mqtt: closed without CONNACK", { protocol: "mqtt" }, []],
	["MQTT-3.1.2-2: level 3 named MQTT: CONNACK 1, closed", { level: 3 }, [CONNACK_1]],
	["MQTT-3.1.2-2: level 4 named MQIsdp: CONNACK 1, closed", { protocol: "MQIsdp", level: 4 }, [CONNACK_1]],
	["MQTT-3.1.2-2: level 6: CONNACK 1, closed", { level: 6 }, [CONNACK_1]],
];
async function connectAnswer(port: number, fields: ConnectFields): Promise<string[]> {
	const r = await raw(port);
	r.send(connectFrame({ clientId: "proto", ...fields }));
	return untilClosed(r);
}

/** MQTT-3.1.2-8: the Will is published when the server closes the connection for a protocol error. */
async function willAfterDisconnectWithBody(url: string, port: number, node: string): Promise<string[]> {
	const topic = demoTopic(node, "status");
	const watcher = await mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0 });
	const got: string[] = [];
	watcher.on("message", (_t, body) => got.push(body.toString()));
	await watcher.subscribeAsync(topic, { qos: 1 });
	const body = JSON.stringify(payload({ online: false }));
	const r = await connected(port, { will: { topic, message: body, qos: 1 } });
	r.send(frame(0xe0, Buffer.from([0])));
	await r.closed;
	await until(
		() => got.length,
		(n) => n >= 1,
		{ what: "the Will" },
	);
	await watcher.endAsync();
	return got.map((g) => (g === body ? "the Will" : g));
}

describe("acknowledgements of packet ids not in flight (ignored, as mosquitto 2.0.11 does)", () => {
	it.each([true, false])(
		"the hub answers as mosquitto does and keeps the connection (clean session %s)",
		async (clean) => {
			const series = ["malformed", "protocol"].map(disconnects);
			const before = await metrics();
			expect(await unsolicitedAcks(hub.mqttPort, clean)).toEqual(ANSWERED);
			const after = await metrics();
			for (const s of series) expect(metric(after, s)).toBe(metric(before, s));
			await stillServing();
		},
	);

	it("MQTT-2.3.1-1: the hub closes on an acknowledgement of packet id 0", async () => {
		await countedOnce(disconnects("malformed"), async () => {
			expect(await ackWithIdZero(hub.mqttPort)).toEqual([CONNACK_OK]);
		});
	});
});

describe("protocol name and level (MQTT-3.1.2-1, MQTT-3.1.2-2)", () => {
	it.each(PROTOCOLS)("%s", async (_name, fields, answer) => {
		await countedOnce(refusedConnects("unsupported_protocol"), async () => {
			expect(await connectAnswer(hub.mqttPort, fields)).toEqual(answer);
		});
		await stillServing();
	});

	it("accepts MQTT 3.1 (MQIsdp, level 3)", async () => {
		const r = await connected(hub.mqttPort, { protocol: "MQIsdp", level: 3 });
		r.send(PINGREQ);
		expect(await take(r, 2)).toEqual([CONNACK_OK, PINGRESP]);
		r.socket.destroy();
	});
});

describe("DISCONNECT with a body", () => {
	it("is a protocol error, not a clean disconnect: the Will is published (MQTT-3.1.2-8)", async () => {
		await countedOnce(disconnects("malformed"), async () => {
			expect(await willAfterDisconnectWithBody(hub.mqttUrl, hub.mqttPort, "win-12")).toEqual(["the Will"]);
		});
	});
});

describe.skipIf(!mosquittoAvailable)("mosquitto 2 does the same", () => {
	let m: Mosquitto;
	beforeAll(async () => {
		m = await startMosquitto();
	});
	afterAll(async () => {
		await m?.stop();
	});

	it.each([true, false])("acknowledgements of ids not in flight (clean session %s)", async (clean) => {
		expect(await unsolicitedAcks(m.port, clean)).toEqual(ANSWERED);
	});

	it("an acknowledgement of packet id 0", async () => {
		expect(await ackWithIdZero(m.port)).toEqual([CONNACK_OK]);
	});

	it.each(PROTOCOLS)("%s", async (_name, fields, answer) => {
		expect(await connectAnswer(m.port, fields)).toEqual(answer);
	});

	it("the Will after a DISCONNECT with a body", async () => {
		expect(await willAfterDisconnectWithBody(m.url, m.port, "win-12")).toEqual(["the Will"]);
	});
});

describe("keep-alive bounds (--max-keepalive, --allow-keepalive-zero)", () => {
	async function connackCode(port: number, keepalive: number): Promise<string[]> {
		const r = await raw(port);
		r.send(connectFrame({ keepalive }));
		const got = await take(r, 1);
		r.socket.destroy();
		return got;
	}

	it("by default refuses keep-alive 0 (CONNACK 2, counted as keepalive)", async () => {
		await countedOnce(refusedConnects("keepalive"), async () => {
			expect(await connackCode(hub.mqttPort, 0)).toEqual(["20020002"]);
		});
		expect(await connackCode(hub.mqttPort, 3600)).toEqual([CONNACK_OK]);
		expect(await connackCode(hub.mqttPort, 3601)).toEqual(["20020002"]);
	});

	it("a hub started with --allow-keepalive-zero --max-keepalive 60 accepts 0 and 60, refuses 61", async () => {
		const data = tempDir("vikno-keepalive-");
		const child = await spawnHub(data.path, ["--allow-keepalive-zero", "--max-keepalive", "60"]);
		try {
			const port = Number(new URL(child.mqttUrl).port);
			expect(await connackCode(port, 0)).toEqual([CONNACK_OK]);
			expect(await connackCode(port, 60)).toEqual([CONNACK_OK]);
			expect(await connackCode(port, 61)).toEqual(["20020002"]);
		} finally {
			await child.kill("SIGTERM");
			data.remove();
		}
	}, 120_000);
});
