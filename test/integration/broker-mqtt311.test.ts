/**
 * MQTT 3.1.1 behaviour of the hub's broker, checked against the normative statements of the
 * specification (OASIS MQTT 3.1.1, cited as MQTT-x.y.z-n) with real clients: MQTT.js
 * (protocolVersion 4), mosquitto_pub / mosquitto_sub, and raw sockets speaking mqtt-packet where
 * a client library would hide what is on the wire (DUP, unacknowledged deliveries, silence).
 * Where the specification allows more than one behaviour, Debian's mosquitto is run beside the
 * hub for comparison.
 */
import { spawn } from "node:child_process";
import { connect as tcp } from "node:net";
import type { Readable } from "node:stream";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { generate, type IConnectPacket, type IPublishPacket, type Packet, parser } from "mqtt-packet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Hub } from "../../server/hub.ts";
import { demoTopic, payload } from "../fixtures/events.ts";
import { metric, startTestHub, tempDir } from "../fixtures/hub.ts";
import { mosquittoAvailable, startMosquitto } from "../fixtures/mosquitto.ts";
import { until } from "../fixtures/wait.ts";

const dir = tempDir("vikno-broker-mqtt311-");
let hub: Hub;
const clients: MqttClient[] = [];
const raws: Raw[] = [];

/**
 * A status retained on a topic of its own. Asked for after another filter in the same SUBSCRIBE,
 * it is a marker: aedes sends the retained messages of a SUBSCRIBE filter by filter, in order,
 * each written before the next is read, so once the marker's arrives, whatever is retained under
 * the filters before it has arrived too. "Nothing retained" is then a condition, not a wait.
 */
const RETAINED_MARKER = demoTopic("win-12", "status");
const markerStatus = JSON.stringify(payload({ online: true }));

beforeAll(async () => {
	hub = await startTestHub(dir.path);
	const c = await client();
	await c.publishAsync(RETAINED_MARKER, markerStatus, { qos: 1, retain: true });
	c.end(true);
});

afterAll(async () => {
	for (const c of clients) c.end(true);
	for (const r of raws) r.destroy();
	await hub?.close();
	dir.remove();
});

async function client(opts: IClientOptions = {}, url = hub.mqttUrl): Promise<MqttClient> {
	const c = await mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5_000, ...opts });
	c.on("error", () => {});
	clients.push(c);
	return c;
}

interface Got {
	topic: string;
	body: string;
	retain: boolean;
	qos: number;
}
function collect(c: MqttClient): Got[] {
	const got: Got[] = [];
	c.on("message", (topic, body, p) => {
		got.push({ topic, body: body.toString(), retain: p.retain, qos: p.qos });
	});
	return got;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The broker's session store (aedes persistence), for conditions a client cannot see. */
interface SessionStore {
	outgoingStream(client: { id: string }): Readable;
	getWill(client: { id: string }): Promise<unknown>;
}
const store = () => (hub.broker.aedes as unknown as { persistence: SessionStore }).persistence;
async function outgoing(clientId: string): Promise<number> {
	let n = 0;
	for await (const _ of store().outgoingStream({ id: clientId })) n++;
	return n;
}
const connectedIds = () => Object.keys((hub.broker.aedes as unknown as { clients: Record<string, unknown> }).clients);
const status = (online: boolean) => JSON.stringify(payload({ online }));
const rating = () => JSON.stringify(payload({ score: 4 }));

/** Run a mosquitto client tool to its end (asynchronously: the hub runs in this process). */
function run(cmd: string, args: string[]): Promise<{ code: number | null; out: string }> {
	return new Promise((resolve) => {
		const child = spawn(cmd, ["-h", "127.0.0.1", "-p", String(hub.mqttPort), ...args], { timeout: 10_000 });
		let out = "";
		child.stdout.on("data", (b: Buffer) => {
			out += b;
		});
		child.stderr.on("data", (b: Buffer) => {
			out += b;
		});
		child.on("exit", (code) => resolve({ code, out }));
	});
}

// --- a raw MQTT 3.1.1 client: every packet as sent, nothing acknowledged unless the test does ---
interface Raw {
	/** Packets received and not yet taken. */
	inbox: Packet[];
	send(p: Packet): void;
	/** The first received packet of this type (waiting for it), removed from the inbox. */
	take<C extends Packet["cmd"]>(cmd: C, timeoutMs?: number): Promise<Extract<Packet, { cmd: C }>>;
	closed: Promise<void>;
	isClosed(): boolean;
	destroy(): void;
}

async function raw(connect: Partial<IConnectPacket> & { clientId: string }): Promise<Raw> {
	const socket = tcp({ port: hub.mqttPort, host: "127.0.0.1" });
	socket.on("error", () => {});
	const p = parser({ protocolVersion: 4 });
	const inbox: Packet[] = [];
	p.on("packet", (packet: Packet) => inbox.push(packet));
	socket.on("data", (b: Buffer) => p.parse(b));
	let isClosed = false;
	const closed = new Promise<void>((resolve) =>
		socket.once("close", () => {
			isClosed = true;
			resolve();
		}),
	);
	await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
	const r: Raw = {
		inbox,
		send: (packet) => socket.write(generate(packet, { protocolVersion: 4 })),
		async take(cmd, timeoutMs = 5_000) {
			await until(
				() => inbox.findIndex((x) => x.cmd === cmd),
				(i) => i >= 0,
				{ timeoutMs, intervalMs: 10, what: `a ${cmd} packet` },
			);
			const [packet] = inbox.splice(
				inbox.findIndex((x) => x.cmd === cmd),
				1,
			);
			return packet as Extract<Packet, { cmd: typeof cmd }>;
		},
		closed,
		isClosed: () => isClosed,
		destroy: () => socket.destroy(),
	};
	raws.push(r);
	r.send({ cmd: "connect", protocolId: "MQTT", protocolVersion: 4, clean: true, keepalive: 30, ...connect });
	return r;
}

async function rawSubscribe(r: Raw, topic: string, qos: 0 | 1, messageId = 1): Promise<number[]> {
	r.send({ cmd: "subscribe", messageId, subscriptions: [{ topic, qos }] });
	return (await r.take("suback")).granted as number[];
}

describe("retained messages (MQTT-3.3.1-5 … -12)", () => {
	const TOPIC = demoTopic("win-01", "status");

	it("stores a retained status and sends it to a new subscriber with RETAIN=1 (MQTT-3.3.1-5/6/8)", async () => {
		const body = status(true);
		const pub = await run("mosquitto_pub", ["-q", "1", "-r", "-t", TOPIC, "-m", body]);
		expect(pub.code).toBe(0);
		// %r is the RETAIN flag as received.
		const sub = await run("mosquitto_sub", ["-t", TOPIC, "-C", "1", "-W", "5", "-F", "%r %t %p"]);
		expect(sub).toMatchObject({ code: 0, out: `1 ${TOPIC} ${body}\n` });
	});

	it("sends a retained message to an existing subscriber with RETAIN=0 (MQTT-3.3.1-9)", async () => {
		const listener = await client();
		const got = collect(listener);
		await listener.subscribeAsync(TOPIC, { qos: 1 });
		await until(
			() => got.length,
			(n) => n === 1,
			{ what: "the stored retained message" },
		);
		const body = status(true);
		const publisher = await client();
		await publisher.publishAsync(TOPIC, body, { qos: 1, retain: true });
		await until(
			() => got.length,
			(n) => n === 2,
			{ what: "the live copy" },
		);
		expect(got[0]?.retain).toBe(true);
		expect(got[1]).toMatchObject({ body, retain: false });
		listener.end(true);
	});

	it("keeps the retained message when a non-retained one is published on its topic (MQTT-3.3.1-12)", async () => {
		const kept = status(true);
		const publisher = await client();
		await publisher.publishAsync(TOPIC, kept, { qos: 1, retain: true });
		await publisher.publishAsync(TOPIC, status(false), { qos: 1, retain: false });
		const late = await client();
		const got = collect(late);
		await late.subscribeAsync([TOPIC, RETAINED_MARKER], { qos: 1 });
		await until(
			() => got.some((g) => g.topic === RETAINED_MARKER),
			(ok) => ok,
			{ what: "the retained marker, after the topic's retained message" },
		);
		expect(got).toEqual([
			{ topic: TOPIC, body: kept, retain: true, qos: 1 },
			{ topic: RETAINED_MARKER, body: markerStatus, retain: true, qos: 1 },
		]);
	});

	it("clears a node's retained status with an empty retained payload (MQTT-3.3.1-10/11)", async () => {
		// A node taken out of service must not be shown as online (or offline) forever: an empty
		// retained publish (mosquitto_pub -r -n) removes its state. It is not an event: nothing is stored.
		const listener = await client();
		const live = collect(listener);
		await listener.subscribeAsync(TOPIC, { qos: 1 });
		await until(
			() => live.length,
			(n) => n === 1,
			{ what: "the retained status" },
		);
		const eventsBefore = await hub.countEvents({ kind: "status" });
		const cleared = await run("mosquitto_pub", ["-q", "1", "-r", "-n", "-t", TOPIC]);
		expect(cleared.code).toBe(0);
		// MQTT-3.3.1-10: "processed as normal … and sent to Clients with a subscription matching".
		await until(
			() => live.length,
			(n) => n === 2,
			{ what: "the empty message delivered to the subscriber" },
		);
		expect(live[1]).toMatchObject({ topic: TOPIC, body: "", retain: false });

		// MQTT-3.3.1-11: nothing retained any more, for MQTT.js …
		const late = await client();
		const got = collect(late);
		await late.subscribeAsync([TOPIC, RETAINED_MARKER], { qos: 1 });
		await until(
			() => got.length,
			(n) => n >= 1,
			{ what: "the retained marker" },
		);
		expect(got).toEqual([{ topic: RETAINED_MARKER, body: markerStatus, retain: true, qos: 1 }]);
		// … and for mosquitto_sub (one SUBSCRIBE for both): its first message is the marker's.
		const sub = await run("mosquitto_sub", ["-t", TOPIC, "-t", RETAINED_MARKER, "-C", "1", "-W", "5", "-F", "%t"]);
		expect(sub).toMatchObject({ code: 0, out: `${RETAINED_MARKER}\n` });
		expect(await hub.countEvents({ kind: "status" })).toBe(eventsBefore);
	});

	it("still rejects an empty payload that is not a retained clear, and does not forward it", async () => {
		const text = async () => (await fetch(`${hub.httpUrl}/metrics`)).text();
		const notJson = async () => metric(await text(), 'vikno_messages_total{result="rejected",reason="not_json"}');
		const before = await notJson();
		const listener = await client();
		const got = collect(listener);
		await listener.subscribeAsync(demoTopic("win-10", "#"), { qos: 1 });
		const publisher = await client();
		// An empty status that is not retained, and an empty retained message on an event kind.
		await publisher.publishAsync(demoTopic("win-10", "status"), "", { qos: 1 });
		await publisher.publishAsync(demoTopic("win-10", "rating"), "", { qos: 1, retain: true });
		await until(notJson, (n) => n === (Number.isNaN(before) ? 0 : before) + 2, { what: "two not_json rejections" });
		// Markers on the same topics, from the same publisher, after: delivered in order per topic
		// (MQTT-4.6.0-6), so a forwarded empty message would arrive before them.
		const markers = [status(true), rating()];
		await publisher.publishAsync(demoTopic("win-10", "status"), markers[0] as string, { qos: 1 });
		await publisher.publishAsync(demoTopic("win-10", "rating"), markers[1] as string, { qos: 1 });
		await until(
			() => got.length,
			(n) => n >= 2,
			{ what: "the two markers" },
		);
		expect(got.map((g) => g.body)).toEqual(markers);
	});
});

describe("Will messages (MQTT-3.1.2-8 … -10, -17; MQTT-3.14.4-3)", () => {
	const willOf = (node: string, body: string) => ({
		topic: demoTopic(node, "status"),
		payload: Buffer.from(body),
		qos: 1 as const,
		retain: true,
	});

	it("publishes the Will, retained, when the connection is lost without DISCONNECT (MQTT-3.1.2-8/17)", async () => {
		const body = status(false);
		const watcher = await client();
		const got = collect(watcher);
		await watcher.subscribeAsync(demoTopic("win-02", "status"), { qos: 1 });
		const r = await raw({ clientId: "will-lost", will: willOf("win-02", body) });
		expect(await r.take("connack")).toMatchObject({ returnCode: 0 });
		r.destroy(); // the network fails: no DISCONNECT
		await until(
			() => got.length,
			(n) => n === 1,
			{ what: "the Will" },
		);
		expect(got[0]).toMatchObject({ body, qos: 1 });
		// Published with RETAIN=1 (MQTT-3.1.2-17): a later subscriber gets it as state.
		const late = await client();
		const stored = collect(late);
		await late.subscribeAsync(demoTopic("win-02", "status"), { qos: 1 });
		await until(
			() => stored.length,
			(n) => n === 1,
			{ what: "the retained Will" },
		);
		expect(stored[0]).toMatchObject({ body, retain: true });
		// MQTT-3.1.2-10: published once, then removed from the session store …
		await until(
			() => store().getWill({ id: "will-lost" }),
			(w) => !w,
			{ what: "the Will removed from the store" },
		);
		// … and nothing more on its topic before a marker published after it.
		const marker = status(true);
		await (await client()).publishAsync(demoTopic("win-02", "status"), marker, { qos: 1 });
		await until(
			() => got.length,
			(n) => n >= 2,
			{ what: "the marker" },
		);
		expect(got.map((g) => g.body)).toEqual([body, marker]);
	});

	it("does not publish the Will after a clean DISCONNECT (MQTT-3.1.2-10, MQTT-3.14.4-3)", async () => {
		const watcher = await client();
		const got = collect(watcher);
		await watcher.subscribeAsync(demoTopic("win-03", "status"), { qos: 1 });
		const c = await client({ clientId: "will-clean", will: willOf("win-03", status(false)) });
		await c.endAsync(); // sends DISCONNECT
		// The broker has let the client go and dropped its Will (aedes publishes a Will before either) …
		await until(connectedIds, (ids) => !ids.includes("will-clean"), { what: "the client gone" });
		await until(
			() => store().getWill({ id: "will-clean" }),
			(w) => !w,
			{ what: "the Will dropped" },
		);
		// … and a marker on the Will's topic is the first thing the watcher gets.
		const marker = status(true);
		await (await client()).publishAsync(demoTopic("win-03", "status"), marker, { qos: 1 });
		await until(
			() => got.length,
			(n) => n >= 1,
			{ what: "the marker" },
		);
		expect(got.map((g) => g.body)).toEqual([marker]);
	});
});

describe("keep-alive (MQTT-3.1.2-24)", () => {
	it("closes a client silent for 1.5 × its keep-alive, as if the network had failed (its Will is published)", async () => {
		const body = status(false);
		const watcher = await client();
		const got = collect(watcher);
		await watcher.subscribeAsync(demoTopic("win-04", "status"), { qos: 1 });
		const r = await raw({
			clientId: "silent",
			keepalive: 1,
			will: { topic: demoTopic("win-04", "status"), payload: Buffer.from(body), qos: 1, retain: false },
		});
		// The broker's timer (1.5 × keep-alive) started before it wrote the CONNACK; one of 2 s starts
		// now. Timers fire in the order they fall due however loaded the machine is, so "not long
		// after 1.5 s" is: the broker gave up on the client before the 2 s timer.
		const order: string[] = [];
		hub.broker.aedes.on("keepaliveTimeout", (c) => {
			if (c.id === "silent") order.push("keep-alive expired");
		});
		expect(await r.take("connack")).toMatchObject({ returnCode: 0 });
		const since = Date.now();
		setTimeout(() => order.push("2 s"), 2_000);
		await r.closed;
		const after = Date.now() - since;
		// Not before 1.5 s.
		expect(after).toBeGreaterThanOrEqual(1_400);
		await until(
			() => order.length,
			(n) => n === 2,
			{ what: "the 2 s timer" },
		);
		expect(order).toEqual(["keep-alive expired", "2 s"]);
		await until(
			() => got.length,
			(n) => n === 1,
			{ what: "the Will of the silent client" },
		);
		expect(got[0]?.body).toBe(body);
	});

	it("keeps a client that sends PINGREQ within the keep-alive (MQTT-3.1.2-23, MQTT-3.12.4-1)", async () => {
		// Keep-alive 2 s: silent, the client would be closed after 3 s. It pings every half second
		// for longer than that (a loaded machine may stretch a half second a lot before the 3 s
		// are at risk), and each PINGREQ gets its PINGRESP.
		const r = await raw({ clientId: "pinger", keepalive: 2 });
		expect(await r.take("connack")).toMatchObject({ returnCode: 0 });
		const since = Date.now();
		while (Date.now() - since < 4_000) {
			await sleep(500);
			r.send({ cmd: "pingreq" });
			await r.take("pingresp", 5_000);
		}
		expect(r.isClosed()).toBe(false);
		r.destroy();
	});
});

describe("QoS 1 and persistent sessions (MQTT-3.1.2-5, MQTT-4.4.0-1, MQTT-3.3.1-1)", () => {
	it("redelivers an unacknowledged QoS 1 message with DUP=1 and the same packet id after reconnect", async () => {
		const TOPIC = demoTopic("win-05", "rating");
		const first = await raw({ clientId: "dup-keeper", clean: false });
		expect(await first.take("connack")).toMatchObject({ returnCode: 0, sessionPresent: false });
		expect(await rawSubscribe(first, TOPIC, 1)).toEqual([1]);

		const body = rating();
		const publisher = await client();
		await publisher.publishAsync(TOPIC, body, { qos: 1 });
		const original = (await first.take("publish")) as IPublishPacket;
		expect(original).toMatchObject({ topic: TOPIC, qos: 1, dup: false });
		expect(original.payload.toString()).toBe(body);
		first.destroy(); // gone without PUBACK
		await first.closed;

		const second = await raw({ clientId: "dup-keeper", clean: false });
		expect(await second.take("connack")).toMatchObject({ returnCode: 0, sessionPresent: true }); // MQTT-3.2.2-2
		const again = (await second.take("publish")) as IPublishPacket;
		expect(again).toMatchObject({ topic: TOPIC, qos: 1, dup: true, messageId: original.messageId });
		expect(again.payload.toString()).toBe(body);
		second.send({ cmd: "puback", messageId: again.messageId ?? 0 });
		await until(
			() => outgoing("dup-keeper"),
			(n) => n === 0,
			{ what: "the acknowledged message gone from the session" },
		);
		second.send({ cmd: "disconnect" });
		await second.closed;

		// Acknowledged: not sent a third time. The first PUBLISH on the resumed session is a new one.
		const third = await raw({ clientId: "dup-keeper", clean: false });
		expect(await third.take("connack")).toMatchObject({ sessionPresent: true });
		const marker = rating();
		await publisher.publishAsync(TOPIC, marker, { qos: 1 });
		const next = (await third.take("publish")) as IPublishPacket;
		expect(next).toMatchObject({ topic: TOPIC, dup: false });
		expect(next.payload.toString()).toBe(marker);
		third.send({ cmd: "puback", messageId: next.messageId ?? 0 });
		third.send({ cmd: "disconnect" });
	});

	it("queues QoS 1 messages for an absent clean=false subscriber and delivers them in order, DUP=0 (MQTT-3.1.2-5)", async () => {
		const TOPIC = demoTopic("win-06", "rating");
		const away = await client({ clientId: "away", clean: false });
		await away.subscribeAsync(TOPIC, { qos: 1 });
		await away.endAsync();
		const publisher = await client();
		const bodies = [rating(), rating(), rating()];
		for (const b of bodies) await publisher.publishAsync(TOPIC, b, { qos: 1 });

		const back = await raw({ clientId: "away", clean: false });
		expect(await back.take("connack")).toMatchObject({ sessionPresent: true });
		const got: IPublishPacket[] = [];
		for (const _ of bodies) {
			const p = (await back.take("publish")) as IPublishPacket;
			got.push(p);
			back.send({ cmd: "puback", messageId: p.messageId ?? 0 });
		}
		expect(got.map((p) => p.payload.toString())).toEqual(bodies);
		// Never sent before: these are first deliveries, not redeliveries.
		expect(got.map((p) => p.dup)).toEqual([false, false, false]);
		back.send({ cmd: "disconnect" });
	});
});

describe("session takeover (MQTT-3.1.4-2)", () => {
	it("closes the first connection when a second one connects with the same client id", async () => {
		const first = await client({ clientId: "twin" });
		const closed = new Promise<void>((resolve) => first.once("close", () => resolve()));
		const second = await client({ clientId: "twin" });
		await closed;
		expect(first.connected).toBe(false);
		expect(second.connected).toBe(true);
		// The survivor is the one served.
		const got = collect(second);
		await second.subscribeAsync(demoTopic("win-07", "rating"), { qos: 1 });
		const body = rating();
		await (await client()).publishAsync(demoTopic("win-07", "rating"), body, { qos: 1 });
		await until(
			() => got.length,
			(n) => n === 1,
			{ what: "a message to the new connection" },
		);
		expect(got[0]?.body).toBe(body);
		const text = await (await fetch(`${hub.httpUrl}/metrics`)).text();
		expect(metric(text, 'vikno_mqtt_disconnects_total{reason="takeover"}')).toBeGreaterThanOrEqual(1);
	});
});

describe("unsubscribe (MQTT-3.10.4-1/2/4/5)", () => {
	it("sends UNSUBACK and no more messages on the filter afterwards", async () => {
		const TOPIC = demoTopic("win-08", "rating");
		const MARKER = demoTopic("win-08", "status");
		const r = await raw({ clientId: "unsubscriber" });
		await r.take("connack");
		expect(await rawSubscribe(r, TOPIC, 1, 7)).toEqual([1]);
		expect(await rawSubscribe(r, MARKER, 1, 6)).toEqual([1]);
		const publisher = await client();
		await publisher.publishAsync(TOPIC, rating(), { qos: 1 });
		const p = (await r.take("publish")) as IPublishPacket;
		r.send({ cmd: "puback", messageId: p.messageId ?? 0 });

		r.send({ cmd: "unsubscribe", messageId: 8, unsubscriptions: [TOPIC] });
		expect(await r.take("unsuback")).toMatchObject({ messageId: 8 });
		await publisher.publishAsync(TOPIC, rating(), { qos: 1 });
		// A marker from the same publisher, after: the first PUBLISH r gets must be it.
		const marker = status(true);
		await publisher.publishAsync(MARKER, marker, { qos: 1 });
		const next = (await r.take("publish")) as IPublishPacket;
		expect(next.topic).toBe(MARKER);
		expect(next.payload.toString()).toBe(marker);
		expect(r.inbox.filter((x) => x.cmd === "publish")).toEqual([]);

		// A filter the client never had is still answered (MQTT-3.10.4-5).
		r.send({ cmd: "unsubscribe", messageId: 9, unsubscriptions: ["vikno/v1/demo/never/#"] });
		expect(await r.take("unsuback")).toMatchObject({ messageId: 9 });
		r.destroy();
	});
});

/**
 * MQTT-3.3.5-1: a message matching several subscriptions of one client MUST be delivered with the
 * maximum QoS of those subscriptions, and MAY be delivered once per matching subscription.
 * Returns the QoS of each copy the subscriber received.
 */
async function overlap(url: string, node: string, filters: [string, 0 | 1][]): Promise<number[]> {
	const sub = await client({}, url);
	const got = collect(sub);
	for (const [filter, qos] of filters) await sub.subscribeAsync(filter, { qos });
	const publisher = await client({}, url);
	const body = rating();
	await publisher.publishAsync(demoTopic(node, "rating"), body, { qos: 1 });
	// A marker on the same topic at the same QoS, after: every copy of the first is delivered
	// before any copy of it (MQTT-4.6.0-6, per topic and publisher).
	const marker = rating();
	await publisher.publishAsync(demoTopic(node, "rating"), marker, { qos: 1 });
	await until(
		() => got.some((g) => g.body === marker),
		(ok) => ok,
		{ what: "the marker after the overlapping delivery" },
	);
	sub.end(true);
	publisher.end(true);
	return got.filter((g) => g.body === body).map((g) => g.qos);
}

/** Two wildcard filters, the second with the higher QoS. */
const wildcards = (node: string): [string, 0 | 1][] => [
	["vikno/v1/demo/+/rating", 0],
	[`vikno/v1/demo/${node}/#`, 1],
];
/** The topic itself at QoS 0 beside a wildcard at QoS 1. */
const exactAndWildcard = (node: string): [string, 0 | 1][] => [
	[demoTopic(node, "rating"), 0],
	[`vikno/v1/demo/${node}/#`, 1],
];

describe("overlapping subscriptions (MQTT-3.3.5-1)", () => {
	it("delivers a message matching two wildcard filters once, at the higher QoS", async () => {
		// aedes sends each message to a client once, whatever the number of matching filters.
		expect(await overlap(hub.mqttUrl, "win-09", wildcards("win-09"))).toEqual([1]);
	});

	it("known deviation: beside the topic's own filter at QoS 0, a wildcard at QoS 1 does not raise the QoS", async () => {
		// aedes delivers at the QoS of the filter equal to the topic, where MQTT-3.3.5-1 asks for
		// the maximum (1). mosquitto 2.0 does the same (below). Vikno's nodes subscribe to one
		// filter; a service wanting QoS 1 must not also subscribe to the same topics at QoS 0.
		expect(await overlap(hub.mqttUrl, "win-09", exactAndWildcard("win-09"))).toEqual([0]);
	});

	it.skipIf(!mosquittoAvailable)("mosquitto 2 behaves the same in both cases", async () => {
		const m = await startMosquitto();
		try {
			expect(await overlap(m.url, "win-09", wildcards("win-09"))).toEqual([1]);
			expect(await overlap(m.url, "win-09", exactAndWildcard("win-09"))).toEqual([0]);
		} finally {
			await m.stop();
		}
	});
});
