/**
 * Rating by QR code through real parts: a hub on loopback, the window's node and a watcher over
 * MQTT, the rating page and the public API over HTTP, the SQLite store on disk. A QR rating is a
 * window's rating like a button press — same measurement, attributed to the ticket just served,
 * forwarded to subscribers — with `source: "qr"`; a ticket's own link rates once; one address and
 * one window are limited; a comment is kept apart, shown to managers and never published.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Hub } from "../../server/hub.ts";
import type { StoredEvent } from "../../store/types.ts";
import { signedIn } from "../fixtures/auth.ts";
import { demoTopic, payload } from "../fixtures/events.ts";
import { clockFrom, connect, lastLocal, startTestHub, tempDir } from "../fixtures/hub.ts";
import { ticketLinks } from "../fixtures/ticketLinks.ts";
import { until } from "../fixtures/wait.ts";

const dir = tempDir();
let hub: Hub;
let node: MqttClient;
let watcher: MqttClient;
const heard: { topic: string; text: string }[] = [];

const publish = (from: string, kind: string, data: object) =>
	node.publishAsync(demoTopic(from, kind), JSON.stringify(payload(data)), { qos: 1 });
const serve = async (ticket: string, window: string) => {
	await publish("terminal-1", "queue", { event: "issued", ticket, service: "passports" });
	for (const event of ["called", "started", "finished"])
		await publish(`win-${window.slice(1)}`, "queue", { event, ticket, service: "passports", window });
	await until(
		() => hub.live.state("demo")?.tickets.get(ticket)?.finished !== undefined,
		(done) => done,
		{ what: `${ticket} served` },
	);
};
/** The form token of the page a window's QR code opens. */
const pageToken = async (window: string) => {
	const html = await (await fetch(`${hub.httpUrl}/c/demo/r/${window}`)).text();
	const token = /token="([^"]+)"/.exec(html)?.[1];
	if (!token) throw new Error("no token on the rating page");
	return token;
};
const post = async (path: string, body: object) => {
	const res = await fetch(`${hub.httpUrl}/api/public/v1/centres/demo/${path}`, {
		method: "POST",
		headers: { "content-type": "application/json" },
		body: JSON.stringify(body),
	});
	return { status: res.status, retryAfter: res.headers.get("retry-after"), body: await res.json() };
};
const ratings = async () =>
	(await hub.store.readRange("demo", 0, Number.MAX_SAFE_INTEGER)).filter((e) => e.kind === "rating");
const hubNow = clockFrom(lastLocal("wed", 10));
const qrRatings = async () => (await ratings()).filter((e) => e.data.source === "qr");

beforeAll(async () => {
	// Twelve QR ratings from an address an hour (five by default): this test's all come from one.
	hub = await startTestHub(dir.path, {
		now: hubNow,
		qrRating: { perAddress: { perSecond: 12 / 3600, burst: 12 } },
	});
	node = await connect(hub.mqttUrl);
	watcher = await connect(hub.mqttUrl);
	watcher.on("message", (topic, buf) => heard.push({ topic, text: buf.toString() }));
	await watcher.subscribeAsync("vikno/v1/#", { qos: 1 });
	for (const n of ["03", "04"]) await publish(`win-${n}`, "status", { online: true });
});

afterAll(async () => {
	await node?.endAsync();
	await watcher?.endAsync();
	await hub?.close();
	dir.remove();
});

describe("rating by QR code", () => {
	let first: StoredEvent | undefined;

	it("enters as the window's rating: stored in the same measurement, attributed, forwarded, source qr", async () => {
		await serve("A010", "w03");
		const res = await post("ratings", { token: await pageToken("w03"), score: 5 });
		expect(res.status).toBe(201);
		expect(res.body).toMatchObject({ counted: true, comment: { token: expect.any(String), maxLength: 500 } });
		first = (await qrRatings())[0];
		expect(first).toMatchObject({
			node: "win-03",
			data: { score: 5, source: "qr", window: "w03", service: "passports", ticket: "A010", scale: 5 },
		});
		expect(first?.data.extra).toBeUndefined();
		// The same measurement as the buttons': the SQLite mirror row, with its source.
		const row = execFileSync("sqlite3", [
			join(dir.path, "vikno.db"),
			`SELECT "window", service, ticket, score, source FROM rating WHERE id = '${first?.id}'`,
		]).toString();
		expect(row.trim()).toBe("w03|passports|A010|5|qr");
		// The live figures count it like a press.
		expect(hub.live.state("demo")?.ratings.count).toBe(1);
		// Subscribers get it on the window node's topic, as a press would be.
		const forwarded = await until(
			() => heard.find((h) => h.topic === demoTopic("win-03", "rating")),
			(h) => h !== undefined,
			{ what: "the rating forwarded" },
		);
		expect(JSON.parse(forwarded?.text ?? "{}")).toMatchObject({ id: first?.id, score: 5, source: "qr" });
		// In the quality report, told apart from the buttons'.
		const quality = await (await signedIn(hub, { role: "manager", centres: ["demo"] })).json<{
			bySource: Record<string, unknown>;
		}>("/api/v1/centres/demo/quality");
		expect(quality.bySource.qr).toMatchObject({ count: 1, mean: 5 });
	});

	it("a second one for the same visit is an extra press, as within the buttons' lockout", async () => {
		const res = await post("ratings", { token: await pageToken("w03"), score: 1 });
		expect(res.status).toBe(201);
		expect(res.body.counted).toBe(false);
		const list = await qrRatings();
		expect(list).toHaveLength(2);
		expect(list[1]?.data).toMatchObject({ score: 1, extra: true, source: "qr" });
		expect(hub.live.state("demo")?.ratings).toMatchObject({ count: 1, extra: 1 });
	});

	it("a node's rating is the buttons', whatever source it claims", async () => {
		await serve("A011", "w04");
		await publish("win-04", "rating", { score: 4, source: "qr" });
		const stored = await until(
			async () => (await ratings()).find((e) => e.node === "win-04"),
			(e) => e !== undefined,
			{ what: "the button rating stored" },
		);
		expect(stored?.data).toMatchObject({ score: 4, source: "button", ticket: "A011" });
	});

	it("a ticket's own link rates that ticket once; a second submission is refused", async () => {
		await serve("A012", "w04");
		const key = (await ticketLinks(dir.path))("A012", hubNow());
		const tokenOf = async () =>
			(
				(await (await fetch(`${hub.httpUrl}/api/public/v1/centres/demo/tickets/A012?k=${key}`)).json()) as {
					rating: { status: string; token?: string };
				}
			).rating;
		const a = await tokenOf();
		const b = await tokenOf();
		expect(a.status).toBe("open");
		const one = await post("ratings", { token: a.token, score: 4 });
		expect(one.status).toBe(201);
		const two = await post("ratings", { token: b.token, score: 2 });
		expect(two.status).toBe(409);
		expect(two.body.error.code).toBe("already_rated");
		expect((await tokenOf()).status).toBe("rated");
		const forTicket = (await qrRatings()).filter((e) => e.data.ticket === "A012");
		expect(forTicket).toHaveLength(1);
		expect(forTicket[0]).toMatchObject({ id: `qr-${key}`, node: "win-04", data: { score: 4 } });
	});

	it("refuses a used, forged or foreign token", async () => {
		const token = await pageToken("w03");
		expect((await post("ratings", { token, score: 5 })).status).toBe(201);
		const again = await post("ratings", { token, score: 5 });
		expect(again.status).toBe(403);
		expect(again.body.error.code).toBe("form_expired");
		expect((await post("ratings", { token: `${token}x`, score: 5 })).body.error.code).toBe("form_expired");
	});

	it("keeps a comment apart: shown to managers, never published, never public", async () => {
		const text = "Дуже швидко, дякую адміністраторці";
		const rated = await post("ratings", { token: await pageToken("w04"), score: 5 });
		const kept = await post("comments", { token: rated.body.comment.token, text });
		expect(kept).toMatchObject({ status: 201, body: { kept: true } });
		expect((await post("comments", { token: rated.body.comment.token, text })).status).toBe(403);
		// Shown to the centre's managers, signed in; to nobody else.
		expect((await fetch(`${hub.httpUrl}/api/v1/centres/demo/comments`)).status).toBe(401);
		const listed = await (await signedIn(hub, { role: "manager", centres: ["demo"] })).json<{
			comments: unknown[];
		}>("/api/v1/centres/demo/comments");
		expect(listed.comments).toEqual([expect.objectContaining({ text, window: "w04", score: 5 })]);
		const tooLong = await post("comments", { token: "x", text: "я".repeat(501) });
		expect(tooLong.status).toBe(400);
		// A marker after everything: what came before it was heard.
		await publish("win-04", "status", { online: true, version: "marker" });
		await until(
			() => heard.some((h) => h.text.includes('"marker"')),
			(ok) => ok,
			{ what: "the marker" },
		);
		expect(heard.some((h) => h.text.includes("адміністраторці"))).toBe(false);
		expect(await (await fetch(`${hub.httpUrl}/api/public/v1/centres/demo/wait`)).text()).not.toContain(
			"адміністраторці",
		);
	});

	it("limits one window to what its buttons could give", async () => {
		const results = [];
		for (let i = 0; i < 8; i++) results.push(await hub.qrRatings.rate({ centre: "demo", window: "w05", score: 3 }));
		const refused = results.filter((r) => !r.ok);
		expect(results.filter((r) => r.ok)).toHaveLength(6);
		expect(refused[0]).toMatchObject({ ok: false, refusal: "rate_limited", retryAfterMs: expect.any(Number) });
	});

	it("limits a flood from one address, saying when to try again", async () => {
		let limited: Awaited<ReturnType<typeof post>> | undefined;
		const before = (await qrRatings()).length;
		// Spread over windows, so that no window's own allowance is what stops them.
		const windows = ["w06", "w07", "w08", "w09", "w10", "w11"];
		for (let i = 0; i < 30 && !limited; i++) {
			const res = await post("ratings", { token: await pageToken(windows[i % windows.length] ?? "w06"), score: 5 });
			if (res.status === 429) limited = res;
		}
		if (!limited) throw new Error("never limited");
		expect(limited.body.error.message).toMatch(/from this address/);
		expect(Number(limited.retryAfter)).toBeGreaterThan(60);
		// Twelve an hour from an address (as this hub is set), counted over the whole test.
		expect((await qrRatings()).length - before).toBeLessThan(12);
	});
});
