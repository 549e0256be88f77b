/**
 * MQTT over TLS (a certificate made in the test; optional client certificates) and over
 * WebSocket at /mqtt on the hub's HTTP port: MQTT.js, mosquitto_pub and headless Chromium.
 */
import { execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeviceRegistry, registryPath } from "../../broker/registry.ts";
import type { Hub } from "../../server/hub.ts";
import { launchBrowser } from "../fixtures/browser.ts";
import { demoTopic, payload } from "../fixtures/events.ts";
import { metric, startTestHub, tempDir } from "../fixtures/hub.ts";
import { makePki, type TestPki } from "../fixtures/tls.ts";
import { until } from "../fixtures/wait.ts";

const dir = tempDir("vikno-broker-tls-");
const pkiDir = tempDir("vikno-pki-");
let pki: TestPki;
let hub: Hub;
let password = "";

beforeAll(async () => {
	pki = makePki(pkiDir.path);
	password = (await new DeviceRegistry(registryPath(dir.path)).add({ kind: "node", centre: "demo", node: "win-01" }))
		.password;
	await new DeviceRegistry(registryPath(dir.path)).add({ kind: "node", centre: "demo", node: "win-02" });
	hub = await startTestHub(dir.path, {
		broker: {
			persistence: { kind: "memory" },
			tls: { port: 0, certFile: pki.certFile, keyFile: pki.keyFile, caFile: pki.caFile, clientCerts: "optional" },
		},
	});
}, 120_000);

afterAll(async () => {
	await hub?.close();
	dir.remove();
	pkiDir.remove();
});

const stored = async (node: string) =>
	(await hub.store.readRange("demo", 0, Number.MAX_SAFE_INTEGER)).filter((e) => e.node === node).length;

describe("TLS", () => {
	it("serves MQTT.js with a password over TLS, verifying the server against the test CA", async () => {
		const c = await mqtt.connectAsync(`mqtts://127.0.0.1:${hub.broker.tlsPort}`, {
			protocolVersion: 4,
			reconnectPeriod: 0,
			ca: readFileSync(pki.caFile),
			clientId: "demo/win-01",
			username: "demo/win-01",
			password,
		});
		await c.publishAsync(demoTopic("win-01", "rating"), JSON.stringify(payload({ score: 5 })), { qos: 1 });
		await c.endAsync();
		expect(await stored("win-01")).toBe(1);
	});

	it("logs a device in by its client certificate alone (mosquitto_pub)", async () => {
		const cert = pki.client("demo/win-02");
		const code = await new Promise<number | null>((resolve) => {
			const child = spawn("mosquitto_pub", [
				"-h",
				"127.0.0.1",
				"-p",
				String(hub.broker.tlsPort),
				"--cafile",
				pki.caFile,
				"--cert",
				cert.certFile,
				"--key",
				cert.keyFile,
				"-i",
				"demo/win-02",
				"-q",
				"1",
				"-t",
				demoTopic("win-02", "rating"),
				"-m",
				JSON.stringify(payload({ score: 4 })),
			]);
			child.on("exit", resolve);
		});
		expect(code).toBe(0);
		await until(
			() => stored("win-02"),
			(n) => n === 1,
			{ what: "win-02's rating" },
		);
	});

	it("does not take a certificate for a device without a credential, nor a plain TCP client on the TLS port", async () => {
		const cert = pki.client("demo/win-07");
		await expect(
			mqtt.connectAsync(`mqtts://127.0.0.1:${hub.broker.tlsPort}`, {
				protocolVersion: 4,
				reconnectPeriod: 0,
				ca: readFileSync(pki.caFile),
				cert: readFileSync(cert.certFile),
				key: readFileSync(cert.keyFile),
				clientId: "demo/win-07",
			}),
		).rejects.toThrow(/Bad username or password/i);
		// Plain MQTT on the TLS port: the handshake fails and the socket is closed, no CONNACK.
		const plain = connect({ port: hub.broker.tlsPort as number, host: "127.0.0.1" });
		plain.on("error", () => {});
		let answer = Buffer.alloc(0);
		plain.on("data", (b: Buffer) => {
			answer = Buffer.concat([answer, b]);
		});
		plain.write(Buffer.from([0x10, 0x0e, 0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 2, 0, 30, 0, 2, 0x61, 0x62]));
		await new Promise((resolve) => plain.once("close", resolve));
		expect(answer[0]).not.toBe(0x20);
	});
});

describe("WebSocket", () => {
	it("serves MQTT.js over ws:// at /mqtt on the HTTP port", async () => {
		const url = hub.httpUrl.replace(/^http/, "ws");
		const c = await mqtt.connectAsync(`${url}/mqtt`, {
			protocolVersion: 4,
			reconnectPeriod: 0,
			clientId: "demo/win-01",
			username: "demo/win-01",
			password,
		});
		const before = await stored("win-01");
		await c.publishAsync(demoTopic("win-01", "rating"), JSON.stringify(payload({ score: 3 })), { qos: 1 });
		await c.endAsync();
		expect(await stored("win-01")).toBe(before + 1);
	});

	it("serves a page in headless Chromium that subscribes over a browser WebSocket", async () => {
		const browser = await launchBrowser();
		try {
			const page = await browser.newPage();
			await page.goto(`${hub.httpUrl}/healthz`);
			// A minimal MQTT 3.1.1 client in the page: CONNECT, SUBSCRIBE, wait for one PUBLISH.
			const received = page.evaluate(
				(wsUrl) =>
					new Promise<string>((resolve, reject) => {
						const enc = new TextEncoder();
						const str = (s: string) => {
							const b = enc.encode(s);
							return [b.length >> 8, b.length & 255, ...b];
						};
						const frame = (first: number, body: number[]) => new Uint8Array([first, body.length, ...body]);
						const ws = new WebSocket(wsUrl, "mqtt");
						ws.binaryType = "arraybuffer";
						ws.onerror = () => reject(new Error("websocket error"));
						ws.onopen = () => {
							ws.send(frame(0x10, [...str("MQTT"), 4, 2, 0, 30, ...str("browser-1")]));
							ws.send(frame(0x82, [0, 1, ...str("vikno/v1/demo/$hub/browser-test"), 0]));
						};
						ws.onmessage = (m) => {
							const b = new Uint8Array(m.data as ArrayBuffer);
							if (b[0] === 0x90) (window as unknown as { subscribed: boolean }).subscribed = true;
							if ((b[0] ?? 0) >> 4 === 3) {
								const topicLength = ((b[2] ?? 0) << 8) | (b[3] ?? 0);
								resolve(new TextDecoder().decode(b.subarray(4 + topicLength)));
							}
						};
					}),
				`${hub.httpUrl.replace(/^http/, "ws")}/mqtt`,
			);
			await page.waitForFunction(() => (window as unknown as { subscribed?: boolean }).subscribed === true);
			hub.broker.aedes.publish(
				{
					cmd: "publish",
					topic: "vikno/v1/demo/$hub/browser-test",
					payload: Buffer.from("привіт"),
					qos: 0,
					retain: false,
					dup: false,
				},
				() => {},
			);
			expect(await received).toBe("привіт");
		} finally {
			await browser.close();
		}
	}, 120_000);

	it("counts messages in and out by QoS", async () => {
		const m = await (await fetch(`${hub.httpUrl}/metrics`)).text();
		expect(metric(m, 'vikno_mqtt_messages_received_total{qos="1"}')).toBeGreaterThanOrEqual(3);
		expect(metric(m, 'vikno_mqtt_messages_sent_total{qos="0"}')).toBeGreaterThanOrEqual(1);
	});
});

describe("the listen queue", () => {
	// A restarted hub's nodes all come back at once: with Node's default queue of 511 the kernel
	// dropped their handshakes (ListenOverflows) and each waited for its SYN to be sent again.
	it("is as long as the kernel allows on the TCP and the TLS port (ss, the kernel's view)", () => {
		const somaxconn = Number(readFileSync("/proc/sys/net/core/somaxconn", "utf8").trim());
		for (const port of [hub.mqttPort, hub.broker.tlsPort]) {
			// For a listening socket, ss shows the queue's length as Send-Q.
			const out = execFileSync("ss", ["-Hltn", `sport = :${port}`], { encoding: "utf8" }).trim();
			const [state, , sendQ] = out.split(/\s+/);
			expect(state).toBe("LISTEN");
			expect(Number(sendQ)).toBe(Math.min(4096, somaxconn));
		}
	});
});
