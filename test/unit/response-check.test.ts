/**
 * The response check (dashboard/responseCheck.ts) on a small fastify app: fastify's serializer
 * drops a field the schema lacks, so the check must look at the answer before it, and fail a
 * route that answers more or less than its schema says.
 */
import Fastify from "fastify";
import Type from "typebox";
import { describe, expect, it } from "vitest";
import { errorResponses, unknownCentre } from "../../dashboard/errors.ts";
import { checkResponses, responseLog, strict, strictChecker } from "../../dashboard/responseCheck.ts";
import { textAnswer } from "../../dashboard/routes/schemas.ts";

const Answer = Type.Object({
	id: Type.String(),
	note: Type.Optional(Type.String()),
	inner: Type.Object({ n: Type.Integer() }),
	byKey: Type.Record(Type.String(), Type.Integer()),
	open: Type.Object({}, { additionalProperties: true }),
});

/** An app whose route answers `body`, checked against `Answer`. */
async function appAnswering(body: unknown, { check = true } = {}) {
	const app = Fastify();
	const log = responseLog();
	if (check) checkResponses(app, log);
	app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _req, reply) =>
		reply
			.status(err.statusCode ?? 500)
			.send({ error: { code: err.statusCode ? err.code : "internal", message: err.message } }),
	);
	app.get("/thing", { schema: { response: { 200: Answer, ...errorResponses("unknown_centre") } } }, async () => body);
	app.get("/missing", { schema: { response: { 200: Answer, ...errorResponses("unknown_centre") } } }, async () => {
		throw unknownCentre("nowhere");
	});
	app.get("/text", { schema: { response: { 200: textAnswer("text/plain", "some text") } } }, async (_req, reply) =>
		reply.type("text/plain").send("hello"),
	);
	app.get("/untyped", async () => ({ a: 1 }));
	await app.ready();
	return { app, log };
}

const good = { id: "a", inner: { n: 1 }, byKey: { x: 1 }, open: { anything: [1, 2] } };

describe("response check", () => {
	it("passes an answer that has exactly the schema's fields", async () => {
		const { app, log } = await appAnswering({ ...good, note: "optional" });
		const res = await app.inject({ url: "/thing" });
		expect(res.statusCode).toBe(200);
		expect(res.json()).toEqual({ ...good, note: "optional" });
		expect(log.checked).toEqual([
			{ method: "GET", route: "/thing", status: 200, mediaType: "application/json", problems: [] },
		]);
	});

	it("without it, the serializer silently drops a field the schema lacks", async () => {
		const { app } = await appAnswering({ ...good, secret: "leak" }, { check: false });
		const res = await app.inject({ url: "/thing" });
		expect(res.statusCode).toBe(200);
		expect(res.json()).toEqual(good);
	});

	it.each([
		["an extra field at the top", { ...good, secret: "leak" }, /must not have additional properties/],
		["an extra field inside", { ...good, inner: { n: 1, m: 2 } }, /\/inner/],
		["a missing field", { id: "a", inner: { n: 1 }, open: {} }, /byKey/],
		["a missing field inside", { ...good, inner: {} }, /\/inner/],
		["a value of the wrong type", { ...good, byKey: { x: "one" } }, /\/byKey\/x/],
	])("fails the answer with %s: 500, and the problem logged", async (_what, body, problem) => {
		const { app, log } = await appAnswering(body);
		const res = await app.inject({ url: "/thing" });
		expect(res.statusCode).toBe(500);
		const check = log.checked.find((c) => c.status === 200);
		expect(check?.problems.length).toBeGreaterThan(0);
		if (problem) expect(check?.problems.join("\n")).toMatch(problem);
	});

	it("checks error answers against the route's error schema", async () => {
		const { app, log } = await appAnswering(good);
		const res = await app.inject({ url: "/missing" });
		expect(res.statusCode).toBe(404);
		expect(log.checked).toEqual([
			{ method: "GET", route: "/missing", status: 404, mediaType: "application/json", problems: [] },
		]);
	});

	it("checks text answers by their media type, and reports a route without a response schema", async () => {
		const { app, log } = await appAnswering(good);
		expect((await app.inject({ url: "/text" })).statusCode).toBe(200);
		expect((await app.inject({ url: "/untyped" })).statusCode).toBe(500);
		expect(log.checked[0]).toMatchObject({ route: "/text", status: 200, mediaType: "text/plain", problems: [] });
		expect(log.checked[1]).toMatchObject({
			route: "/untyped",
			problems: ["no response schema for 200 application/json"],
		});
	});

	it("lists the registered routes (without the HEAD routes fastify adds)", async () => {
		const { log } = await appAnswering(good);
		expect(log.routes.map((r) => `${r.method} ${r.url}`)).toEqual([
			"GET /thing",
			"GET /missing",
			"GET /text",
			"GET /untyped",
		]);
	});

	it("makes every object strict unless it says otherwise", () => {
		expect(strict(Answer)).toMatchObject({
			additionalProperties: false,
			properties: {
				inner: { additionalProperties: false },
				byKey: { patternProperties: {} },
				open: { additionalProperties: true },
			},
		});
		expect((strict(Answer) as { properties: { byKey: object } }).properties.byKey).not.toHaveProperty(
			"additionalProperties",
		);
		expect(strictChecker(Type.Union([Type.Object({ a: Type.Integer() }), Type.Null()]))({ a: 1, b: 2 })).not.toEqual(
			[],
		);
	});
});
