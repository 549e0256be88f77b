/** The windows of a hall as cards. Template function for <vikno-live-hall>. */
import { html, nothing } from "lit";
import type { LiveView } from "./api.ts";
import { formatDuration, type Lang, windowLabel } from "./format.ts";
import { STRINGS } from "./i18n.ts";

type WindowView = LiveView["windows"][number];

/** `age`: seconds since the view arrived, added to how long a window has been calling or serving. */
export function windowCards(v: LiveView, lang: Lang, age: number) {
	const serviceName = new Map(v.services.map((s) => [s.id, s.name[lang]]));
	return html`<ul class="windows">
		${v.windows.map((w) => windowCard(w, lang, age, w.service ? serviceName.get(w.service) : undefined))}
	</ul>`;
}

function windowCard(w: WindowView, lang: Lang, age: number, service: string | undefined) {
	const t = STRINGS[lang];
	const label = windowLabel(w.id, w.name, lang);
	const note = w.name && w.name !== w.id && w.name !== label ? w.name : undefined;
	const busy = (w.state === "calling" || w.state === "serving") && w.ticket;
	const since = busy && w.sinceS !== null ? formatDuration(w.sinceS + age, lang) : "";
	return html`<li class="window ${w.state}" data-window=${w.id} data-testid="window-${w.id}">
		<span class="wid">${label}</span>
		${
			w.priority || note
				? html`<span class="wmeta"
						>${w.priority ? html`<span class="tag">${t.priorityDesk}</span>` : nothing}${
							note ? html`<span class="wnote" title=${note}>${note}</span>` : nothing
						}</span
					>`
				: nothing
		}
		<span class="wstate"><span class="dot" aria-hidden="true"></span>${t[w.state]}</span>
		${
			w.ticket
				? html`<span class="ticket" data-testid="ticket"><span class="sr-only">${t.ticket} </span>${w.ticket}</span>
						<span class="svc" title=${service ?? ""}>${service ?? ""}</span>`
				: html`<span class="ticket none" aria-hidden="true">—</span><span class="svc"></span>`
		}
		<span class="since">${since}${w.served ? html`<span class="count">${t.servedHere}: ${w.served}</span>` : nothing}</span>
	</li>`;
}
