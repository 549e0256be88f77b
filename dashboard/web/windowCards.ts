/**
 * The windows of a hall as cards: state, ticket and service, for how long, served today, and the
 * administrator who usually works there (the centre's `administrators`), and a window possibly
 * away — idle while tickets it serves wait, past its usual reaction (core/silence.ts) — marked
 * "не викликає 6 хв". A state this page does not know yet (a newer hub's) is shown as it is named. Template function for <vikno-live-hall>.
 */
import { html, nothing } from "lit";
import type { CentreSummary, LiveView } from "./api.ts";
import { formatDuration, type Lang, windowLabel } from "./format.ts";
import { STRINGS } from "./i18n.ts";

type WindowView = LiveView["windows"][number];

/** `age`: seconds since the view arrived, added to how long a window has been calling or serving. */
export function windowCards(v: LiveView, lang: Lang, age: number, centre?: CentreSummary) {
	const serviceName = new Map(v.services.map((s) => [s.id, s.name[lang]]));
	const admin = (w: string) => {
		const a = centre?.administrators.find((x) => x.windows.includes(w));
		return a ? (a.name ?? a.id) : undefined;
	};
	return html`<ul class="windows">
		${v.windows.map((w) => windowCard(w, lang, age, w.service ? serviceName.get(w.service) : undefined, admin(w.id)))}
	</ul>`;
}

function windowCard(w: WindowView, lang: Lang, age: number, service: string | undefined, admin: string | undefined) {
	const t = STRINGS[lang];
	const label = windowLabel(w.id, w.name, lang);
	const note = w.name && w.name !== w.id && w.name !== label ? w.name : undefined;
	const state = w.state as string;
	const busy = (state === "calling" || state === "serving") && w.ticket;
	const since = busy && w.sinceS !== null ? formatDuration(w.sinceS + age, lang) : "";
	const silentS = w.possiblyAway && typeof w.silentS === "number" ? w.silentS + age : undefined;
	const usual =
		typeof w.usualReactionS === "number" ? `${t.usuallyCalls} ${formatDuration(w.usualReactionS, lang)}` : "";
	return html`<li class="window ${state}${silentS !== undefined ? " silent" : ""}" data-window=${w.id} data-testid="window-${w.id}">
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
		<span class="wstate"><span class="dot" aria-hidden="true"></span>${(t.windowStates as Record<string, string>)[state] ?? state}</span>
		${
			w.ticket
				? html`<span class="ticket" data-testid="ticket"><span class="sr-only">${t.ticket} </span>${w.ticket}</span>
						<span class="svc" title=${service ?? ""}>${service ?? ""}</span>`
				: html`<span class="ticket none" aria-hidden="true">—</span><span class="svc"></span>`
		}
		${
			silentS !== undefined
				? html`<span class="silent-note" data-testid="silent" title=${usual}>${t.notCalling} ${formatDuration(silentS, lang)}</span>`
				: nothing
		}
		${admin ? html`<span class="admin" data-testid="administrator">${t.administrator}: ${admin}</span>` : nothing}
		<span class="since">${since}${w.served ? html`<span class="count">${t.servedHere}: ${w.served}</span>` : nothing}</span>
	</li>`;
}
