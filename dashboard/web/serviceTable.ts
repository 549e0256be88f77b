/** The queue per service as a table. Template function for <vikno-live-hall>. */
import { html, nothing } from "lit";
import type { LiveView } from "./api.ts";
import { formatDuration, type Lang, waitLevel } from "./format.ts";
import { STRINGS } from "./i18n.ts";

/** `age`: seconds since the view arrived, added to the waits it carries. */
export function serviceTable(v: LiveView, lang: Lang, age: number, labelledBy: string) {
	const t = STRINGS[lang];
	const levelText = { ok: t.levelOk, near: t.levelNear, over: t.levelOver };
	const nobody = v.services.every((s) => s.waiting === 0);
	// A region that may scroll sideways on a phone: focusable, so it scrolls from the keyboard too.
	return html`<div class="table-wrap" role="region" aria-labelledby=${labelledBy} tabindex="0">
		<table data-testid="services">
			<caption class="sr-only">${t.services}</caption>
			<thead>
				<tr>
					<th scope="col">${t.service}</th>
					<th scope="col" class="num">${t.queue}</th>
					<th scope="col" class="num opt">${t.priority}</th>
					<th scope="col" class="num">${t.longest}</th>
					<th scope="col" class="num">${t.estimate}</th>
					<th scope="col" class="num">${t.target}</th>
				</tr>
			</thead>
			<tbody>
				${v.services.map((s) => {
					const wait = s.waiting ? s.longestWaitS + age : 0;
					const level = s.waiting ? waitLevel(wait, s.targetWaitMin) : undefined;
					return html`<tr data-service=${s.id} class=${s.waiting ? "" : "empty"}>
						<th scope="row">${s.name[lang]}</th>
						<td class="num strong">${s.waiting}</td>
						<td class="num opt">${s.priorityWaiting || "—"}</td>
						<td class="num wait ${level ?? ""}">
							${
								level
									? html`<span class="dot" aria-hidden="true"></span>${formatDuration(wait, lang)}<span class="sr-only"
												>, ${levelText[level]}</span
											>`
									: "—"
							}
						</td>
						<td class="num" data-testid="estimate">${estimateText(s, lang)}</td>
						<td class="num">${s.targetWaitMin} ${t.min}</td>
					</tr>`;
				})}
			</tbody>
		</table>
		${nobody ? html`<p class="empty-note">${t.nobodyWaiting}</p>` : nothing}
	</div>`;
}

/** "12 хв (5–20)" for a visitor taking a ticket now, or why there is no estimate. */
function estimateText(s: LiveView["services"][number], lang: Lang): string {
	const t = STRINGS[lang];
	if (!s.estimate)
		return s.noEstimate === "no_window_open" ? t.noWindowOpen : s.noEstimate === "closed" ? t.closed : "—";
	const m = (x: number) => Math.round(x);
	return `${m(s.estimate.minutes)} ${t.min} (${m(s.estimate.low)}–${m(s.estimate.high)})`;
}
