/**
 * The operator console, `/desk/{centre}/{window}`: a page for an administrator at a PC and the
 * actions it sends, `POST /api/v1/desk/{centre}/{window}/{action}` — the window node's buttons,
 * done by the hub through the same contract and dispatcher (hub/desk.ts). Who may: the window's
 * operator (`vikno user add … --role operator --window W`), a manager of the centre, an admin
 * (`config.access: "operate"`, core/roles.ts `canOperate`); every POST carries the CSRF token.
 */
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import Type from "typebox";
import { ID_PATTERN } from "../../core/ids.ts";
import type { AppOptions } from "../app.ts";
import { buildDeskBundle } from "../bundle.ts";
import { errorResponses, HttpError, unknownCentre } from "../errors.ts";
import { textAnswer } from "./schemas.ts";

const ACTIONS = ["next", "recall", "start", "finish", "no_show", "transfer", "pause", "resume"] as const;
const id = Type.String({ pattern: ID_PATTERN });
const DeskParams = Type.Object({ centre: id, window: id }, { additionalProperties: false });
const ActionParams = Type.Object(
	{ centre: id, window: id, action: Type.Enum([...ACTIONS]) },
	{ additionalProperties: false },
);
const ActionBody = Type.Union([
	Type.Object(
		{
			to: Type.Optional(
				Type.String({ pattern: ID_PATTERN, description: "transfer: the service to send the visitor on to" }),
			),
		},
		{ additionalProperties: false },
	),
	Type.Null(),
]);
const ActionAnswer = Type.Object(
	{
		ticket: Type.Union([Type.String(), Type.Null()], {
			description: "The ticket acted on; null when nobody waits (next)",
		}),
		event: Type.Optional(Type.String({ description: "The queue event the hub made for the window's node" })),
	},
	{ additionalProperties: false },
);

const page = (title: string, centre: string, window: string, styleNonce: string) => `<!doctype html>
<html lang="uk">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="icon" href="data:,">
<style nonce="${styleNonce}">
  html { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: #f4f6f8; color: #1c2430; }
  body { margin: 0; }
</style>
<script type="module" src="/desk.js"></script>
</head>
<body>
<vikno-desk centre="${centre}" window="${window}"></vikno-desk>
</body>
</html>`;

export async function deskRoutes(fastify: FastifyInstance, opts: AppOptions) {
	const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
	const bundle = await buildDeskBundle();
	const tags = ["desk"];
	const known = (centre: string, window: string) => {
		const index = opts.hall.centres.get(centre);
		if (!index) throw unknownCentre(centre);
		if (!index.windows.has(window))
			throw new HttpError("unknown_window", `centre "${centre}" has no window "${window}"`);
		return index;
	};

	app.get(
		"/desk/:centre/:window",
		{
			schema: {
				operationId: "getDesk",
				summary: "The operator console of a window",
				tags,
				params: DeskParams,
				response: {
					200: textAnswer("text/html", "The console (HTML)"),
					...errorResponses("unknown_centre", "unknown_window"),
				},
			},
			config: { access: "operate", page: true },
		},
		async (req, reply) => {
			const { centre, window } = req.params;
			const index = known(centre, window);
			const name = index.windows.get(window)?.name ?? window;
			return reply.type("text/html; charset=utf-8").send(page(`${name} — vikno`, centre, window, reply.cspNonce.style));
		},
	);

	app.get(
		"/desk.js",
		{
			schema: {
				operationId: "getDeskScript",
				summary: "The operator console's script",
				tags,
				response: { 200: textAnswer("text/javascript", "The console's script (ES module)"), ...errorResponses() },
			},
			config: { access: "signed-in" },
		},
		async (_req, reply) =>
			reply.type("text/javascript; charset=utf-8").header("cache-control", "no-cache").send(bundle),
	);

	app.post(
		"/api/v1/desk/:centre/:window/:action",
		{
			schema: {
				operationId: "deskAction",
				summary:
					"An operator console's action at a window: next, recall, start, finish, no_show, transfer, pause, resume",
				description:
					"Does what the window node's button does, through the same contract: next asks the dispatcher and calls the ticket (finishing one being served first; refused on a break); recall calls the called ticket again; start, finish and no_show act on the window's ticket; transfer (the body's \"to\": a service) sends it on to another service, where it waits in its place by issue time; pause and resume put the window on a break and end it (the node's status with paused, and the pause command to the node): a window on a break counts as closed for the estimates.",
				tags,
				params: ActionParams,
				body: Type.Optional(ActionBody),
				response: { 200: ActionAnswer, ...errorResponses("unknown_centre", "unknown_window", "desk_refused") },
			},
			config: { access: "operate" },
		},
		async (req) => {
			const { centre, window, action } = req.params;
			known(centre, window);
			if (!opts.desk) throw new HttpError("desk_refused", "this hub runs no operator consoles");
			const r = await opts.desk.act(centre, window, action, req.body?.to);
			if (!r.ok) throw new HttpError(r.reason === "unknown_window" ? "unknown_window" : "desk_refused", r.detail);
			return { ticket: r.ticket, ...(r.event ? { event: r.event } : {}) };
		},
	);
}
