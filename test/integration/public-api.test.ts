/**
 * The public API for residents through real parts: a hub on loopback, events over MQTT, answers
 * over HTTP. Cheap — a thousand readers at once cost one computation, a reader with the answer
 * gets a 304 — limited per address with Retry-After, truthful — a closed centre has no wait, not
 * "0 min" — and for anyone on the internet: exactly the keys listed here, no person's data.
 */
import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Hub } from "../../server/hub.ts";
import { demoTopic, payload } from "../fixtures/events.ts";
import { clockFrom, connect, lastLocal, metric, pausableClock, startTestHub, tempDir } from "../fixtures/hub.ts";
import { type Shape, shapeProblems } from "../fixtures/shape.ts";
import { ticketLinks } from "../fixtures/ticketLinks.ts";
import { until } from "../fixtures/wait.ts";

const NAME = { uk: "value", en: "value" } as const;
const CELL = { weekday: "value", hour: "value", label: "value", waitMin: "value" } as const;
const PUBLIC_CENTRE: Shape = {
	centre: "value",
	name: NAME,
	timeZone: "value",
	at: "value",
	ratingScale: "value",
	"contacts?": { "address?": NAME, "phone?": "value", "email?": "value", "mapUrl?": "value", "website?": "value" },
	week: [{ date: "value", weekday: "value", hours: ["value"], holiday: { "name?": NAME } }],
	services: [{ id: "value", name: NAME, targetWaitMin: "value", bestTimes: [CELL] }],
	bestTimesSpan: { from: "value", to: "value" },
};
/** A ticket's answer says what the hall board shows: its number, stage and window — nothing of other tickets. */
const PUBLIC_TICKET: Shape = {
	centre: "value",
	ticket: "value",
	at: "value",
	service: { id: "value", name: NAME },
	stage: "value",
	window: { id: "value", name: "value" },
	ahead: "value",
	estimate: { minutes: "value", low: "value", high: "value" },
	"noEstimate?": "value",
	"rating?": { status: "value", "token?": "value", scale: "value" },
};

const dir = tempDir();
let hub: Hub;
let client: MqttClient;
// A Wednesday at 10:00, whenever the test runs: the centre is open.
const clock = pausableClock(lastLocal("wed", 10));
const publish = (node: string, kind: string, data: object) =>
	client.publishAsync(demoTopic(node, kind), JSON.stringify(payload(data)), { qos: 1 });
const computations = async () =>
	metric(await (await fetch(`${hub.httpUrl}/metrics`)).text(), 'vikno_public_computations_total{answer="wait"}') || 0;

beforeAll(async () => {
	hub = await startTestHub(dir.path, { publicRateLimit: 1100, now: clock.now });
	client = await connect(hub.mqttUrl);
});

afterAll(async () => {
	await client?.endAsync();
	await hub?.close();
	dir.remove();
});

describe("the public wait answer", () => {
	it("computes once for a thousand readers at once, all getting the same bytes", async () => {
		const before = await computations();
		// "At once" is within the hub's second: its clock stands still while a loaded machine opens a
		// thousand connections.
		clock.pause();
		const answers = await Promise.all(
			Array.from({ length: 1000 }, () =>
				fetch(`${hub.httpUrl}/api/public/v1/centres/demo/wait`).then(async (r) => ({
					status: r.status,
					etag: r.headers.get("etag"),
					body: await r.text(),
				})),
			),
		);
		expect(answers.every((a) => a.status === 200)).toBe(true);
		expect(new Set(answers.map((a) => a.body)).size).toBe(1);
		expect(new Set(answers.map((a) => a.etag)).size).toBe(1);
		expect((await computations()) - before).toBe(1);
		clock.resume();
	});

	it("answers 304 to a reader that has the answer (its ETag), and 200 with the ETag otherwise", async () => {
		const first = await fetch(`${hub.httpUrl}/api/public/v1/centres/demo/wait`);
		const etag = first.headers.get("etag") ?? "";
		expect(etag).toMatch(/^W\/"[\w-]+"$/);
		expect(first.headers.get("cache-control")).toBe("public, max-age=15");
		await first.arrayBuffer();
		const again = await fetch(`${hub.httpUrl}/api/public/v1/centres/demo/wait`, { headers: { "if-none-match": etag } });
		expect(again.status).toBe(304);
		expect(again.headers.get("etag")).toBe(etag);
		expect(again.headers.get("access-control-allow-origin")).toBe("*");
		expect(await again.text()).toBe("");
		const other = await fetch(`${hub.httpUrl}/api/public/v1/centres/demo/wait`, {
			headers: { "if-none-match": 'W/"something-else"' },
		});
		expect(other.status).toBe(200);
		await other.arrayBuffer();
	});

	it("answers an unknown centre with 404 saying so, CORS open", async () => {
		const res = await fetch(`${hub.httpUrl}/api/public/v1/centres/nowhere/wait`);
		expect(res.status).toBe(404);
		expect(res.headers.get("access-control-allow-origin")).toBe("*");
		expect(await res.json()).toEqual({
			error: { code: "unknown_centre", message: 'centre "nowhere" is not configured on this hub' },
		});
	});

	it("gives the centre's page its facts, exactly the public keys", async () => {
		const body = await (await fetch(`${hub.httpUrl}/api/public/v1/centres/demo`)).json();
		expect(shapeProblems(body, PUBLIC_CENTRE)).toEqual([]);
		expect(body.contacts.phone).toBe("+380 56 000 00 00");
		expect(body.week).toHaveLength(7);
		expect(body.services.map((s: { id: string }) => s.id)).toContain("passports");
	});

	it("limits one address and says when to come back (429 with Retry-After, CORS open)", async () => {
		let limited: Response | undefined;
		for (let i = 0; i < 1200 && !limited; i++) {
			const r = await fetch(`${hub.httpUrl}/api/public/v1/centres/demo/wait`);
			if (r.status === 429) limited = r;
			else await r.arrayBuffer();
		}
		if (!limited) throw new Error("never rate limited");
		expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
		expect(limited.headers.get("access-control-allow-origin")).toBe("*");
		expect(((await limited.json()) as { error: { code: string } }).error.code).toBe("rate_limited");
	});
});

describe("the estimates behind it", () => {
	it("are recomputed in the background, a service a turn of the event loop, readers getting the last ones", async () => {
		clock.pause();
		const first = hub.insights.waits("demo");
		expect(hub.insights.waits("demo")).toBe(first);
		// Past their time to live: the next reader gets the same list at once, not a 40 ms wait …
		clock.advance(6_000);
		expect(hub.insights.waits("demo")).toBe(first);
		// … and the new one is there once each service had its turn.
		const fresh = await until(
			async () => {
				await new Promise((r) => setImmediate(r));
				return hub.insights.waits("demo");
			},
			(list) => list !== first,
			{ what: "the estimates recomputed" },
		);
		expect(fresh).toHaveLength(first?.length ?? -1);
		clock.resume();
	});
});

describe("track my ticket", () => {
	it("gives a ticket's stage, its place and window — the key of its own link opens its rating", async () => {
		for (const n of ["01", "02"]) await publish(`win-${n}`, "status", { online: true });
		for (const t of ["A001", "A002", "A003"])
			await publish("terminal-1", "queue", { event: "issued", ticket: t, service: "passports" });
		await publish("win-01", "queue", { event: "called", ticket: "A001", service: "passports", window: "w01" });
		await until(
			() => hub.live.state("demo")?.tickets.get("A001")?.calls.size ?? 0,
			(n) => n === 1,
			{ what: "A001 called" },
		);
		const get = async (path: string) => {
			const r = await fetch(`${hub.httpUrl}/api/public/v1/centres/demo/tickets/${path}`);
			return { status: r.status, cache: r.headers.get("cache-control"), body: await r.json() };
		};
		const a3 = await get("A003");
		expect(a3.status).toBe(200);
		expect(shapeProblems(a3.body, PUBLIC_TICKET)).toEqual([]);
		expect(a3.body).toMatchObject({ stage: "waiting", ahead: 1, window: null, service: { id: "passports" } });
		expect(a3.body.estimate.high).toBeGreaterThanOrEqual(a3.body.estimate.low);
		expect(a3.body.rating).toBeUndefined();
		// Cyrillic А typed on a Ukrainian keyboard is the same ticket.
		expect((await get(encodeURIComponent("А001"))).body).toMatchObject({
			ticket: "A001",
			stage: "called",
			window: { id: "w01" },
			ahead: null,
		});
		expect((await get("A999")).body.error.code).toBe("unknown_ticket");

		// The printed link's token: an HMAC by the terminal's ticket key (core/ticketToken.ts).
		const key = (await ticketLinks(dir.path))("A001", clock.now());
		expect((await get(`A001?k=${"x".repeat(22)}`)).status).toBe(404);
		expect((await get(`A002?k=${key}`)).status).toBe(404);
		const notYet = await get(`A001?k=${key}`);
		expect(notYet.cache).toBe("private, no-store");
		expect(notYet.body.rating).toEqual({ status: "not_yet", scale: 5 });
		for (const event of ["started", "finished"])
			await publish("win-01", "queue", { event, ticket: "A001", service: "passports", window: "w01" });
		await until(
			async () => (await get(`A001?k=${key}`)).body,
			(b) => b.stage === "served",
			{ what: "A001 served" },
		);
		const open = await get(`A001?k=${key}`);
		expect(open.body.rating).toMatchObject({ status: "open", scale: 5, token: expect.any(String) });
		expect(shapeProblems(open.body, PUBLIC_TICKET)).toEqual([]);
	});
});

describe("a closed centre", () => {
	const closedDir = tempDir();
	let closed: Hub;
	let mqtt: MqttClient;
	beforeAll(async () => {
		// 16:52 on a Wednesday, the centre closed at 16:00 (the issue's own observation).
		closed = await startTestHub(closedDir.path, { now: clockFrom(lastLocal("wed", 16, 52)) });
		mqtt = await connect(closed.mqttUrl);
	});
	afterAll(async () => {
		await mqtt?.endAsync();
		await closed?.close();
		closedDir.remove();
	});

	it("has no estimate for any service, with the reason closed — never 0 — and says when it opens", async () => {
		// Windows still online and visitors still waiting inside: no figure for a resident anyway.
		for (const n of ["01", "02", "03"])
			await mqtt.publishAsync(demoTopic(`win-${n}`, "status"), JSON.stringify(payload({ online: true })), { qos: 1 });
		await mqtt.publishAsync(
			demoTopic("terminal-1", "queue"),
			JSON.stringify(payload({ event: "issued", ticket: "A050", service: "passports" })),
			{ qos: 1 },
		);
		await until(
			() => closed.live.state("demo")?.waiting.size ?? 0,
			(n) => n === 1,
			{ what: "the ticket waiting" },
		);
		const body = (await (await fetch(`${closed.httpUrl}/api/public/v1/centres/demo/wait`)).json()) as {
			open: { now: boolean; nextChange: { at: number; open: boolean } };
			services: { id: string; waiting: number; estimate: unknown; noEstimate?: string }[];
		};
		expect(body.open.now).toBe(false);
		expect(body.open.nextChange.open).toBe(true);
		// Thursday 09:00 in Kyiv: the next morning.
		expect(body.open.nextChange.at).toBe(lastLocal("wed", 16, 52) + (16 * 60 + 8) * 60_000);
		expect(body.services.find((s) => s.id === "passports")?.waiting).toBe(1);
		for (const s of body.services) expect(s, s.id).toMatchObject({ estimate: null, noEstimate: "closed" });
	});
});
