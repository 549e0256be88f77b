/**
 * The residents' pages and scripts, public (no sign-in) and working under a strict
 * Content-Security-Policy (no inline script, style or handler: dashboard/pages/html.ts):
 *   GET /widget.js                     the embeddable widget (a classic script, CORS open)
 *   GET /public.js, /public.css        the pages' elements and styles
 *   GET /c/{centre}                    the centre's public page
 *   GET /c/{centre}/t?ticket=A017      the same page, from the centre page's form (no script needed)
 *   GET /c/{centre}/t/{ticket}[?k=KEY] track my ticket; a printed ticket's QR code links here with its key
 *   GET /c/{centre}/r/{window}         the rating page a window's QR code opens (`vikno qr`)
 *   GET /widget-demo?centre=…          a city website embedding the widget, with the snippet
 * Every page takes `?lang=en` (Ukrainian by default).
 */
import rateLimit from "@fastify/rate-limit";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance, FastifyReply } from "fastify";
import Type from "typebox";
import { openingWeek } from "../../core/publicWait.ts";
import { normalizeTicket } from "../../core/ticketStatus.ts";
import type { ResidentOptions } from "../app.ts";
import { buildPublicBundle, buildWidgetBundle, publicCss } from "../bundle.ts";
import { errorResponses } from "../errors.ts";
import { RATE_TOKEN_TTL_MS } from "../formToken.ts";
import { otherLangUrl, PAGE_CSP } from "../pages/html.ts";
import { centrePage, notFoundPage, ratePage, trackPage, widgetDemoPage } from "../pages/residentPages.ts";
import { type Lang, langOf, WORDS } from "../web/public/i18n.ts";
import { textAnswer } from "./schemas.ts";

const CSS = publicCss();

const centreId = Type.String({ pattern: "^[a-z0-9][a-z0-9-]{0,31}$", description: "Centre id, e.g. demo" });
const lang = Type.Optional(Type.String({ description: "uk (default) or en" }));
const html = (what: string) => textAnswer("text/html", what);

export async function publicPages(fastify: FastifyInstance, opts: ResidentOptions) {
	const { hall, forms } = opts;
	const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
	const [widget, script] = await Promise.all([buildWidgetBundle(), buildPublicBundle()]);
	if (opts.publicRateLimit !== false) await app.register(rateLimit, { global: false });
	const tags = ["residents"];

	const sendPage = (reply: FastifyReply, body: string, status = 200, cache = "public, max-age=60") =>
		reply
			.code(status)
			.type("text/html; charset=utf-8")
			.header("content-security-policy", PAGE_CSP)
			.header("x-content-type-options", "nosniff")
			// A ticket's page carries its key in the address: no other site may see it.
			.header("referrer-policy", "no-referrer")
			.header("cache-control", cache)
			.send(body);
	const notFound = (reply: FastifyReply, l: Lang, text: string, path: string) =>
		sendPage(reply, notFoundPage(text, l, otherLangUrl(path, {}, l)), 404, "no-store");
	const asset = (reply: FastifyReply, type: string, body: string) =>
		reply
			.type(type)
			.header("cache-control", "public, max-age=300")
			.header("x-content-type-options", "nosniff")
			.send(body);

	app.get(
		"/widget.js",
		{
			schema: {
				operationId: "getWidgetScript",
				summary: "The embeddable wait widget (<vikno-wait>)",
				description:
					'Load it on any website with <script src="https://HUB/widget.js" async></script> and place ' +
					'<vikno-wait centre="…" lang="uk"></vikno-wait>. A classic script; CORS open.',
				tags,
				response: { 200: textAnswer("text/javascript", "The widget's script"), ...errorResponses() },
			},
			config: { access: "public" },
		},
		async (_req, reply) =>
			asset(reply, "text/javascript; charset=utf-8", widget)
				.header("access-control-allow-origin", "*")
				.header("cross-origin-resource-policy", "cross-origin"),
	);
	app.get(
		"/public.js",
		{
			schema: {
				operationId: "getPublicScript",
				summary: "The residents' pages' script (ES module)",
				tags,
				response: { 200: textAnswer("text/javascript", "The pages' elements"), ...errorResponses() },
			},
			config: { access: "public" },
		},
		async (_req, reply) => asset(reply, "text/javascript; charset=utf-8", script),
	);
	app.get(
		"/public.css",
		{
			schema: {
				operationId: "getPublicStyles",
				summary: "The residents' pages' styles",
				tags,
				response: { 200: textAnswer("text/css", "The pages' styles"), ...errorResponses() },
			},
			config: { access: "public" },
		},
		async (_req, reply) => asset(reply, "text/css; charset=utf-8", CSS),
	);

	app.get(
		"/c/:centre",
		{
			schema: {
				operationId: "getCentrePage",
				summary: "The centre's public page",
				description: "Waiting times now, track my ticket, opening hours, the best time to visit per service, contacts.",
				tags,
				params: Type.Object({ centre: centreId }),
				querystring: Type.Object({ lang }),
				response: { 200: html("The page"), 404: html("No such centre"), ...errorResponses() },
			},
			config: { access: "public" },
		},
		async (req, reply) => {
			const l = langOf(req.query.lang);
			const path = `/c/${req.params.centre}`;
			const index = hall.centres.get(req.params.centre);
			if (!index) return notFound(reply, l, WORDS[l].unknownCentre, path);
			return sendPage(
				reply,
				centrePage(index.centre, openingWeek(index.centre, opts.now()), l, otherLangUrl(path, {}, l)),
			);
		},
	);

	app.get(
		"/c/:centre/t",
		{
			schema: {
				operationId: "findTicket",
				summary: "Track my ticket, from the centre page's form (works without a script)",
				tags,
				params: Type.Object({ centre: centreId }),
				querystring: Type.Object({ ticket: Type.String({ maxLength: 32 }), lang }),
				response: { 200: html("The ticket's page"), 404: html("No such centre"), ...errorResponses() },
			},
			config: { access: "public" },
		},
		async (req, reply) => {
			const l = langOf(req.query.lang);
			const { centre } = req.params;
			const path = `/c/${centre}/t`;
			const index = hall.centres.get(centre);
			if (!index) return notFound(reply, l, WORDS[l].unknownCentre, path);
			const ticket = normalizeTicket(req.query.ticket) ?? req.query.ticket.trim();
			return sendPage(reply, trackPage(index.centre, ticket, undefined, l, otherLangUrl(path, { ticket }, l)));
		},
	);

	app.get(
		"/c/:centre/t/:ticket",
		{
			schema: {
				operationId: "getTicketPage",
				summary: "Track my ticket",
				description:
					"A ticket of today, live. The printed ticket's QR code links here as /c/{centre}/t/{ticket}?k={key}, the key " +
					"being the HMAC the terminal made with its ticket key (core/ticketToken.ts); with it, the visit can be rated here once.",
				tags,
				params: Type.Object({ centre: centreId, ticket: Type.String({ maxLength: 32 }) }),
				querystring: Type.Object({ lang, k: Type.Optional(Type.String({ maxLength: 64 })) }),
				response: { 200: html("The page"), 404: html("No such centre"), ...errorResponses() },
			},
			config: { access: "public" },
		},
		async (req, reply) => {
			const l = langOf(req.query.lang);
			const { centre } = req.params;
			const path = `/c/${centre}/t/${encodeURIComponent(req.params.ticket)}`;
			const index = hall.centres.get(centre);
			if (!index) return notFound(reply, l, WORDS[l].unknownCentre, path);
			const ticket = normalizeTicket(req.params.ticket) ?? req.params.ticket;
			const key = req.query.k;
			const other = otherLangUrl(path, { k: key }, l);
			return sendPage(
				reply,
				trackPage(index.centre, ticket, key, l, other),
				200,
				key ? "no-store" : "public, max-age=60",
			);
		},
	);

	app.get(
		"/c/:centre/r/:window",
		{
			schema: {
				operationId: "getRatePage",
				summary: "Rate the service: the page a window's QR code opens",
				description: "Carries a single-use form token (20 min) for POST /api/public/v1/centres/{centre}/ratings.",
				tags,
				params: Type.Object({ centre: centreId, window: centreId }),
				querystring: Type.Object({ lang }),
				response: { 200: html("The page"), 404: html("No such centre or window"), ...errorResponses("rate_limited") },
			},
			config: {
				access: "public",
				...(opts.publicRateLimit === false ? {} : { rateLimit: { max: 30, timeWindow: "1 minute" } }),
			},
		},
		async (req, reply) => {
			const l = langOf(req.query.lang);
			const { centre, window } = req.params;
			const path = `/c/${centre}/r/${window}`;
			const index = hall.centres.get(centre);
			if (!index) return notFound(reply, l, WORDS[l].unknownCentre, path);
			const w = index.windows.get(window);
			if (!w || !index.windowNode.has(window) || !opts.residents)
				return notFound(reply, l, l === "uk" ? "Вікно не знайдено." : "Window not found.", path);
			const token = forms.issue({ p: "rate", c: centre, w: window }, RATE_TOKEN_TTL_MS);
			const label = /^w0*(\d+)$/.exec(window)?.[1] ?? w.name ?? window;
			return sendPage(reply, ratePage(index.centre, label, token, l, otherLangUrl(path, {}, l)), 200, "no-store");
		},
	);

	app.get(
		"/widget-demo",
		{
			schema: {
				operationId: "getWidgetDemo",
				summary: "The widget on a page, as a city website embeds it, with the snippet to paste",
				tags,
				querystring: Type.Object({ centre: Type.Optional(centreId), lang }),
				response: { 200: html("The page"), 404: html("No such centre"), ...errorResponses() },
			},
			config: { access: "public" },
		},
		async (req, reply) => {
			const l = langOf(req.query.lang);
			const index = req.query.centre ? hall.centres.get(req.query.centre) : hall.centres.values().next().value;
			const other = otherLangUrl("/widget-demo", { centre: req.query.centre }, l);
			if (!index) return notFound(reply, l, WORDS[l].unknownCentre, "/widget-demo");
			const origin = `${req.protocol}://${req.host}`;
			return sendPage(reply, widgetDemoPage(origin, index.centre, l, other));
		},
	);
}
