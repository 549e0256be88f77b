/**
 * The web page, behind sign-in: a static shell plus the lit bundle, built from dashboard/web/ at
 * start, served at the path of each view (web/viewList.ts: the hall at `/`, `/quality`, …); the
 * script shows the view of the path. The shell's inline style carries the answer's CSP nonce; the
 * script is a file.
 */
import type { FastifyInstance } from "fastify";
import type { AppOptions } from "../app.ts";
import { buildWebBundle } from "../bundle.ts";
import { errorResponses } from "../errors.ts";
import { VIEWS } from "../web/viewList.ts";
import { PageQuery, textAnswer } from "./schemas.ts";

const page = (title: string, styleNonce: string) => `<!doctype html>
<html lang="uk">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="icon" href="data:,">
<style nonce="${styleNonce}">
  html { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: #f4f6f8; color: #1c2430; }
  body { margin: 0; }
  @media (min-width: 2200px) { html { font-size: 125%; } }
  @media (min-width: 3000px) { html { font-size: 160%; } }
  @media print { html { background: #fff; } vikno-session-bar { display: none; } }
</style>
<script type="module" src="/app.js"></script>
</head>
<body>
<vikno-session-bar></vikno-session-bar>
<vikno-app></vikno-app>
</body>
</html>`;

export async function webRoutes(app: FastifyInstance, _opts: AppOptions) {
	const bundle = await buildWebBundle();
	const tags = ["web"];
	for (const view of VIEWS) {
		const id = view.id[0]?.toUpperCase() + view.id.slice(1);
		app.get(
			view.path,
			{
				schema: {
					operationId: `get${id}Page`,
					summary: view.id === "hall" ? "The live hall page" : `The manager page: ${view.id}`,
					tags,
					querystring: PageQuery,
					response: {
						200: textAnswer("text/html", "The page (HTML); its script shows the centre"),
						...errorResponses(),
					},
				},
				config: { access: "read", page: true },
			},
			async (_req, reply) => reply.type("text/html; charset=utf-8").send(page("vikno", reply.cspNonce.style)),
		);
	}
	app.get(
		"/app.js",
		{
			schema: {
				operationId: "getPageScript",
				summary: "The page's script",
				tags,
				response: { 200: textAnswer("text/javascript", "The page's script (ES module)"), ...errorResponses() },
			},
			config: { access: "signed-in" },
		},
		async (_req, reply) =>
			reply.type("text/javascript; charset=utf-8").header("cache-control", "no-cache").send(bundle),
	);
}
