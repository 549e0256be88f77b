import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import net, { type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Aedes, type Client } from "aedes";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { simCommand } from "../../cli/sim.ts";
import type { StatusData } from "../../core/contract.ts";
import { replayTimeline } from "../../firmware-sim/replay.ts";
import type { TicketTruth } from "../../firmware-sim/truth.ts";
import { simulateWeek, type TimelineAction } from "../../firmware-sim/week.ts";
import { configCentre } from "../fixtures/centres.ts";

const demo = configCentre("demo");
const lutsk = configCentre("lutsk");

interface Received {
	topic: string;
	retain: boolean;
	payload: Record<string, unknown>;
}

let broker: Aedes;
let server: net.Server;
let url: string;
const clientIds = new Set<string>();

beforeAll(async () => {
	broker = await Aedes.createBroker();
	broker.on("client", (c: Client) => clientIds.add(c.id));
	server = net.createServer({ noDelay: true }, broker.handle);
	server.listen(0, "127.0.0.1");
	await once(server, "listening");
	url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
	await new Promise<void>((resolve) => server.close(() => resolve()));
	await new Promise<void>((resolve) => broker.close(() => resolve()));
});

/** Subscribes to every centre's events; drops the retained statuses left by earlier tests. */
async function listen(into: Received[], id: string): Promise<MqttClient> {
	const client = await mqtt.connectAsync(url, { protocolVersion: 4, clientId: id, clean: true, reconnectPeriod: 0 });
	client.on("message", (topic, bytes, packet) => {
		if (packet.retain) return;
		into.push({ topic, retain: packet.retain, payload: JSON.parse(bytes.toString()) as Record<string, unknown> });
	});
	await client.subscribeAsync("vikno/v1/#", { qos: 1 });
	return client;
}

async function until(what: string, ok: () => boolean, timeoutMs: number): Promise<void> {
	const end = Date.now() + timeoutMs;
	while (!ok()) {
		if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}

/** What a subscriber should receive for an action: the topic, `ts` = simulated time, the data. */
const expected = (a: TimelineAction) =>
	`vikno/v1/${a.centre}/${a.node}/${a.kind} ${JSON.stringify({ ts: a.at, ...a.data })}`;
const got = (r: Received) => {
	const { id: _id, ts, ...data } = r.payload;
	return `${r.topic} ${JSON.stringify({ ts, ...data })}`;
};
const events = (rs: Received[]) => rs.filter((r) => !r.topic.endsWith("/status"));

describe("replaying a simulated timeline through a real broker", () => {
	it("delivers every action once, in the timeline's order, stamped with simulated time", async () => {
		const { actions } = simulateWeek(demo, { startDay: "2025-03-13", days: 2, seed: 8 });
		const seen: Received[] = [];
		const sub = await listen(seen, "test-replay-sub");
		const progress: number[] = [];
		const result = await replayTimeline({
			centre: demo,
			brokerUrl: url,
			actions,
			onProgress: (done, total) => {
				expect(total).toBe(actions.length);
				progress.push(done);
			},
		});
		await until(
			"the nodes' goodbyes",
			() => seen.filter((r) => r.topic.endsWith("/status")).length >= 2 * demo.nodes.length,
			5000,
		);
		await sub.endAsync();
		console.log(`replayed ${result.published} actions in ${result.wallMs} ms (${result.perSecond}/s)`);

		expect(result.published).toBe(actions.length);
		expect(events(seen).map(got)).toEqual(actions.map(expected));
		const ids = events(seen).map((r) => String(r.payload.id));
		expect(new Set(ids).size).toBe(ids.length);
		// The UUIDv7 ids carry the simulated instant, as a real node's carry its clock.
		for (const r of events(seen).slice(0, 50)) {
			const ms = Number.parseInt(String(r.payload.id).replaceAll("-", "").slice(0, 12), 16);
			expect(ms).toBe(r.payload.ts);
		}
		expect(progress.at(-1)).toBe(actions.length);
		expect(progress).toEqual([...progress].sort((a, b) => a - b));
		expect([...clientIds]).toEqual(expect.arrayContaining(demo.nodes.map((n) => `replay-demo-${n.id}`)));

		// Each node came online at the first action and said goodbye at the last, in simulated time.
		const statuses = seen.filter((r) => r.topic.endsWith("/status")).map((r) => r.payload as unknown as StatusData);
		const first = actions[0]?.at;
		const last = actions.at(-1)?.at;
		expect(statuses.filter((s) => s.online).map((s) => s.ts)).toEqual(demo.nodes.map(() => first));
		expect(statuses.filter((s) => !s.online).map((s) => s.ts)).toEqual(demo.nodes.map(() => last));
		await until("replay clients gone", () => broker.connectedClients === 0, 5000);
	});

	it("replays several centres at once, and without the ordering every action still arrives once", async () => {
		const { actions } = simulateWeek([demo, lutsk], { startDay: "2025-03-15", days: 1, seed: 2 });
		expect(new Set(actions.map((a) => a.centre))).toEqual(new Set(["demo", "lutsk"]));
		const seen: Received[] = [];
		const sub = await listen(seen, "test-replay-sub-2");
		const r = await replayTimeline({ centre: [demo, lutsk], brokerUrl: url, actions, ordered: false, maxInFlight: 50 });
		await until("every action", () => events(seen).length >= actions.length, 5000);
		await sub.endAsync();
		expect(r.published).toBe(actions.length);
		expect(events(seen).map(got).sort()).toEqual(actions.map(expected).sort());
		await until("replay clients gone", () => broker.connectedClients === 0, 5000);
	});

	it("refuses an action of a node the centre does not have, before connecting", async () => {
		const before = clientIds.size;
		const stray = { at: Date.UTC(2025, 2, 10, 8), node: "win-99", kind: "rating", data: { score: 5 } } as const;
		await expect(replayTimeline({ centre: demo, brokerUrl: url, actions: [stray] })).rejects.toThrow(
			/unknown node "win-99"/,
		);
		expect(clientIds.size).toBe(before);
	});

	it("fails with a clear error when the broker cannot be reached", async () => {
		const probe = net.createServer();
		probe.listen(0, "127.0.0.1");
		await once(probe, "listening");
		const port = (probe.address() as AddressInfo).port;
		await new Promise<void>((resolve) => probe.close(() => resolve()));
		const { actions } = simulateWeek(demo, { startDay: "2025-03-10", days: 1, seed: 1 });
		await expect(
			replayTimeline({ centre: demo, brokerUrl: `mqtt://127.0.0.1:${port}`, actions: actions.slice(0, 5) }),
		).rejects.toThrow(/cannot connect to mqtt:\/\/127\.0\.0\.1/);
	});
});

describe("vikno sim --week", () => {
	const dir = mkdtempSync(join(tmpdir(), "vikno-sim-week-"));
	const config = (name: string) => fileURLToPath(new URL(`../../config/centres/${name}.yaml`, import.meta.url));
	afterEach(() => vi.restoreAllMocks());
	afterAll(() => rmSync(dir, { recursive: true, force: true }));

	it("writes the ground truth as JSON lines and the timeline, and replays it through a broker", async () => {
		const printed: string[] = [];
		vi.spyOn(console, "log").mockImplementation((s: string) => printed.push(s));
		vi.spyOn(console, "error").mockImplementation(() => undefined);
		const out = join(dir, "truth.jsonl");
		const timeline = join(dir, "timeline.jsonl");
		const seen: Received[] = [];
		const sub = await listen(seen, "test-cli-sub");
		const code = await simCommand(
			["--week", "--config", config("demo"), "--start", "2025-03-11", "--days", "1", "--seed", "4"].concat([
				"--out",
				out,
				"--timeline",
				timeline,
				"--broker",
				url,
			]),
		);
		// The goodbyes come after every action from the same node clients: wait for them, not for time.
		await until(
			"the nodes' goodbyes",
			() => seen.filter((r) => r.topic.endsWith("/status")).length >= 2 * demo.nodes.length,
			5000,
		);
		await sub.endAsync();
		expect(code).toBe(0);

		const week = simulateWeek(demo, { startDay: "2025-03-11", days: 1, seed: 4 });
		const lines = readFileSync(out, "utf8").trimEnd().split("\n");
		const truth = lines.map((l) => JSON.parse(l) as TicketTruth);
		expect(truth).toEqual(week.tickets);
		expect(truth.every((t) => t.waitS === ((t.calledAt ?? 0) - t.issuedAt) / 1000)).toBe(true);
		const replayed = readFileSync(timeline, "utf8").trimEnd().split("\n");
		expect(replayed.map((l) => JSON.parse(l))).toEqual(week.actions);
		expect(events(seen).map(got)).toEqual(week.actions.map(expected));
		expect(printed.join("\n")).toMatch(new RegExp(`demo\\s+\\d+\\s+${week.tickets.length}\\s`));
	});

	it("reports bad options as usage errors", async () => {
		await expect(simCommand(["--week", "--config", config("demo"), "--start", "tuesday"])).rejects.toThrow(
			/--start must be a day such as 2025-03-10/,
		);
		await expect(simCommand(["--week", "--config", config("demo"), "--days", "0"])).rejects.toThrow(/--days must be/);
		await expect(simCommand(["--config", config("demo"), "--broker", url, "--out", "x"])).rejects.toThrow(
			/--out goes with --week/,
		);
	});
});
