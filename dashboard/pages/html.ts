/**
 * Server-rendered HTML for the residents' pages: escaping and the one page layout. The pages carry
 * no inline script, style or event handler (they work under a strict Content-Security-Policy):
 * behaviour comes from /public.js, looks from /public.css.
 */
import type { Lang } from "../web/public/i18n.ts";
import { WORDS } from "../web/public/i18n.ts";

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text or an attribute value made safe for HTML. */
export function esc(value: string | number): string {
	return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

/** The Content-Security-Policy the residents' pages are served with: nothing inline, nothing foreign. */
export const PAGE_CSP =
	"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'";

export interface PageParts {
	lang: Lang;
	title: string;
	/** The centre's name and page, shown at the top. */
	centre?: { id: string; name: string };
	/** The address of this page in the other language. */
	otherLang: string;
	main: string;
}

export function page(p: PageParts): string {
	const w = WORDS[p.lang];
	return `<!doctype html>
<html lang="${p.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(p.title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/public.css">
<script type="module" src="/public.js"></script>
</head>
<body>
<a class="skip" href="#main">${p.lang === "uk" ? "Перейти до змісту" : "Skip to content"}</a>
<header class="top">
${p.centre ? `<p class="brand"><a href="/c/${esc(p.centre.id)}?lang=${p.lang}">${esc(p.centre.name)}</a></p>` : '<p class="brand">vikno</p>'}
<nav aria-label="${p.lang === "uk" ? "Мова" : "Language"}"><a href="${esc(p.otherLang)}" lang="${w.otherLangCode}" hreflang="${w.otherLangCode}">${esc(w.otherLang)}</a></nav>
</header>
<main id="main">
${p.main}
</main>
<footer class="bottom"><p>vikno · ${esc(w.pageTitle)}</p></footer>
</body>
</html>`;
}

/** The same path in the other language, keeping the other query parameters. */
export function otherLangUrl(path: string, query: Record<string, string | undefined>, lang: Lang): string {
	const params = new URLSearchParams();
	for (const [k, v] of Object.entries(query)) if (v !== undefined && k !== "lang") params.set(k, v);
	params.set("lang", lang === "uk" ? "en" : "uk");
	return `${path}?${params}`;
}
