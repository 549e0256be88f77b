/**
 * Live push as Server-Sent Events: `GET /api/v1/stream?centre=ID` sends an `event: live`
 * with the full live view at once and after every change (at most every `throttleMs`), and an
 * `event: alerts` with the active alerts at once and whenever they or their acknowledgements change.
 * Without `centre` it streams every centre the signed-in user sees. The stream ends when its
 * session does (sign-out, expiry, the user removed); each heartbeat keeps the session alive.
 */
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { LiveView } from "../../core/liveView.ts";
import { visibleCentres } from "../../core/roles.ts";
import type { AppOptions } from "../app.ts";
import { errorResponses, unknownCentre } from "../errors.ts";
import { activeAlerts } from "./alertRoutes.ts";
import { ActiveAlerts } from "./managerSchemas.ts";
import { StreamQuery, textAnswer } from "./schemas.ts";

const THROTTLE_MS = 250;

/** The events of the stream and the schema of each one's `data` (JSON). */
export const STREAM_EVENTS = { live: LiveView, alerts: ActiveAlerts } as const;

const STREAM_DESCRIPTION =
	"Server-Sent Events (text/event-stream). First `retry: 2000`, then for each centre an `event: live` " +
	"whose `data` is the centre's live view as JSON — the same object, with the same schema, as " +
	"GET /api/v1/centres/{centre}/live answers — and another after every change (at once after a quiet spell, else at " +
	"most every 250 ms per centre); and " +
	"an `event: alerts` whose `data` is what GET /api/v1/centres/{centre}/alerts answers, at once and after every change " +
	"of the active alerts or their acknowledgements. Each event has an increasing `id`. A comment line (`: heartbeat`) comes every 15 s so proxies keep the " +
	"stream open. Without `centre`, every centre the user sees is streamed. The stream ends with its session " +
	"(sign-out, expiry, the user removed or given a new password); while it is open the session does not idle out.";

export async function streamRoutes(fastify: FastifyInstance, opts: AppOptions) {
	const { hall, journal } = opts;
	const heartbeatMs = opts.heartbeatMs ?? 15_000;
	const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
	app.get(
		"/api/v1/stream",
		{
			schema: {
				operationId: "streamLive",
				summary: "The live views as a stream of Server-Sent Events",
				description: STREAM_DESCRIPTION,
				tags: ["manager"],
				querystring: StreamQuery,
				response: {
					200: textAnswer("text/event-stream", "event: live, data: the live view (LiveView) as JSON"),
					...errorResponses("unknown_centre"),
				},
			},
			config: { access: "read" },
		},
		async (req, reply) => {
			const wanted = req.query.centre;
			if (wanted && !hall.centres.has(wanted)) throw unknownCentre(wanted);
			const auth = req.auth;
			const centres = wanted ? [wanted] : auth ? visibleCentres(auth.user, hall.centres.keys()) : [];

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
			const sendAlerts = (centre: string) =>
				res.write(`event: alerts\nid: ${++seq}\ndata: ${JSON.stringify(activeAlerts(hall, journal, centre))}\n\n`);
			res.write("retry: 2000\n\n");
			for (const c of centres) {
				send(c);
				sendAlerts(c);
			}
			const offAlerts = hall.onAlerts((centre) => {
				if (centres.includes(centre)) sendAlerts(centre);
			});

			// At most one view per centre every THROTTLE_MS: a change after a quiet spell goes out at
			// once, one inside the spell when it ends (with every change since). Wall-clock timers,
			// not the hub's clock: this paces the connection, not the hall.
			const due = new Map<string, NodeJS.Timeout>();
			const lastSent = new Map<string, number>();
			const off = hall.onChange((centre) => {
				if (!centres.includes(centre) || due.has(centre)) return;
				const wait = Math.max(
					0,
					THROTTLE_MS - (performance.now() - (lastSent.get(centre) ?? Number.NEGATIVE_INFINITY)),
				);
				due.set(
					centre,
					setTimeout(() => {
						due.delete(centre);
						lastSent.set(centre, performance.now());
						send(centre);
					}, wait),
				);
			});
			const heartbeat = setInterval(() => {
				if (auth && !auth.keepAlive()) res.end();
				else res.write(": heartbeat\n\n");
			}, heartbeatMs);
			const offSession = auth?.onEnd(() => res.end());
			req.raw.on("close", () => {
				off();
				offAlerts();
				offSession?.();
				clearInterval(heartbeat);
				for (const t of due.values()) clearTimeout(t);
			});
		},
	);
}
