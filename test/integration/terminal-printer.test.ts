/**
 * The ticket terminal with the simulated printer (the fake at the hardware boundary: ESC/POS bytes
 * to a file) against a real hub: a press prints a ticket whose decoded text and QR payload are
 * checked — people ahead and the estimate from the hub's `$hub/live`, read under the terminal's
 * own credential — and the hub verifies the QR link's token with the terminal's key, refusing a
 * forged or altered one. With the hub unreachable the ticket still prints within a second, without
 * the figures, and its `issued` event reaches the hub once it is back, once. A printer out of
 * paper is in the terminal's status and raises the printer alert, resolved when it prints again.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeviceRegistry, registryPath } from "../../broker/registry.ts";
import type { Centre } from "../../core/centre.ts";
import { SimDriver } from "../../edge/drivers/sim.ts";
import { parseEdgeConfig } from "../../edge/load-config.ts";
import { type EdgeNode, startEdge } from "../../edge/node.ts";
import type { Hub } from "../../server/hub.ts";
import { decodeEscPos, texts } from "../fixtures/escpos.ts";
import { demoTopic, payload } from "../fixtures/events.ts";
import { demoCentre, startTestHub, tempDir } from "../fixtures/hub.ts";
import { until } from "../fixtures/wait.ts";

let dir: ReturnType<typeof tempDir>;
let hub: Hub;
let hubOpen = false;
let node: EdgeNode;
let client: MqttClient;
const sim = new SimDriver();
let printerFile: string;
let credential: { username: string; password: string; ticketKey?: string };

// Open round the clock, so the hub has an estimate whenever the test runs.
const allDay = ["00:00-24:00"];
const centre: Centre = {
	...demoCentre(),
	hours: { mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay, sun: allDay },
};
const startHub = (mqttPort = 0) => startTestHub(dir.path, { centres: [centre], mqttPort, alertEveryMs: 100 });
const printed = () => (existsSync(printerFile) ? readFileSync(printerFile) : Buffer.alloc(0));
const tickets = () => decodeEscPos(printed()).tickets;
const issuedCount = async (ticket: string) =>
	(await hub.store.readRange("demo", 0, Number.MAX_SAFE_INTEGER)).filter(
		(e) => e.kind === "queue" && (e.data as { ticket?: string }).ticket === ticket,
	).length;

/** Press and wait for the next ticket on paper; returns it and how long it took. */
async function pressForTicket(input = "passport") {
	const before = tickets().length;
	const start = Date.now();
	sim.tap(input);
	await until(
		() => tickets().length,
		(n) => n > before,
		{ what: "a ticket printed", intervalMs: 5 },
	);
	return { ticket: tickets()[before], ms: Date.now() - start };
}

beforeAll(async () => {
	dir = tempDir();
	printerFile = join(dir.path, "printer", "terminal-1.escpos");
	credential = await new DeviceRegistry(registryPath(dir.path)).add(
		{ kind: "node", centre: "demo", node: "terminal-1" },
		{ ticketKey: true },
	);
	hub = await startHub();
	hubOpen = true;
	client = await mqtt.connectAsync(hub.mqttUrl, { protocolVersion: 4, reconnectPeriod: 0 });
	// Window 1 (passports) is open: the hub can estimate.
	await client.publishAsync(
		demoTopic("win-01", "status"),
		JSON.stringify(payload({ online: true, version: "1", uptimeS: 1, buffered: 0 })),
		{ qos: 1, retain: true },
	);
	const config = parseEdgeConfig(
		{
			centre: "demo",
			node: "terminal-1",
			role: "terminal",
			dataDir: join(dir.path, "edge"),
			broker: {
				url: hub.mqttUrl,
				username: credential.username,
				password: credential.password,
				keepaliveS: 5,
				reconnectMinMs: 50,
				reconnectMaxMs: 300,
			},
			driver: { type: "sim", debounceMs: 0 },
			inputs: [
				{ name: "passport", pin: 2 },
				{ name: "priority", pin: 3 },
			],
			terminal: {
				buttons: [
					{ input: "passport", service: "passports", prefix: "A", label: "Паспорти та ID-картки" },
					{ input: "priority", service: "passports", prefix: "P", priority: "military", label: "Паспорти" },
				],
				printer: {
					connection: "sim",
					path: printerFile,
					centreName: "ЦНАП «Віза»",
					publicUrl: "https://cnap.example.org",
					ticketKey: credential.ticketKey,
					checkEveryS: 1,
				},
			},
		},
		"terminal.yaml",
	);
	node = await startEdge(config, { driver: sim });
}, 30_000);

afterAll(async () => {
	await node?.close();
	await client?.endAsync(true);
	if (hubOpen) await hub.close();
	dir.remove();
});

describe("printed tickets", () => {
	it("prints the centre, service, number, time, people ahead, the estimate and a QR link the hub verifies", async () => {
		// Two visitors before: the terminal's summary from the hub says so.
		await pressForTicket();
		await pressForTicket();
		// The estimate follows within seconds (the hub re-estimates at most every second or five).
		await until(
			() => node.hubLive(),
			(s) => {
				const p = s?.services.find((x) => x.id === "passports");
				return p?.waiting === 2 && p.estimate !== null;
			},
			{ what: "the hub's summary with an estimate at the terminal" },
		);

		const { ticket, ms } = await pressForTicket();
		expect(ms).toBeLessThan(1_000);
		const lines = texts(ticket as ReturnType<typeof decodeEscPos>);
		expect(lines.slice(0, 3)).toEqual(["ЦНАП «Віза»", "Паспорти та ID-картки", "A003"]);
		expect(lines[3]).toMatch(/^\d\d\.\d\d\.\d{4} {2}\d\d:\d\d$/);
		expect(lines[4]).toBe("Перед вами: 2");
		expect(lines[5]).toMatch(/^Очікування: (\d+–\d+|близько \d+) хв$/);
		const qr = ticket?.qr ?? [];
		expect(qr).toHaveLength(1);
		const url = new URL(qr[0] as string);
		expect(`${url.origin}${url.pathname}`).toBe("https://cnap.example.org/c/demo/t/A003");
		const token = url.searchParams.get("k") ?? "";
		expect(hub.verifyTicketLink("demo", "A003", token)).toMatchObject({ ok: true, node: "terminal-1" });

		// The event reached the hub once the ticket was on paper.
		await until(
			() => issuedCount("A003"),
			(n) => n === 1,
			{ what: "A003 issued at the hub" },
		);
	});

	it("refuses a forged or altered token", async () => {
		const link = new URL(tickets()[2]?.qr[0] as string);
		const token = link.searchParams.get("k") ?? "";
		const flip = (t: string, i: number) => `${t.slice(0, i)}${t[i] === "A" ? "B" : "A"}${t.slice(i + 1)}`;
		expect(hub.verifyTicketLink("demo", "A004", token)).toEqual({ ok: false, reason: "bad_token" });
		expect(hub.verifyTicketLink("demo", "A003", flip(token, 0))).toEqual({ ok: false, reason: "bad_token" });
		expect(hub.verifyTicketLink("demo", "A003", flip(token, 21))).toEqual({ ok: false, reason: "bad_token" });
		expect(hub.verifyTicketLink("demo", "A003", "AAAAAAAAAAAAAAAAAAAAAA")).toEqual({ ok: false, reason: "bad_token" });
		expect(hub.verifyTicketLink("demo", "A003", `${token}=`)).toEqual({ ok: false, reason: "bad_token" });
		expect(hub.verifyTicketLink("lutsk", "A003", token)).toEqual({ ok: false, reason: "unknown_centre" });
	});

	it("prints within a second while the hub is unreachable, without its figures, and delivers the event once later", async () => {
		const port = hub.mqttPort;
		await hub.close();
		hubOpen = false;
		await until(
			() => node.link.isConnected,
			(c) => !c,
			{ what: "the terminal to see the hub gone" },
		);
		const { ticket, ms } = await pressForTicket("priority");
		expect(ms).toBeLessThan(1_000);
		const lines = texts(ticket as ReturnType<typeof decodeEscPos>);
		expect(lines).toContain("P001");
		expect(lines).toContain("Пільгова черга: military");
		expect(lines).toContain("Стежте за табло в залі");
		expect(lines.some((l) => l.startsWith("Перед вами"))).toBe(false);
		const token = new URL(ticket?.qr[0] as string).searchParams.get("k") ?? "";

		hub = await startHub(port);
		hubOpen = true;
		await until(
			() => issuedCount("P001"),
			(n) => n === 1,
			{ what: "P001 issued at the hub after it came back" },
		);
		// Printed offline, verified by the hub with the terminal's key.
		expect(hub.verifyTicketLink("demo", "P001", token)).toMatchObject({ ok: true });
		// Once: a marker event sent after it by the same terminal arrives, and P001 is still once.
		await pressForTicket();
		await until(
			() => issuedCount("A004"),
			(n) => n === 1,
			{ what: "the marker ticket A004" },
		);
		expect(await issuedCount("P001")).toBe(1);
	}, 30_000);

	it("reports paper out in its status, prints nothing and queues nothing, and the hub raises the printer alert", async () => {
		writeFileSync(`${printerFile}.state`, "paper_out");
		const before = tickets().length;
		sim.tap("passport");
		const alertOf = () => hub.insights.activeAlerts("demo").find((a) => a.key === "printer:terminal-1");
		await until(
			() => alertOf()?.severity,
			(s) => s === "warning",
			{ what: "the printer alert" },
		);
		expect(hub.live.state("demo")?.nodes.get("terminal-1")?.printer).toBe("paper_out");
		expect(tickets().length).toBe(before);
		expect(await issuedCount("A005")).toBe(0);

		rmSync(`${printerFile}.state`);
		const { ticket } = await pressForTicket();
		// The number of the unprinted ticket was skipped, never given twice.
		expect(texts(ticket as ReturnType<typeof decodeEscPos>)).toContain("A006");
		await until(
			() => alertOf(),
			(a) => a === undefined,
			{ what: "the printer alert resolved" },
		);
	}, 30_000);
});
