/**
 * Where the page is: the view (its path), the centre and the language (`?centre=`, `?lang=en`),
 * and the view's own parameters (a period: `from`, `to`, `span`; the report's `day`). The page
 * moves between views with the History API; every place is a link that can be shared or
 * reloaded. Pure but for `current()` and `go()`.
 */
import type { Lang } from "./format.ts";
import { VIEWS, type ViewId, viewOfPath } from "./viewList.ts";

export interface Place {
	view: ViewId;
	centre: string | undefined;
	lang: Lang;
	/** The view's own parameters (not centre or lang). */
	params: Readonly<Record<string, string>>;
}

export function placeOf(pathname: string, search: string): Place {
	const q = new URLSearchParams(search);
	const params: Record<string, string> = {};
	for (const [k, v] of q) if (k !== "centre" && k !== "lang") params[k] = v;
	return {
		view: viewOfPath(pathname) ?? "hall",
		centre: q.get("centre") ?? undefined,
		lang: q.get("lang") === "en" ? "en" : "uk",
		params,
	};
}

/** The address of a place: the view's path, then centre, the view's parameters, and lang when English. */
export function hrefOf(place: Place): string {
	const path = VIEWS.find((v) => v.id === place.view)?.path ?? "/";
	const q = new URLSearchParams();
	if (place.centre) q.set("centre", place.centre);
	for (const [k, v] of Object.entries(place.params)) if (v !== "") q.set(k, v);
	if (place.lang === "en") q.set("lang", "en");
	const s = q.toString();
	return s ? `${path}?${s}` : path;
}

export function current(): Place {
	return placeOf(location.pathname, location.search);
}

/** The event the page's elements hear when the place changed (a link followed, back or forward). */
export const PLACE_CHANGED = "vikno-place";

/** Go to a place without reloading: a new history entry, or the current one replaced (a period picked). */
export function go(place: Place, replace = false): void {
	const href = hrefOf(place);
	if (replace) history.replaceState(null, "", href);
	else history.pushState(null, "", href);
	window.dispatchEvent(new Event(PLACE_CHANGED));
}

/**
 * A click on a link of this page, followed without reloading (a click with a modifier key, or on a
 * download, is left to the browser). Returns whether it was taken.
 */
export function followLink(ev: MouseEvent): boolean {
	if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return false;
	const a = ev.composedPath().find((n): n is HTMLAnchorElement => n instanceof HTMLAnchorElement);
	if (!a || a.hasAttribute("download") || a.target || a.origin !== location.origin) return false;
	if (!viewOfPath(a.pathname)) return false;
	ev.preventDefault();
	history.pushState(null, "", a.pathname + a.search);
	window.dispatchEvent(new Event(PLACE_CHANGED));
	return true;
}
