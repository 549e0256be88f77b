/**
 * Queue bridge: a small HTTP endpoint (loopback by default) for centres that already run an
 * electronic queue. That system posts its events as JSON; the node stores them in its outbox
 * and publishes them in vikno's contract. The answer comes after the event is on disk.
 *
 *   POST /v1/queue      {"event":"called","ticket":"A017","service":"passport","window":"w03"}
 *                       → 200 {"id":"0196…","buffered":1}
 *   POST /v1/occupancy  {"zone":"hall","count":42}   (door nodes with a direct count source)
 *                       → 200 {"id":"0196…","buffered":1}
 *   GET  /healthz       → 200 {"buffered":0}
 * Errors are answered as the hub's HTTP API answers them, {"error":{"code","message"}}, with the
 * codes of edge/errors.ts (docs/errors.md, "Edge node errors").
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Type from "typebox";
import { Compile } from "typebox/compile";
import { QueueEventName } from "../core/contract.ts";
import type { ErrorBody } from "../core/errorBody.ts";
import { ID_PATTERN } from "../core/ids.ts";
import type { Log } from "../core/log.ts";
import type { BridgeConfig } from "./config.ts";
import { type BridgeErrorCode, EDGE_ERRORS } from "./errors.ts";
import type { Fields } from "./roles/role.ts";

const ref = Type.String({ pattern: ID_PATTERN });
const QueueBody = Compile(
	Type.Object({
		event: QueueEventName,
		ticket: Type.String({ minLength: 1, maxLength: 16, pattern: "^[A-Za-z0-9-]+$" }),
		service: ref,
		window: Type.Optional(ref),
		priority: Type.Optional(ref),
	}),
);
const OccupancyBody = Compile(
	Type.Object({
		zone: Type.Optional(ref),
		count: Type.Integer({ minimum: 0, maximum: 100_000 }),
	}),
);

const MAX_BODY = 16 * 1024;

export interface BridgeTarget {
	/** Default window for events that do not name one (a window node's own window). */
	window?: string | undefined;
	zone?: string | undefined;
	emitQueue(fields: Fields<"queue">): string | null;
	emitOccupancy(fields: Fields<"occupancy">): string | null;
	buffered(): number;
}

export interface Bridge {
	url: string;
	close(): Promise<void>;
}

/** What the bridge answers: 200 with the result, or an error in the envelope. */
type Reply = {
	status: number;
	body: { id: string; buffered: number } | { buffered: number } | ErrorBody<BridgeErrorCode>;
};
const ok = (body: { id: string; buffered: number } | { buffered: number }): Reply => ({ status: 200, body });
const fail = (code: BridgeErrorCode, message: string): Reply => ({
	status: EDGE_ERRORS[code].status,
	body: { error: { code, message } },
});

export async function startBridge(cfg: BridgeConfig, target: BridgeTarget, log: Log): Promise<Bridge> {
	const handle = (req: IncomingMessage, body: unknown): Reply => {
		if (req.method === "GET" && req.url === "/healthz") return ok({ buffered: target.buffered() });
		if (req.method !== "POST") return fail("method_not_allowed", "use POST");
		if (req.url === "/v1/queue") {
			if (!QueueBody.Check(body)) return fail("schema", describe(QueueBody, body));
			const window = body.window ?? target.window;
			if (body.event !== "issued" && window === undefined) {
				return fail("schema", `/window is required for "${body.event}"`);
			}
			const fields: Fields<"queue"> = { event: body.event, ticket: body.ticket, service: body.service };
			if (window !== undefined && body.event !== "issued") fields.window = window;
			if (body.priority !== undefined) fields.priority = body.priority;
			const id = target.emitQueue(fields);
			return id ? ok({ id, buffered: target.buffered() }) : fail("outbox_full", "the node's outbox is full");
		}
		if (req.url === "/v1/occupancy") {
			if (!OccupancyBody.Check(body)) return fail("schema", describe(OccupancyBody, body));
			const zone = body.zone ?? target.zone;
			if (zone === undefined) return fail("schema", "/zone is required");
			const id = target.emitOccupancy({ zone, count: body.count });
			return id ? ok({ id, buffered: target.buffered() }) : fail("outbox_full", "the node's outbox is full");
		}
		return fail("not_found", `no route ${req.method} ${req.url}`);
	};

	const server: Server = createServer((req, res) => {
		if (cfg.token && req.headers.authorization !== `Bearer ${cfg.token}`) {
			return send(res, fail("unauthorized", "missing or wrong bearer token"));
		}
		const chunks: Buffer[] = [];
		let size = 0;
		req.on("data", (c: Buffer) => {
			size += c.length;
			if (size > MAX_BODY) {
				send(res, fail("too_large", `body over ${MAX_BODY} bytes`));
				req.destroy();
			} else chunks.push(c);
		});
		req.on("end", () => {
			if (res.headersSent) return;
			let body: unknown = null;
			if (chunks.length > 0) {
				try {
					body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
				} catch {
					return send(res, fail("not_json", "body is not JSON"));
				}
			}
			try {
				send(res, handle(req, body));
			} catch (e) {
				log.error({ err: (e as Error).message }, "bridge request failed");
				send(res, fail("internal", "internal error"));
			}
		});
	});
	await new Promise<void>((resolve, reject) => {
		server.once("error", reject);
		server.listen(cfg.port, cfg.host, () => resolve());
	});
	const { port } = server.address() as AddressInfo;
	const url = `http://${cfg.host.includes(":") ? `[${cfg.host}]` : cfg.host}:${port}`;
	log.info({ url }, "queue bridge listening");
	return {
		url,
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

function send(res: ServerResponse, r: Reply): void {
	if (res.headersSent) return;
	res.writeHead(r.status, { "content-type": "application/json" });
	res.end(JSON.stringify(r.body));
}

function describe(check: { Errors(v: unknown): Iterable<{ instancePath: string; message: string }> }, v: unknown) {
	return [...check.Errors(v)]
		.slice(0, 3)
		.map((e) => `${e.instancePath || "/"} ${e.message}`)
		.join("; ");
}
