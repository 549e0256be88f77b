/**
 * Bundles the browser code once per process and entry with esbuild: the manager page
 * (dashboard/web/main.ts), the hall board and the operator console (web/{board,desk}/main.ts), the
 * residents' pages (publicMain.ts, an ES module) and the embeddable widget (widget.ts, a classic
 * script: city websites load it with `async`, and it finds the hub from its own address).
 *
 * Paths are written from one folder below the project root (`../dashboard/…`), so they hold both in
 * the sources and in the hub's bundle, `dist/vikno.mjs` (`npm run build`), which reads the browser
 * sources and styles from the checkout beside it.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const cached = new Map<string, Promise<string>>();

function bundle(entry: string, format: "esm" | "iife"): Promise<string> {
	let p = cached.get(entry);
	if (!p) {
		p = build({
			entryPoints: [fileURLToPath(new URL(`../dashboard/web/${entry}`, import.meta.url))],
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

/** The residents' pages' style sheet. */
export const publicCss = () => readFileSync(new URL("../dashboard/pages/public.css", import.meta.url), "utf8");

export const buildWebBundle = () => bundle("main.ts", "esm");
export const buildPublicBundle = () => bundle("publicMain.ts", "esm");
export const buildWidgetBundle = () => bundle("widget.ts", "iife");
export const buildBoardBundle = () => bundle("board/main.ts", "esm");
export const buildDeskBundle = () => bundle("desk/main.ts", "esm");
