/**
 * The queue per service as a table: waiting, priority waiting, the longest wait and the estimate
 * coloured against the service's target, how the ranges shown held (share inside, bias). On a phone each row becomes a card (styles.ts, `adapt`).
 * Template function for <vikno-live-hall>.
 */
import { html, nothing } from "lit";
import type { LiveView } from "./api.ts";
import { formatDuration, formatHeld, type Lang, waitLevel } from "./format.ts";
import { STRINGS } from "./i18n.ts";

/** `age`: seconds since the view arrived, added to the waits it carries. */
export function serviceTable(v: LiveView, lang: Lang, age: number, labelledBy: string) {
	const t = STRINGS[lang];
	const levelText = { ok: t.levelOk, near: t.levelNear, over: t.levelOver };
	const nobody = v.services.every((s) => s.waiting === 0);
	return html`<div class="table-wrap" role="region" aria-labelledby=${labelledBy}>
		<table data-testid="services" class="adapt">
			<caption class="sr-only">${t.services}</caption>
			<thead>
				<tr>
					<th scope="col">${t.service}</th>
					<th scope="col" class="num">${t.queue}</th>
					<th scope="col" class="num">${t.priority}</th>
					<th scope="col" class="num">${t.longest}</th>
					<th scope="col" class="num">${t.estimate}</th>
					<th scope="col" class="num">${t.estimateHeld}</th>
					<th scope="col" class="num">${t.target}</th>
				</tr>
			</thead>
			<tbody>
				${v.services.map((s) => {
					const wait = s.waiting ? s.longestWaitS + age : 0;
					const level = s.waiting ? waitLevel(wait, s.targetWaitMin) : undefined;
					const expected = s.estimate ? waitLevel(s.estimate.minutes * 60, s.targetWaitMin) : undefined;
					return html`<tr data-service=${s.id} class=${s.waiting ? "" : "empty"}>
						<th scope="row">${s.name[lang]}</th>
						<td class="num strong" data-label=${t.queue}>${s.waiting}</td>
						<td class="num" data-label=${t.priority}>${s.priorityWaiting || "—"}</td>
						<td class="num wait ${level ?? ""}" data-label=${t.longest}>
							${
								level
									? html`<span class="dot" aria-hidden="true"></span>${formatDuration(wait, lang)}<span class="sr-only"
												>, ${levelText[level]}</span
											>`
									: "—"
							}
						</td>
						<td class="num wait ${expected ?? ""}" data-testid="estimate" data-label=${t.estimate}>${estimateText(s, lang)}</td>
						<td class="num" data-testid="estimate-held" data-label=${t.estimateHeld} title=${s.estimateHeld ? t.estimateHeldNote(s.estimateHeld.tickets) : ""}>${formatHeld(s.estimateHeld, lang)}</td>
						<td class="num" data-label=${t.target}>${s.targetWaitMin} ${t.min}</td>
					</tr>`;
				})}
			</tbody>
		</table>
		${nobody ? html`<p class="empty-note">${t.nobodyWaiting}</p>` : nothing}
	</div>`;
}

/** "12 хв (5–20)" for a visitor taking a ticket now, or why there is no estimate (an unknown reason as it is). */
function estimateText(s: LiveView["services"][number], lang: Lang): string {
	const t = STRINGS[lang];
	if (!s.estimate) {
		const reason = s.noEstimate as string | undefined;
		if (!reason) return "—";
		return (t.noEstimate as Record<string, string>)[reason] ?? reason.replaceAll("_", " ");
	}
	const m = (x: number) => Math.round(x);
	return `${m(s.estimate.minutes)} ${t.min} (${m(s.estimate.low)}–${m(s.estimate.high)})`;
}
