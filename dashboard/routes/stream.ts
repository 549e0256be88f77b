/**
 * Live push as Server-Sent Events: `GET /api/v1/stream?centre=ID` sends an `event: live`
 * with the full live view at once and after every change (at most every `throttleMs`).
 * Without `centre` it streams every centre. Each message carries the centre as `id` prefix.
 */
import type { FastifyInstance } from "fastify";
import { ID_PATTERN } from "../../core/ids.ts";
import type { AppOptions } from "../app.ts";
import { UnknownCentre } from "./api.ts";

const THROTTLE_MS = 250;

export async function streamRoutes(app: FastifyInstance, opts: AppOptions) {
	const { hall } = opts;
	const heartbeatMs = opts.heartbeatMs ?? 15_000;
	app.get<{ Querystring: { centre?: string } }>(
		"/api/v1/stream",
		{
			schema: {
				querystring: {
					type: "object",
					properties: { centre: { type: "string", pattern: ID_PATTERN } },
					additionalProperties: false,
				},
			},
		},
		async (req, reply) => {
			const wanted = req.query.centre;
			if (wanted && !hall.centres.has(wanted)) throw new UnknownCentre(wanted);
			const centres = wanted ? [wanted] : [...hall.centres.keys()];

			reply.hijack();
			const res = reply.raw;
			res.writeHead(200, {
				"content-type": "text/event-stream; charset=utf-8",
				"cache-control": "no-cache, no-transform",
				connection: "keep-alive",
				"x-accel-buffering": "no",
			});
			let seq = 0;
			const send = (centre: string) => {
				const view = hall.view(centre);
				if (view) res.write(`event: live\nid: ${++seq}\ndata: ${JSON.stringify(view)}\n\n`);
			};
			res.write("retry: 2000\n\n");
			for (const c of centres) send(c);

			const due = new Map<string, NodeJS.Timeout>();
			const off = hall.onChange((centre) => {
				if (!centres.includes(centre) || due.has(centre)) return;
				due.set(
					centre,
					setTimeout(() => {
						due.delete(centre);
						send(centre);
					}, THROTTLE_MS),
				);
			});
			const heartbeat = setInterval(() => res.write(": heartbeat\n\n"), heartbeatMs);
			req.raw.on("close", () => {
				off();
				clearInterval(heartbeat);
				for (const t of due.values()) clearTimeout(t);
			});
		},
	);
}
