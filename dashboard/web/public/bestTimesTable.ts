/**
 * <vikno-best-times centre="demo" lang="uk">: the best time to visit, per service, as a table —
 * the chart is the table: a row per open hour, a column per weekday, each cell coloured by its
 * label and saying it in words (and the usual wait to a screen reader), so it reads the same to
 * everyone. A select chooses the service.
 */
import { css, html, LitElement, nothing } from "lit";
import { WEEKDAYS, type Weekday } from "../../../core/time.ts";
import { centreUrl, hubOrigin, type PublicCentre } from "./api.ts";
import { labelText } from "./format.ts";
import { fill, type Lang, langOf, WORDS } from "./i18n.ts";
import { pageStyles } from "./pageStyles.ts";
import { PollController } from "./poll.ts";

const tableStyles = css`
	label {
		display: inline-block;
		margin-right: 0.5em;
	}
	select {
		min-height: 44px;
		max-width: 100%;
		padding: 0.25em 0.5em;
	}
	.scroll {
		margin-top: 0.25em;
		/* The contained block of the cells' hidden texts too: they must scroll with the table. */
		position: relative;
		overflow-x: auto;
	}
	.cap {
		margin: 0.75em 0 0;
		font-weight: 600;
	}
	table {
		border-collapse: separate;
		border-spacing: 1px;
		font-size: 0.9em;
		min-width: 100%;
	}
	caption {
		text-align: start;
		font-weight: 600;
		padding-bottom: 0.4em;
	}
	th {
		font-weight: 600;
		padding: 0.25em 0.4em;
		text-align: center;
	}
	th[scope="row"] {
		text-align: end;
		padding: 0.25em 0.3em 0.25em 0;
		white-space: nowrap;
	}
	td {
		text-align: center;
		padding: 0.3em 0;
		border-radius: 0.3em;
		min-width: 2.9em;
		font-size: 0.85em;
	}
	td.quiet {
		background: #d6efdd;
		color: #0f4d22;
	}
	td.usual {
		background: #fdf0c4;
		color: #4d3b00;
	}
	td.busy {
		background: #f8d3d3;
		color: #7a0c1d;
	}
	td.none {
		background: #f0f2f4;
		color: #4a5563;
	}
	.legend {
		margin-top: 0.5em;
		font-size: 0.9em;
	}
`;

export class BestTimesTable extends LitElement {
	static override properties = {
		centre: { type: String },
		hub: { type: String },
		chosen: { state: true },
	};
	static override styles = [pageStyles, tableStyles];

	centre = "";
	hub: string | undefined;
	chosen: string | undefined;
	private readonly poll = new PollController<PublicCentre>(
		this,
		() => (this.centre ? centreUrl(hubOrigin(this.hub), this.centre) : undefined),
		() => 10 * 60_000,
	);

	private get locale(): Lang {
		return langOf(this.getAttribute("lang") ?? document.documentElement.lang);
	}

	override render() {
		const lang = this.locale;
		const w = WORDS[lang];
		const d = this.poll.data;
		if (!d) return html`<p role="status">${this.poll.state === "loading" ? w.loading : w.failed}</p>`;
		const service = d.services.find((s) => s.id === this.chosen) ?? d.services[0];
		if (!service) return nothing;
		const cells = service.bestTimes;
		const labelled = cells.some((c) => c.label !== null);
		return html`
			<label for="service">${w.bestChoose}</label>
			<select id="service" @change=${(e: Event) => {
				this.chosen = (e.target as HTMLSelectElement).value;
			}}>
				${d.services.map((s) => html`<option value=${s.id} ?selected=${s.id === service.id}>${s.name[lang]}</option>`)}
			</select>
			${labelled ? this.table(service, cells, lang) : html`<p class="notice" role="status">${w.bestEmpty}</p>`}
		`;
	}

	private table(
		service: PublicCentre["services"][number],
		cells: PublicCentre["services"][number]["bestTimes"],
		lang: Lang,
	) {
		const w = WORDS[lang];
		const days = WEEKDAYS.filter((day) => cells.some((c) => c.weekday === day));
		const hours = [...new Set(cells.map((c) => c.hour))].sort((a, b) => a - b);
		const at = new Map(cells.map((c) => [`${c.weekday} ${c.hour}`, c]));
		return html`
			<p class="cap" aria-hidden="true">${fill(w.bestCaption, { service: service.name[lang] })}</p>
			<div class="scroll" tabindex="0" role="region" aria-label=${fill(w.bestCaption, { service: service.name[lang] })}>
				<table>
					<caption class="sr">${fill(w.bestCaption, { service: service.name[lang] })}</caption>
					<thead>
						<tr>
							<th scope="col">${w.hourCol}</th>
							${days.map((day) => html`<th scope="col"><abbr title=${w.weekdays[day as Weekday]}>${w.weekdaysShort[day as Weekday]}</abbr></th>`)}
						</tr>
					</thead>
					<tbody>
						${hours.map(
							(hour) => html`<tr>
								<th scope="row">${hour}:00</th>
								${days.map((day) => {
									const c = at.get(`${day} ${hour}`);
									if (!c) return html`<td class="none">—</td>`;
									const wait = c.waitMin !== null ? fill(w.typicalWait, { min: Math.round(c.waitMin) }) : "";
									return html`<td class=${c.label ?? "none"}>
										${labelText(c.label, lang, true)}${wait ? html`<span class="sr">, ${wait}</span>` : nothing}
									</td>`;
								})}
							</tr>`,
						)}
					</tbody>
				</table>
			</div>
			<p class="legend muted">${w.bestLegend}</p>
		`;
	}
}
