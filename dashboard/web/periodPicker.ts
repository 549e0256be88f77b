/**
 * Choosing the period of a report view: the spans ending today as links (day, 7 days, 30 days),
 * or two dates. The choice goes into the address (router.ts), so a period can be shared and the
 * back button undoes it. Template function.
 */
import { html } from "lit";
import { addDays } from "../../core/time.ts";
import type { Lang } from "./format.ts";
import { STRINGS } from "./i18n.ts";
import { type ChosenPeriod, MAX_DAYS, SPANS } from "./period.ts";
import { go, hrefOf, type Place } from "./router.ts";

export function periodPicker(place: Place, period: ChosenPeriod, today: string, lang: Lang) {
	const t = STRINGS[lang];
	const submit = (e: SubmitEvent) => {
		e.preventDefault();
		const data = new FormData(e.target as HTMLFormElement);
		const from = String(data.get("from") ?? "");
		const to = String(data.get("to") ?? "");
		const [first = "", last = ""] = [from, to].sort();
		if (from && to) go({ ...place, params: { from: first, to: last } });
	};
	return html`<div class="toolbar no-print" data-testid="period">
		<span class="segmented" role="group" aria-label=${t.period}>
			${SPANS.map(
				(s) =>
					html`<a href=${hrefOf({ ...place, params: { span: s } })} aria-current=${period.span === s ? "true" : "false"} data-span=${s}
						>${t.spans[s]}</a
					>`,
			)}
		</span>
		<form class="dates" @submit=${submit}>
			<label>${t.from} <input type="date" name="from" .value=${period.from} max=${today} min=${addDays(today, -400)} /></label>
			<label>${t.to} <input type="date" name="to" .value=${period.to} max=${today} /></label>
			<button type="submit">${t.show}</button>
			<span class="muted">${t.maxDays.replace("{n}", String(MAX_DAYS))}</span>
		</form>
	</div>`;
}
