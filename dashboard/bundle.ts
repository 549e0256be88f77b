/** Bundles the browser code (lit elements in dashboard/web/) once per process and entry with esbuild. */
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const cached = new Map<string, Promise<string>>();

/** `main`: the manager's page (web/main.ts); `board`: the hall board; `desk`: the operator console (web/{entry}/main.ts). */
export function buildWebBundle(entry: "main" | "board" | "desk" = "main"): Promise<string> {
	let bundle = cached.get(entry);
	if (!bundle) {
		const file = entry === "main" ? "./web/main.ts" : `./web/${entry}/main.ts`;
		bundle = build({
			entryPoints: [fileURLToPath(new URL(file, import.meta.url))],
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
		cached.set(entry, bundle);
	}
	return bundle;
}
