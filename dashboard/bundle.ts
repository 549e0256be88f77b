/** Bundles the browser code (lit elements in dashboard/web/) once per process with esbuild. */
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

let cached: Promise<string> | undefined;

export function buildWebBundle(): Promise<string> {
	cached ??= build({
		entryPoints: [fileURLToPath(new URL("./web/main.ts", import.meta.url))],
		bundle: true,
		write: false,
		format: "esm",
		target: "es2022",
		minify: true,
		legalComments: "none",
		// Ukrainian text as UTF-8 (the script is served so), not as \u escapes: a third of the size.
		charset: "utf8",
		// uPlot's style sheet goes into the shadow roots of the charts as text.
		loader: { ".css": "text" },
	}).then((r) => r.outputFiles[0]?.text ?? "");
	return cached;
}
