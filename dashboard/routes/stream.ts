/**
 * Live push as Server-Sent Events: `GET /api/v1/stream?centre=ID` sends an `event: live`
 * with the full live view at once and after every change (at most every THROTTLE_MS), and an
 * `event: alerts` with the active alerts at once and whenever they or their acknowledgements change.
 * Without `centre` it streams every centre the signed-in user sees. The stream ends when its
 * session does (sign-out, expiry, the user removed); each heartbeat keeps the session alive.
 */
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Counter, Gauge } from "prom-client";
import { LiveView } from "../../core/liveView.ts";
import { visibleCentres } from "../../core/roles.ts";
import type { AppOptions } from "../app.ts";
import { errorResponses, unknownCentre } from "../errors.ts";
import type { HallSource } from "../sources.ts";
import { activeAlerts } from "./alertRoutes.ts";
import { ActiveAlerts } from "./managerSchemas.ts";
import { StreamQuery, textAnswer } from "./schemas.ts";

/**
 * At most one view of a centre every THROTTLE_MS, so a busy centre's press reaches the screen
 * within about that long (a large centre's 500 events/s: docs/benchmarks.md, e2e).
 */
export const THROTTLE_MS = 40;

/**
 * The live views of the centres streams are open for, worked out and serialised once per tick of
 * a centre and written to every stream of it: a hundred managers watching one busy hall cost one
 * view, not a hundred. A change after a quiet spell goes out at once, one inside the spell when it
 * ends (with every change since). Wall-clock timers, not the hub's clock: this paces the
 * connections, not the hall.
 */
class LiveTicks {
	private readonly streams = new Map<string, Set<(json: string) => void>>();
	private readonly due = new Map<string, NodeJS.Timeout>();
	private readonly lastSent = new Map<string, number>();
	private readonly off: () => void;

	constructor(
		private readonly hall: HallSource,
		private readonly throttleMs: number,
		/** A view worked out (`sent` 0) and written to `sent` streams. */
		private readonly counted: (sent: number) => void,
	) {
		this.off = hall.onChange((centre) => this.changed(centre));
	}

	/** `send` gets the centre's view as JSON after each change; returns the function that stops it. */
	follow(centre: string, send: (json: string) => void): () => void {
		const set = this.streams.get(centre) ?? new Set();
		this.streams.set(centre, set);
		set.add(send);
		return () => {
			set.delete(send);
			if (set.size > 0) return;
			this.streams.delete(centre);
			clearTimeout(this.due.get(centre));
			this.due.delete(centre);
		};
	}

	close() {
		this.off();
		for (const t of this.due.values()) clearTimeout(t);
		this.due.clear();
	}

	private changed(centre: string) {
		if (!this.streams.has(centre) || this.due.has(centre)) return;
		const wait = Math.max(
			0,
			this.throttleMs - (performance.now() - (this.lastSent.get(centre) ?? Number.NEGATIVE_INFINITY)),
		);
		this.due.set(
			centre,
			setTimeout(() => {
				this.due.delete(centre);
				this.lastSent.set(centre, performance.now());
				const view = this.hall.view(centre);
				if (!view) return;
				const json = JSON.stringify(view);
				const streams = this.streams.get(centre) ?? new Set();
				for (const send of streams) send(json);
				this.counted(streams.size);
			}, wait),
		);
	}
}

/** The events of the stream and the schema of each one's `data` (JSON). */
export const STREAM_EVENTS = { live: LiveView, alerts: ActiveAlerts } as const;

const STREAM_DESCRIPTION =
	"Server-Sent Events (text/event-stream). First `retry: 2000`, then for each centre an `event: live` " +
	"whose `data` is the centre's live view as JSON — the same object, with the same schema, as " +
	"GET /api/v1/centres/{centre}/live answers — and another after every change (at once after a quiet spell, else at " +
	`most every ${THROTTLE_MS} ms per centre); and ` +
	"an `event: alerts` whose `data` is what GET /api/v1/centres/{centre}/alerts answers, at once and after every change " +
	"of the active alerts or their acknowledgements. Each event has an increasing `id`. A comment line (`: heartbeat`) comes every 15 s so proxies keep the " +
	"stream open. Without `centre`, every centre the user sees is streamed. The stream ends with its session " +
	"(sign-out, expiry, the user removed or given a new password); while it is open the session does not idle out.";

export async function streamRoutes(fastify: FastifyInstance, opts: AppOptions) {
	const { hall, journal } = opts;
	const heartbeatMs = opts.heartbeatMs ?? 15_000;
	const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
	const views = new Counter({
		name: "vikno_stream_views_total",
		help: "Live views the stream worked out after changes (one a tick per centre, however many streams)",
		registers: [opts.registry],
	});
	const sent = new Counter({
		name: "vikno_stream_views_sent_total",
		help: "Live views written to streams after changes",
		registers: [opts.registry],
	});
	const open = new Gauge({
		name: "vikno_streams_open",
		help: "Live streams (GET /api/v1/stream: manager pages) open now",
		registers: [opts.registry],
	});
	const ticks = new LiveTicks(hall, THROTTLE_MS, (n) => {
		views.inc();
		sent.inc(n);
	});
	fastify.addHook("onClose", async () => ticks.close());
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
			const sendJson = (json: string) => res.write(`event: live\nid: ${++seq}\ndata: ${json}\n\n`);
			const send = (centre: string) => {
				const view = hall.view(centre);
				if (view) sendJson(JSON.stringify(view));
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

			const unfollow = centres.map((c) => ticks.follow(c, sendJson));
			open.inc();
			const heartbeat = setInterval(() => {
				if (auth && !auth.keepAlive()) res.end();
				else res.write(": heartbeat\n\n");
			}, heartbeatMs);
			const offSession = auth?.onEnd(() => res.end());
			req.raw.on("close", () => {
				open.dec();
				for (const stop of unfollow) stop();
				offAlerts();
				offSession?.();
				clearInterval(heartbeat);
			});
		},
	);
}
