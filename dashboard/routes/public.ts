/**
 * The public API for residents and the city website's widget: no login, no personal data (no
 * ticket numbers but the one asked about), CORS open, cacheable, rate-limited per address.
 *
 *   GET /api/public/v1/centres/{centre}/wait     open or closed, waits per service as a band, hall load
 *   GET /api/public/v1/centres/{centre}          contacts, the week's hours, best times per service
 *   GET /api/public/v1/centres/{centre}/tickets/{ticket}[?k=KEY]   a ticket of today (track my ticket)
 *
 * Each answer is computed at most once a second per centre (per ticket) whatever the number of
 * readers (dashboard/publicCache.ts; counted in `vikno_public_computations_total`), sent as the
 * same bytes to all of them with a weak ETag, and answered 304 to a reader that has it.
 */

import rateLimit from "@fastify/rate-limit";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Counter } from "prom-client";
import { hallLabel, openingWeek, publicEstimate, restOfDay } from "../../core/publicWait.ts";
import { normalizeTicket } from "../../core/ticketStatus.ts";
import { localDay, localTime, weekdayOf } from "../../core/time.ts";
import type { ResidentOptions } from "../app.ts";
import { errorResponses, HttpError, unknownCentre } from "../errors.ts";
import { RATE_TOKEN_TTL_MS } from "../formToken.ts";
import { type Cached, matches, PublicCache } from "../publicCache.ts";
import {
	CentreParams,
	NotModified,
	PublicCentre,
	PublicTicket,
	PublicWait,
	TicketParams,
	TicketQuery,
} from "./schemas.ts";

/** Browsers and proxies may keep an answer this long; the widget revalidates it with its ETag. */
const MAX_AGE_S = 15;
const CENTRE_MAX_AGE_S = 300;
const TICKET_MAX_AGE_S = 5;

const unknownTicket = (ticket: string) =>
	new HttpError("unknown_ticket", `no ticket "${ticket}" was issued today at this centre`);

export async function publicRoutes(fastify: FastifyInstance, opts: ResidentOptions) {
	const { hall, residents, forms } = opts;
	const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
	// CORS open on every answer of these routes, errors included (a 429 from the limiter too): the
	// widget on a city website reads them from another origin. Added before the limiter's hook.
	app.addHook("onRequest", async (_req, reply) => {
		reply.header("access-control-allow-origin", "*");
	});
	const limit = opts.publicRateLimit ?? 120;
	if (limit !== false) {
		await app.register(rateLimit, {
			global: false,
			// Thrown to the app's one error handler, which answers {"error":{"code":"rate_limited",…}};
			// the limiter has set `retry-after` by then.
			errorResponseBuilder: (_req, ctx) => ({
				statusCode: 429,
				code: "rate_limited",
				message: `too many requests: at most ${ctx.max} a minute from one address; try again in ${ctx.after}`,
			}),
		});
	}
	// Every route here: anyone may ask (auth/guard.ts), a city's website may load it from another
	// origin (Cross-Origin-Resource-Policy), and one address may ask `limit` times a minute.
	const limited = {
		config: {
			access: "public" as const,
			...(limit === false ? {} : { rateLimit: { max: limit, timeWindow: "1 minute" } }),
		},
		helmet: { crossOriginResourcePolicy: { policy: "cross-origin" as const } },
	};
	const computations = new Counter({
		name: "vikno_public_computations_total",
		help: "Public answers computed (at most one a second per centre, or per ticket, whatever the readers)",
		labelNames: ["answer"] as const,
		registers: [opts.registry],
	});

	const waits = new PublicCache<PublicWait>((centre) => waitBody(opts, centre), {
		now: opts.now,
		onCompute: () => computations.inc({ answer: "wait" }),
	});
	const centres = new PublicCache<PublicCentre>((centre) => centreBody(opts, centre), {
		now: opts.now,
		ttlMs: 60_000,
		onCompute: () => computations.inc({ answer: "centre" }),
	});
	const tickets = new PublicCache<PublicTicket>(
		(key) => {
			const [centre = "", ticket = ""] = key.split("/");
			const view = residents?.ticket(centre, ticket);
			return view ? ticketBody(opts, centre, ticket, view) : undefined;
		},
		{ now: opts.now, ttlMs: 2_000, onCompute: () => computations.inc({ answer: "ticket" }) },
	);

	/** The cached bytes, or 304 to a reader that has them (sent here: the reply is returned then). */
	const send = <T extends { at: number }>(
		req: FastifyRequest,
		reply: FastifyReply,
		entry: Cached<T>,
		maxAgeS: number,
	): T | FastifyReply => {
		reply.header("cache-control", `public, max-age=${maxAgeS}`).header("etag", entry.etag);
		if (matches(req.headers["if-none-match"], entry.etag)) {
			return reply.code(304).send();
		}
		// Tests check each answer against its schema: give them the object (serialized as usual).
		if (opts.checkResponses) return entry.body;
		return reply.type("application/json; charset=utf-8").send(entry.json);
	};
	const tags = ["public"];
	// Every answer of the public API by status (its 5xx share is a Prometheus alert; 429s show the limit biting).
	const answered = new Counter({
		name: "vikno_public_responses_total",
		help: "Answers of the public API (/api/public/…) by HTTP status",
		labelNames: ["status"] as const,
		registers: [opts.registry],
	});
	answered.inc({ status: "200" }, 0);
	answered.inc({ status: "500" }, 0);
	app.addHook("onResponse", async (_req, reply) => {
		answered.inc({ status: String(reply.statusCode) });
	});

	app.get(
		"/api/public/v1/centres/:centre/wait",
		{
			schema: {
				operationId: "getPublicWait",
				summary: "Waiting times of a centre for residents",
				description:
					"Per service the people waiting and the estimated wait as a band (whole minutes), or no estimate with " +
					"the reason — `closed` while the centre is closed, never 0; open or closed with the next change, " +
					"the week's hours with holidays, the hall's load in words and the best hours left today per service. " +
					`Computed at most once a second; cached for ${MAX_AGE_S} s with an ETag (304), CORS open, rate-limited per address.`,
				tags,
				params: CentreParams,
				response: { 200: PublicWait, 304: NotModified, ...errorResponses("unknown_centre", "rate_limited") },
			},
			...limited,
		},
		async (req, reply) => {
			const entry = await waits.get(req.params.centre);
			if (!entry) throw unknownCentre(req.params.centre);
			return send(req, reply, entry, MAX_AGE_S);
		},
	);

	app.get(
		"/api/public/v1/centres/:centre",
		{
			schema: {
				operationId: "getPublicCentre",
				summary: "A centre for residents: contacts, hours, best times per service",
				description:
					"The centre's address and contacts, today's and the next six days' hours (holidays applied) and, per " +
					"service, the usual wait at each open hour of the week over the last 8 weeks, labelled quiet / usual / busy.",
				tags,
				params: CentreParams,
				response: { 200: PublicCentre, 304: NotModified, ...errorResponses("unknown_centre", "rate_limited") },
			},
			...limited,
		},
		async (req, reply) => {
			const entry = await centres.get(req.params.centre);
			if (!entry) throw unknownCentre(req.params.centre);
			return send(req, reply, entry, CENTRE_MAX_AGE_S);
		},
	);

	app.get(
		"/api/public/v1/centres/:centre/tickets/:ticket",
		{
			schema: {
				operationId: "getPublicTicket",
				summary: "A ticket of today: where it is (track my ticket)",
				description:
					"What the hall board shows anyone — the ticket's stage and window — and, while it waits, how many " +
					"tickets of its service are ahead and the estimated wait. Only tickets issued today. With the key of " +
					"the ticket's own link (`k`, from its printed QR code) the answer also says whether the visit may be " +
					"rated, with the form token to rate it once; such an answer is not cached.",
				tags,
				params: TicketParams,
				querystring: TicketQuery,
				response: {
					200: PublicTicket,
					304: NotModified,
					...errorResponses("unknown_centre", "unknown_ticket", "rate_limited"),
				},
			},
			...limited,
		},
		async (req, reply) => {
			const { centre } = req.params;
			const index = hall.centres.get(centre);
			if (!index) throw unknownCentre(centre);
			const ticket = normalizeTicket(req.params.ticket);
			if (!ticket || !residents) throw unknownTicket(req.params.ticket);
			const cacheKey = `${centre}/${ticket}`;
			const entry = await tickets.get(cacheKey);
			if (!entry) throw unknownTicket(ticket);
			const k = req.query.k;
			if (k === undefined) return send(req, reply, entry, TICKET_MAX_AGE_S);
			if (!residents.verifyLink(centre, ticket, k)) throw unknownTicket(ticket);
			// The holder's own link: whether the visit may be rated, with a fresh single-use token.
			const served = entry.body.stage === "served";
			const rated = served && residents.rated(centre, ticket);
			const status: "not_yet" | "open" | "rated" = !served ? "not_yet" : rated ? "rated" : "open";
			reply.header("cache-control", "private, no-store");
			return {
				...entry.body,
				rating: {
					status,
					...(status === "open"
						? { token: forms.issue({ p: "rate", c: centre, t: ticket, k }, RATE_TOKEN_TTL_MS) }
						: {}),
					scale: index.centre.ratingScale,
				},
			};
		},
	);
}

/** The centre's local weekday and hour now. */
function localNow(timeZone: string, now: number) {
	return { weekday: weekdayOf(localDay(now, timeZone)), hour: localTime(now, timeZone).hour };
}

async function waitBody(opts: ResidentOptions, centre: string): Promise<PublicWait | undefined> {
	const { hall } = opts;
	const index = hall.centres.get(centre);
	const view = hall.view(centre);
	const opening = hall.opening(centre);
	if (!index || !view || !opening) return undefined;
	const [best, byService] = await Promise.all([
		hall.bestTimes(centre)?.catch(() => null) ?? null,
		hall.bestTimesByService(centre)?.catch(() => null) ?? null,
	]);
	const c = index.centre;
	const now = view.at;
	const { weekday, hour } = localNow(c.timeZone, now);
	return {
		centre,
		name: view.name,
		timeZone: c.timeZone,
		at: now,
		open: {
			now: opening.open,
			nextChange: opening.nextChange,
			today: opening.today,
			holiday: opening.holiday,
			week: openingWeek(c, now),
		},
		services: view.services.map((s) => {
			const cells = byService?.[s.id]?.cells;
			return {
				id: s.id,
				name: s.name,
				waiting: s.waiting,
				targetWaitMin: s.targetWaitMin,
				...publicEstimate(s, opening.open),
				bestToday: cells ? restOfDay(cells, weekday, hour) : [],
			};
		}),
		hall: view.zones.map((z) => ({ id: z.id, load: Math.round(z.load * 100) / 100, label: hallLabel(z.load) })),
		bestTimes: best
			? {
					from: best.from,
					to: best.to,
					hours: best.cells.map((c) => ({ weekday: c.weekday, hour: c.hour, label: c.label, waitMin: c.waitMin })),
				}
			: null,
	};
}

async function centreBody(opts: ResidentOptions, centre: string): Promise<PublicCentre | undefined> {
	const index = opts.hall.centres.get(centre);
	if (!index) return undefined;
	const c = index.centre;
	const byService = (await opts.hall.bestTimesByService(centre)?.catch(() => null)) ?? null;
	const now = opts.now();
	const any = byService ? Object.values(byService)[0] : undefined;
	return {
		centre,
		name: c.name,
		timeZone: c.timeZone,
		at: now,
		ratingScale: c.ratingScale,
		...(c.contacts ? { contacts: c.contacts } : {}),
		week: openingWeek(c, now),
		services: c.services.map((s) => ({
			id: s.id,
			name: s.name,
			targetWaitMin: s.targetWaitMin,
			bestTimes: (byService?.[s.id]?.cells ?? []).map((x) => ({
				weekday: x.weekday,
				hour: x.hour,
				label: x.label,
				waitMin: x.waitMin,
			})),
		})),
		bestTimesSpan: any ? { from: any.from, to: any.to } : null,
	};
}

function ticketBody(
	opts: ResidentOptions,
	centre: string,
	ticket: string,
	view: NonNullable<ReturnType<NonNullable<ResidentOptions["residents"]>["ticket"]>>,
): PublicTicket | undefined {
	const index = opts.hall.centres.get(centre);
	if (!index) return undefined;
	const { status } = view;
	const svc = index.services.get(status.service);
	const w = status.window ? index.windows.get(status.window) : undefined;
	return {
		centre,
		ticket,
		at: opts.now(),
		service: { id: status.service, name: svc?.name ?? { uk: status.service, en: status.service } },
		stage: status.stage,
		window: status.window ? { id: status.window, name: w?.name ?? status.window } : null,
		ahead: status.stage === "waiting" ? (status.ahead ?? 0) : null,
		estimate: view.estimate,
		...(view.noEstimate ? { noEstimate: view.noEstimate } : {}),
	};
}
