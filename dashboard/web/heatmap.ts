/**
 * The weekday × hour table of load (the best-times data of the last 8 weeks): each open hour
 * coloured quiet / usual / busy, with the typical wait written in it — the table is its own text
 * alternative. Template function for <vikno-history>.
 */
import { html, nothing } from "lit";
import { WEEKDAYS } from "../../core/time.ts";
import type { ManagerBestTimes } from "./api.ts";
import { formatNumber, hourLabel, type Lang, weekdayName, weekdayShort } from "./format.ts";
import { STRINGS } from "./i18n.ts";

export function heatmap(best: ManagerBestTimes, lang: Lang) {
	const t = STRINGS[lang];
	const hours = [...new Set(best.cells.map((c) => c.hour))].sort((a, b) => a - b);
	const days = WEEKDAYS.filter((d) => best.cells.some((c) => c.weekday === d));
	if (!hours.length) return html`<p class="empty-note">${t.noData}</p>`;
	const cell = (d: (typeof WEEKDAYS)[number], h: number) => best.cells.find((c) => c.weekday === d && c.hour === h);
	return html`<div class="table-wrap heat-wrap" role="region" aria-labelledby="h-heat" tabindex="0">
		<table class="heat" data-testid="heatmap">
			<caption class="sr-only">${t.heatmap} (${best.from} – ${best.to})</caption>
			<thead>
				<tr>
					<th scope="col"><span class="sr-only">${t.weekday}</span></th>
					${hours.map((h) => html`<th scope="col">${hourLabel(h)}</th>`)}
				</tr>
			</thead>
			<tbody>
				${days.map(
					(d) => html`<tr>
						<th scope="row"><abbr title=${weekdayName(d, lang)}>${weekdayShort(d, lang)}</abbr></th>
						${hours.map((h) => {
							const c = cell(d, h);
							if (!c) return html`<td class="closed"><span class="sr-only">${t.closed}</span></td>`;
							const label = c.label ? t.labels[c.label] : t.tooFew;
							return html`<td class="l-${c.label ?? "none"}" data-cell="${d}-${h}" title="${label}">
								${c.waitMin === null ? "·" : formatNumber(c.waitMin, lang)}<span class="sr-only"> ${t.min}, ${label}</span>
							</td>`;
						})}
					</tr>`,
				)}
			</tbody>
		</table>
	</div>
	<p class="legend">
		${(["quiet", "usual", "busy"] as const).map((l) => html`<span class="key l-${l}">${t.labels[l]}</span>`)}
		<span class="muted">${t.heatNote}</span>
	</p>
	${best.cells.every((c) => c.days === 0) ? html`<p class="note">${t.heatEmpty}</p>` : nothing}`;
}
