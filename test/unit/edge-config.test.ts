import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadCentreFile } from "../../config/load.ts";
import { indexCentre } from "../../core/centre.ts";
import { EdgeConfigError, loadEdgeConfig, parseEdgeConfig } from "../../edge/load-config.ts";

const examples = fileURLToPath(new URL("../../config/edge/", import.meta.url));

const minimal = () => ({
	centre: "kr-viza",
	node: "w03",
	role: "window",
	broker: { url: "mqtt://127.0.0.1:1883" },
	inputs: [
		{ name: "r1", pin: 5 },
		{ name: "r2", pin: 6 },
		{ name: "r3", pin: 13 },
	],
	outputs: [{ name: "led", pin: 12 }],
	window: { window: "w03", ratingButtons: ["r1", "r2", "r3"], thanksLed: "led" },
});

function problems(doc: unknown, env: NodeJS.ProcessEnv = {}): string[] {
	try {
		parseEdgeConfig(doc, "edge.yaml", env);
		return [];
	} catch (e) {
		expect(e).toBeInstanceOf(EdgeConfigError);
		return (e as EdgeConfigError).problems.map((p) => `${p.path}: ${p.message}`);
	}
}

describe("edge config", () => {
	it.each(readdirSync(examples).filter((f) => f.endsWith(".yaml")))("example %s is valid", async (f) => {
		const c = await loadEdgeConfig(join(examples, f), {});
		expect(Object.isFrozen(c)).toBe(true);
		expect(Object.isFrozen(c.broker)).toBe(true);
	});

	it("fills defaults from the schema", () => {
		const c = parseEdgeConfig(minimal(), "edge.yaml");
		expect(c.driver).toMatchObject({ type: "sim", debounceMs: 30 });
		expect(c.outbox).toMatchObject({ maxEvents: 100_000, whenFull: "drop-oldest", fsync: true });
		expect(c.window?.lockoutS).toBe(10);
		expect(c.inputs[0]).toMatchObject({ activeLow: true, pull: "up" });
		expect(c.broker.keepaliveS).toBe(30);
		expect(c.bridge).toMatchObject({ enabled: false, host: "127.0.0.1" });
	});

	it("reports every problem at once with its path", () => {
		const doc = minimal() as Record<string, unknown>;
		doc.node = "W 03";
		doc.broker = { url: "http://hub", fallbackUrls: ["mqtt://hub-b:1883", "hub-c"] };
		doc.inputs = [
			{ name: "r1", pin: 5 },
			{ name: "r2", pin: 5 },
		];
		expect(problems(doc)).toEqual([
			expect.stringMatching(/^\/node: must match pattern/),
			expect.stringMatching(/^\/broker\/url: must match pattern/),
			expect.stringMatching(/^\/broker\/fallbackUrls\/1: must match pattern/),
		]);
		const refs = minimal();
		refs.inputs = [
			{ name: "r1", pin: 5 },
			{ name: "r2", pin: 5 },
		];
		refs.window.thanksLed = "lamp";
		expect(problems(refs)).toEqual([
			'/inputs/1/pin: pin 5 is also used by "r1"',
			'/window/ratingButtons/2: no input named "r3"',
			'/window/thanksLed: no output named "lamp"',
		]);
	});

	it("requires the role's own section", () => {
		const doc = { ...minimal(), role: "door" };
		expect(problems(doc)).toEqual(['/door: role is "door" but the "door" section is missing']);
	});

	it("takes secrets and the broker address from the environment", () => {
		const c = parseEdgeConfig(minimal(), "edge.yaml", {
			VIKNO_EDGE_BROKER_PASSWORD: "s3cret",
			VIKNO_EDGE_BROKER_URL: "mqtts://hub.example:8883",
		});
		expect(c.broker).toMatchObject({ password: "s3cret", url: "mqtts://hub.example:8883" });
	});

	it("checks a terminal's printer and takes its ticket key from the environment", () => {
		const terminal = (printer: object) => ({
			centre: "kr-viza",
			node: "terminal-1",
			role: "terminal",
			broker: { url: "mqtt://127.0.0.1:1883" },
			inputs: [{ name: "a", pin: 5 }],
			terminal: { buttons: [{ input: "a", service: "passports", prefix: "A" }], printer },
		});
		expect(problems(terminal({ connection: "device" }))).toEqual([
			"/terminal/printer/path: a device printer needs a path",
		]);
		expect(problems(terminal({ connection: "tcp" }))).toEqual(["/terminal/printer/host: a tcp printer needs a host"]);
		expect(problems(terminal({ connection: "tcp", host: "10.0.0.9", publicUrl: "ftp://x" }))).toHaveLength(1);
		const c = parseEdgeConfig(terminal({ connection: "tcp", host: "10.0.0.9" }), "edge.yaml", {
			VIKNO_EDGE_PRINTER_TICKET_KEY: "k".repeat(43),
		});
		expect(c.terminal?.printer).toMatchObject({
			port: 9100,
			codeTable: 46,
			hubWaitMs: 1000,
			ticketKey: "k".repeat(43),
		});
	});

	it("names the file when it cannot be read or parsed", async () => {
		await expect(loadEdgeConfig("/nonexistent/edge.yaml", {})).rejects.toThrow(
			/\/nonexistent\/edge\.yaml: \/: cannot read the file/,
		);
		expect(() => parseEdgeConfig([1, 2], "list.yaml")).toThrow(/list\.yaml: \/: the file must hold an object/);
	});
});

describe("example edge configs fit the demo centre", () => {
	const demo = indexCentre(loadCentreFile(fileURLToPath(new URL("../../config/centres/demo.yaml", import.meta.url))));
	const files = readdirSync(examples).filter((f) => f.endsWith(".yaml"));

	it.each(files)("%s names a node, window, zone and services the demo centre has", async (file) => {
		const c = await loadEdgeConfig(join(examples, file), {});
		expect(c.centre).toBe(demo.centre.id);
		const node = demo.nodes.get(c.node);
		expect(node, `node ${c.node}`).toBeDefined();
		expect(node?.role).toBe(c.role);
		// The broker's user name is "centre/node" and the client id must equal it (docs/broker.md).
		if (c.broker.username) expect(c.broker.username).toBe(`${c.centre}/${c.node}`);
		if (c.window) expect(c.window.window).toBe(node?.window);
		if (c.door) expect(demo.zones.has(c.door.zone)).toBe(true);
		for (const b of c.terminal?.buttons ?? []) expect(demo.services.has(b.service), b.service).toBe(true);
	});
});
