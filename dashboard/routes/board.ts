/**
 * The hall board (табло) at /board/{centre}: the page, its script, its stream and its voice.
 * Public when the centre file says `board: { public: true }` (a TV in the hall, no sign-in);
 * otherwise it needs a signed-in user who sees the centre — a `viewer` account for the TV. The
 * routes declare `public` to the guard and decide here from the centre file, which the guard
 * cannot know per centre.
 *
 * The stream sends the board's whole view at once, again at once on every call (a call must
 * reach the hall within a second of the press: no throttle), and after other changes at most
 * once a second (waits per service).
 */
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import Type from "typebox";
import { boardOf, boardView } from "../../core/boardView.ts";
import type { CentreIndex } from "../../core/centre.ts";
import { ID_PATTERN } from "../../core/ids.ts";
import { canView } from "../../core/roles.ts";
import type { AppOptions } from "../app.ts";
import { buildBoardBundle } from "../bundle.ts";
import { errorResponses, HttpError, unknownCentre } from "../errors.ts";
import { CentreParams, textAnswer } from "./schemas.ts";

const LIVE_THROTTLE_MS = 1_000;
const SayParams = Type.Object(
	{ centre: Type.String({ pattern: ID_PATTERN }), call: Type.String({ pattern: "^[A-Za-z0-9@._-]{1,80}$" }) },
	{ additionalProperties: false },
);

const page = (title: string, centre: string, styleNonce: string) => `<!doctype html>
<html lang="uk">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="icon" href="data:,">
<style nonce="${styleNonce}">
  html { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: #0d1b2a; color: #f4f6f8; }
  body { margin: 0; min-height: 100vh; cursor: none; }
</style>
<script type="module" src="/board.js"></script>
</head>
<body>
<vikno-board centre="${centre}"></vikno-board>
</body>
</html>`;

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export async function boardRoutes(fastify: FastifyInstance, opts: AppOptions) {
	const { hall } = opts;
	const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
	const bundle = await buildBoardBundle();
	const tags = ["board"];

	/** The centre, when this request may see its board; else the refusal (or a redirect to sign in). */
	const allowed = (req: FastifyRequest, centre: string): CentreIndex => {
		const index = hall.centres.get(centre);
		if (!index) throw unknownCentre(centre);
		if (boardOf(index).public) return index;
		const user = req.auth?.user;
		if (!user) throw new HttpError("unauthorized", "this centre's board needs a signed-in user (a viewer account)");
		if (!canView(user, centre)) throw new HttpError("forbidden", `${user.name} may not see centre "${centre}"`);
		return index;
	};

	app.get(
		"/board/:centre",
		{
			schema: {
				operationId: "getBoard",
				summary: "The hall board of a centre (a page for the TV in the hall)",
				description:
					"Public when the centre file says board.public; otherwise a signed-in user who sees the centre (without a session: to the sign-in page).",
				tags,
				params: CentreParams,
				response: {
					200: textAnswer("text/html", "The board (HTML); its script shows the calls"),
					303: {
						type: "null",
						description: "Not signed in: to the sign-in page",
						headers: { location: { type: "string" } },
					},
					...errorResponses("unknown_centre", "unauthorized", "forbidden"),
				},
			},
			config: { access: "public" },
		},
		async (req, res) => {
			const { centre } = req.params;
			const index = hall.centres.get(centre);
			if (index && !boardOf(index).public && !req.auth)
				return res.redirect(`/login?next=${encodeURIComponent(req.url)}`, 303);
			const ok = allowed(req, centre);
			res.header("cache-control", "no-store");
			return res
				.type("text/html; charset=utf-8")
				.send(page(`${escapeHtml(ok.centre.name.uk)} — табло`, escape(centre), res.cspNonce.style));
		},
	);

	app.get(
		"/board.js",
		{
			schema: {
				operationId: "getBoardScript",
				summary: "The hall board's script",
				tags,
				response: { 200: textAnswer("text/javascript", "The board's script (ES module)"), ...errorResponses() },
			},
			config: { access: "public" },
		},
		async (_req, res) => res.type("text/javascript; charset=utf-8").header("cache-control", "no-cache").send(bundle),
	);

	app.get(
		"/board/:centre/stream",
		{
			schema: {
				operationId: "streamBoard",
				summary: "The hall board's view as Server-Sent Events",
				description:
					"`retry: 2000`, then `event: board` with the board's view (BoardView) as JSON at once, at once again on every call, and after other changes at most once a second; `: heartbeat` every 15 s.",
				tags,
				params: CentreParams,
				response: {
					200: textAnswer("text/event-stream", "event: board, data: the board's view as JSON"),
					...errorResponses("unknown_centre", "unauthorized", "forbidden"),
				},
			},
			config: { access: "public" },
		},
		async (req, res) => {
			const { centre } = req.params;
			const index = allowed(req, centre);
			const auth = req.auth;
			res.hijack();
			const raw = res.raw;
			raw.writeHead(200, {
				"content-type": "text/event-stream; charset=utf-8",
				"cache-control": "no-store, no-transform",
				connection: "keep-alive",
				"x-accel-buffering": "no",
			});
			let seq = 0;
			const send = () => {
				const view = boardView(index, hall.calls(centre), hall.view(centre), opts.now());
				raw.write(`event: board\nid: ${++seq}\ndata: ${JSON.stringify(view)}\n\n`);
			};
			raw.write("retry: 2000\n\n");
			send();
			let due: NodeJS.Timeout | undefined;
			const offCall = hall.onCall((c) => {
				if (c !== centre) return;
				clearTimeout(due);
				due = undefined;
				send();
			});
			const offLive = hall.onChange((c) => {
				if (c !== centre || due) return;
				due = setTimeout(() => {
					due = undefined;
					send();
				}, LIVE_THROTTLE_MS);
			});
			const heartbeat = setInterval(() => {
				if (auth && !auth.keepAlive()) raw.end();
				else raw.write(": heartbeat\n\n");
			}, opts.heartbeatMs ?? 15_000);
			const offSession = auth?.onEnd(() => raw.end());
			req.raw.on("close", () => {
				offCall();
				offLive();
				offSession?.();
				clearInterval(heartbeat);
				clearTimeout(due);
			});
		},
	);

	app.get(
		"/board/:centre/say/:call",
		{
			schema: {
				operationId: "sayCall",
				summary: "A call of the board spoken in Ukrainian (WAV, espeak-ng)",
				description:
					"`call` is the id of one of the board's latest calls; the answer is its phrase as audio/wav, rendered once and kept. 404 no_speech when the hub has no espeak-ng or the call is not among the latest.",
				tags,
				params: SayParams,
				response: {
					200: textAnswer("audio/wav", "The call spoken (WAV)"),
					...errorResponses("unknown_centre", "unauthorized", "forbidden", "no_speech"),
				},
			},
			config: { access: "public" },
		},
		async (req, res) => {
			const { centre, call } = req.params;
			allowed(req, centre);
			const found = hall.calls(centre).find((c) => c.id === call);
			if (!found) throw new HttpError("no_speech", `call ${call} is not among the board's latest calls`);
			const wav = opts.speech?.available ? await opts.speech.wav(found.say.uk) : undefined;
			if (!wav) throw new HttpError("no_speech", "the hub has no speech synthesiser (espeak-ng)");
			return res.type("audio/wav").header("cache-control", "private, max-age=86400").send(wav);
		},
	);
}
