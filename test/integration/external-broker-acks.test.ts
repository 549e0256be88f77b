/**
 * The hub's acknowledgements to an external broker (broker/external.ts), against Debian's
 * mosquitto 2 with MQTT.js as the device: the messages in flight on one connection are all handed
 * to ingest at once (one group commit, not one commit each), and each is acknowledged only once
 * durable and only after every message that came before it on its connection — which mosquitto
 * shows by what it delivers again to the hub's session after a reconnect. mosquitto is one of the
 * test command's packages (test/setup/system-packages.sh), so these run wherever the suite does.
 */
import mqtt from "mqtt";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connectExternalBroker, type ExternalBroker } from "../../broker/external.ts";
import { demoTopic, payload } from "../fixtures/events.ts";
import { type Mosquitto, startMosquitto } from "../fixtures/mosquitto.ts";
import { until } from "../fixtures/wait.ts";

let mosquitto: Mosquitto;
const hubs: ExternalBroker[] = [];

beforeAll(async () => {
	mosquitto = await startMosquitto();
});
afterEach(async () => {
	for (const h of hubs.splice(0)) await h.close();
});
afterAll(async () => {
	await mosquitto?.stop();
});

interface Held {
	id: string;
	resolve(): void;
	reject(err: Error): void;
}

/** A hub process's one connection to mosquitto, its events handed to `admit`. */
async function hubOn(clientId: string, admit: (id: string) => Promise<void>): Promise<ExternalBroker> {
	const hub = await connectExternalBroker({
		url: mosquitto.url,
		clientId,
		group: clientId,
		connections: 1,
		admit: (_topic, message) => admit((JSON.parse(message.toString()) as { id: string }).id),
	});
	hubs.push(hub);
	return hub;
}

/** A hub whose ingest holds each event until the test settles it. */
async function holdingHub(clientId: string) {
	const held: Held[] = [];
	const hub = await hubOn(clientId, (id) => new Promise<void>((resolve, reject) => held.push({ id, resolve, reject })));
	return { hub, held };
}

/** A hub whose ingest takes every event at once; the ids it got, in order. */
async function takingHub(clientId: string) {
	const got: string[] = [];
	const hub = await hubOn(clientId, async (id) => {
		got.push(id);
	});
	return { hub, got };
}

/** Ratings published by a device (QoS 1 unless told); their ids in order. */
async function publish(n: number, qos: 0 | 1 = 1): Promise<string[]> {
	const device = await mqtt.connectAsync(mosquitto.url, { protocolVersion: 5, clientId: "win-01", reconnectPeriod: 0 });
	const ids: string[] = [];
	for (let i = 0; i < n; i++) {
		const e = payload({ score: 1 + (i % 5) });
		ids.push(e.id);
		await device.publishAsync(demoTopic("win-01", "rating"), JSON.stringify(e), { qos });
	}
	await device.endAsync();
	return ids;
}

describe("the hub's acknowledgements to an external broker", () => {
	it("hands every message in flight on a connection to ingest before the first is durable", async () => {
		const { held } = await holdingHub("acks-pipeline");
		const ids = await publish(5);
		// One connection, nothing durable yet: all five are in ingest together.
		await until(
			() => held.map((h) => h.id),
			(got) => got.length === 5,
			{ what: "five events handed to ingest at once" },
		);
		expect(held.map((h) => h.id)).toEqual(ids);
		for (const h of held) h.resolve();
	});

	it("acknowledges in arrival order: a later event durable first waits for the earlier ones", async () => {
		const first = await holdingHub("acks-order");
		const ids = await publish(5);
		await until(
			() => first.held.length,
			(n) => n === 5,
			{ what: "five events handed to ingest" },
		);
		const [h0, h1, h2, h3, h4] = first.held as [Held, Held, Held, Held, Held];
		// The second, then the first durable; the fourth and fifth durable, the third never.
		h1.resolve();
		h0.resolve();
		h3.resolve();
		h4.resolve();
		void h2;
		await first.hub.close();
		hubs.splice(hubs.indexOf(first.hub), 1);

		// The same session again: mosquitto sends what was not acknowledged — the third and the two
		// behind it — and nothing that was, before what is published after.
		const again = await takingHub("acks-order");
		const [marker] = await publish(1);
		await until(
			() => again.got,
			(got) => got.includes(marker as string),
			{ what: "the event published after the reconnect" },
		);
		expect(again.got).toEqual([ids[2], ids[3], ids[4], marker]);
	});

	it("acknowledges nothing after an event that could not be made durable, and gets them all again", async () => {
		const { held } = await holdingHub("acks-refused");
		const ids = await publish(3);
		await until(
			() => held.length,
			(n) => n === 3,
			{ what: "three events handed to ingest" },
		);
		const [h0, h1, h2] = held as [Held, Held, Held];
		h1.resolve();
		h2.resolve();
		// The first cannot be made durable: the connection is made again and mosquitto delivers all
		// three once more (the second and third were durable, but their PUBACKs wait behind it).
		h0.reject(new Error("store and spool refused the batch"));
		await until(
			() => held.length,
			(n) => n === 6,
			{ what: "the three events delivered again", timeoutMs: 15_000 },
		);
		expect(held.slice(3).map((h) => h.id)).toEqual(ids);
		for (const h of held.slice(3)) h.resolve();
	});

	it("hands an event published at QoS 0 to ingest too", async () => {
		const { got } = await takingHub("acks-qos0");
		const ids = await publish(2, 0);
		await until(
			() => got,
			(g) => g.length === 2,
			{ what: "both QoS 0 events handed to ingest" },
		);
		expect(got).toEqual(ids);
	});
});
