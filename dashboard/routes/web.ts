/** The web page: a static shell plus the lit bundle, built from dashboard/web/ at start. */
import type { FastifyInstance } from "fastify";
import type { AppOptions } from "../app.ts";
import { buildWebBundle } from "../bundle.ts";

const page = (title: string) => `<!doctype html>
<html lang="uk">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="icon" href="data:,">
<style>
  html { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: #f4f6f8; color: #1c2430; }
  body { margin: 0; }
</style>
<script type="module" src="/app.js"></script>
</head>
<body>
<vikno-live-hall></vikno-live-hall>
</body>
</html>`;

export async function webRoutes(app: FastifyInstance, _opts: AppOptions) {
	const bundle = await buildWebBundle();
	app.get("/", async (_req, reply) => reply.type("text/html; charset=utf-8").send(page("vikno — зал наживо")));
	app.get("/app.js", async (_req, reply) =>
		reply.type("text/javascript; charset=utf-8").header("cache-control", "no-cache").send(bundle),
	);
}
