/**
 * Checks every answer against its route's response schema, more strictly than the serializer.
 *
 * fastify serializes a JSON answer with the route's response schema, and the serializer silently
 * drops a field the schema does not have: a route that computes one more field than it documents
 * would go unnoticed, and the documentation (/api/openapi.json) would drift from the code. With
 * `checkResponses` (tests turn it on; a debug option otherwise), each answer is validated before it
 * is serialized against its schema with `additionalProperties: false` on every object that does
 * not say otherwise, so an extra or a missing field is a problem. A successful answer with a
 * problem becomes a 500 (logged), so any test that calls the route fails; every check is written
 * to the log given, with the routes the app registered, so a test can see that each was checked.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Compile } from "typebox/compile";
import { ErrorBody } from "../core/errorBody.ts";
import { HTTP_ERROR_CODES } from "./errors.ts";

export interface CheckedAnswer {
	method: string;
	/** The route's path pattern (`/api/v1/centres/:centre/live`), or null for "no such route". */
	route: string | null;
	status: number;
	mediaType: string;
	/** What does not match the schema; empty when the answer matched. */
	problems: string[];
}

export interface ResponseLog {
	/** Every route the app registered (HEAD routes fastify adds for GET left out). */
	routes: {
		method: string;
		url: string;
		schema: { response?: Record<string, unknown>; hide?: boolean } | undefined;
		/** Who may ask (the route's `config.access`), and whether it is a page for people. */
		access?: string | undefined;
		page?: boolean;
	}[];
	checked: CheckedAnswer[];
}

export function responseLog(): ResponseLog {
	return { routes: [], checked: [] };
}

type Schema = Record<string, unknown>;

/**
 * A deep copy of a JSON schema in which every object schema that says nothing about other
 * properties allows none.
 */
export function strict(schema: unknown): unknown {
	if (Array.isArray(schema)) return schema.map(strict);
	if (schema === null || typeof schema !== "object") return schema;
	const out: Schema = {};
	for (const [k, v] of Object.entries(schema))
		out[k] = k === "const" || k === "enum" || k === "default" ? v : strict(v);
	const isObject = out.type === "object" || out.properties !== undefined;
	if (isObject && out.additionalProperties === undefined && out.patternProperties === undefined)
		out.additionalProperties = false;
	return out;
}

const compiled = new WeakMap<object, (value: unknown) => string[]>();

/** A function that lists where a value does not match the strict form of `schema`. */
export function strictChecker(schema: object): (value: unknown) => string[] {
	let check = compiled.get(schema);
	if (!check) {
		const validator = Compile(strict(JSON.parse(JSON.stringify(schema))) as Parameters<typeof Compile>[0]);
		check = (value) =>
			validator.Check(value)
				? []
				: [...validator.Errors(value)].slice(0, 10).map((e) => `${e.instancePath || "/"} ${e.message}`);
		compiled.set(schema, check);
	}
	return check;
}

const notFoundSchema = ErrorBody(HTTP_ERROR_CODES);

/** The schema of an answer with this status and media type, as the route declares it. */
function answerSchema(request: FastifyRequest, status: number, mediaType: string): object | undefined {
	if (request.routeOptions.url === undefined) return notFoundSchema;
	const response = (request.routeOptions.schema as { response?: Record<string, Schema> } | undefined)?.response;
	const declared = response?.[status] ?? response?.[`${Math.floor(status / 100)}xx`] ?? response?.default;
	if (!declared) return undefined;
	const content = declared.content as Record<string, { schema: object }> | undefined;
	return content ? content[mediaType]?.schema : declared;
}

const mediaTypeOf = (reply: FastifyReply) =>
	String(reply.getHeader("content-type") ?? "")
		.split(";")[0]
		?.trim() ?? "";

export function checkResponses(app: FastifyInstance, log: ResponseLog): void {
	app.addHook("onRoute", (route) => {
		for (const method of [route.method].flat()) {
			if (method === "HEAD") continue;
			log.routes.push({
				method,
				url: route.url,
				schema: route.schema as ResponseLog["routes"][number]["schema"],
				access: route.config?.access,
				page: route.config?.page === true,
			});
		}
	});

	const check = (request: FastifyRequest, reply: FastifyReply, payload: unknown, mediaType: string) => {
		const status = reply.statusCode;
		const schema = answerSchema(request, status, mediaType);
		const problems = schema
			? strictChecker(schema)(payload)
			: [`no response schema for ${status} ${mediaType || "(no media type)"}`];
		log.checked.push({ method: request.method, route: request.routeOptions.url ?? null, status, mediaType, problems });
		if (problems.length > 0 && status < 400) {
			throw new Error(`answer of ${request.method} ${request.routeOptions.url} does not match its schema: ${problems}`);
		}
	};

	// JSON answers, before the serializer drops what the schema lacks.
	app.addHook("preSerialization", async (request, reply, payload) => {
		check(request, reply, payload, "application/json");
		return payload;
	});
	// Text answers (metrics, the page, its script): they are not serialized.
	app.addHook("onSend", async (request, reply, payload) => {
		const mediaType = mediaTypeOf(reply);
		if (typeof payload === "string" && payload !== "" && mediaType !== "application/json")
			check(request, reply, payload, mediaType);
		// Answers without a body (a redirect, 204): their status must be one the route declares.
		else if (payload === undefined || payload === null || payload === "") checkEmpty(request, reply);
		// Binary answers (the board's audio): the status and media type must be declared.
		else if (Buffer.isBuffer(payload)) checkBinary(request, reply, mediaType);
		return payload;
	});

	const checkBinary = (request: FastifyRequest, reply: FastifyReply, mediaType: string) => {
		const status = reply.statusCode;
		const route = request.routeOptions.url;
		const response = (request.routeOptions.schema as { response?: Record<string, Schema> } | undefined)?.response;
		const content = (response?.[status] as { content?: Record<string, unknown> } | undefined)?.content;
		const problems = content?.[mediaType] ? [] : [`no ${mediaType} answer declared for ${status}`];
		log.checked.push({ method: request.method, route: route ?? null, status, mediaType, problems });
		if (problems.length > 0 && status < 400)
			throw new Error(`answer of ${request.method} ${route} does not match its schema: ${problems}`);
	};

	const checkEmpty = (request: FastifyRequest, reply: FastifyReply) => {
		const status = reply.statusCode;
		const route = request.routeOptions.url;
		const response = (request.routeOptions.schema as { response?: Record<string, Schema> } | undefined)?.response;
		const declared = route === undefined || response?.[status] !== undefined;
		const problems = declared ? [] : [`no response declared for ${status} (an answer without a body)`];
		log.checked.push({ method: request.method, route: route ?? null, status, mediaType: "", problems });
		if (problems.length > 0 && status < 400)
			throw new Error(`answer of ${request.method} ${route} does not match its schema: ${problems}`);
	};
}
