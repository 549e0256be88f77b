/**
 * Bundles the browser code once per process and entry with esbuild: the manager page
 * (dashboard/web/main.ts), the hall board and the operator console (web/{board,desk}/main.ts), the
 * residents' pages (publicMain.ts, an ES module) and the embeddable widget (widget.ts, a classic
 * script: city websites load it with `async`, and it finds the hub from its own address).
 */
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const cached = new Map<string, Promise<string>>();

function bundle(entry: string, format: "esm" | "iife"): Promise<string> {
	let p = cached.get(entry);
	if (!p) {
		p = build({
			entryPoints: [fileURLToPath(new URL(`./web/${entry}`, import.meta.url))],
			bundle: true,
			write: false,
			format,
			target: "es2022",
			minify: true,
			legalComments: "none",
			// Ukrainian text as UTF-8 (the script is served so), not as \u escapes: a third of the size.
			charset: "utf8",
			// uPlot's style sheet goes into the shadow roots of the charts as text.
			loader: { ".css": "text" },
		}).then((r) => r.outputFiles[0]?.text ?? "");
		cached.set(entry, p);
	}
	return p;
}

export const buildWebBundle = () => bundle("main.ts", "esm");
export const buildPublicBundle = () => bundle("publicMain.ts", "esm");
export const buildWidgetBundle = () => bundle("widget.ts", "iife");
export const buildBoardBundle = () => bundle("board/main.ts", "esm");
export const buildDeskBundle = () => bundle("desk/main.ts", "esm");
