/**
 * <vikno-history>: a day (by hour), 7 or 30 days (by day), or chosen days — visits, waiting time
 * (mean and 90th percentile), service time, hall occupancy and ratings as charts, each with its
 * table; service levels against the targets with no-shows; the weekday × hour table of load.
 */
import { css, html, LitElement, nothing } from "lit";
import type { ServiceLevel } from "../../core/serviceLevels.ts";
import { localDay } from "../../core/time.ts";
import {
	type CentreSummary,
	exportUrl,
	fetchBestTimes,
	fetchServiceLevels,
	fetchTrends,
	type ManagerBestTimes,
	type ServiceLevelReport,
	type Trends,
} from "./api.ts";
import type { ChartSeries } from "./chart.ts";
import { type Column, dataTable } from "./dataTable.ts";
import { Fetcher } from "./fetcher.ts";
import {
	dayLabel,
	formatClock,
	formatMean,
	formatMinutes,
	formatNumber,
	formatShare,
	type Lang,
	waitLevel,
} from "./format.ts";
import { heatmap } from "./heatmap.ts";
import { STRINGS } from "./i18n.ts";
import { type ChosenPeriod, periodOf } from "./period.ts";
import { periodPicker } from "./periodPicker.ts";
import type { Place } from "./router.ts";
import { type PeriodLevel, periodLevels } from "./serviceLevelSums.ts";
import { blocks, tokens } from "./styles.ts";

export const heatStyles = css`
	.heat { border-collapse: separate; border-spacing: 2px; width: auto; }
	.heat th, .heat td { border: 0; padding: 4px 6px; text-align: center; font-size: 0.8rem; min-width: 2.6rem; }
	.heat thead th { background: none; }
	.heat td { border-radius: 4px; font-variant-numeric: tabular-nums; }
	.l-quiet { background: #cdebd6; color: #0d4a21; }
	.l-usual { background: #fbe7b8; color: #5c3a00; }
	.l-busy { background: #f6c4bf; color: #7d1a14; }
	.l-none { background: #eef1f4; color: var(--muted); }
	.closed { background: repeating-linear-gradient(45deg, #f4f6f8, #f4f6f8 4px, #e9edf2 4px, #e9edf2 8px); }
	.legend { display: flex; flex-wrap: wrap; gap: 6px 12px; align-items: center; margin: 8px 0 0; font-size: 0.85rem; }
	.key { padding: 2px 10px; border-radius: 4px; }
`;

export class HistoryView extends LitElement {
	static override properties = {
		centre: { attribute: false },
		lang: { type: String },
		today: { type: String },
		place: { attribute: false },
	};

	static override styles = [tokens, blocks, heatStyles];

	centre!: CentreSummary;
	override lang: Lang = "uk";
	today = "";
	place!: Place;

	private get period(): ChosenPeriod {
		return periodOf(this.place.params, this.today, "week");
	}

	private readonly trends = new Fetcher<Trends>(this, () => {
		const p = this.period;
		return [`${this.centre.id}/${p.from}/${p.to}/${p.step}`, () => fetchTrends(this.centre.id, p, p.step)];
	});
	private readonly levels = new Fetcher<ServiceLevelReport>(this, () => {
		const p = this.period;
		return [`${this.centre.id}/${p.from}/${p.to}`, () => fetchServiceLevels(this.centre.id, p)];
	});
	private readonly best = new Fetcher<ManagerBestTimes>(this, () => [
		`${this.centre.id}/${this.today}`,
		() => fetchBestTimes(this.centre.id),
	]);

	override render() {
		const t = STRINGS[this.lang];
		const p = this.period;
		const error = this.trends.error ?? this.levels.error;
		return html`${periodPicker(this.place, p, this.today, this.lang)}
			${error ? html`<p class="state error" role="alert">${t.error}: ${error}</p>` : nothing}
			${this.trends.value ? this.charts(this.trends.value, p) : html`<p class="state" role="status">${t.loading}</p>`}
			${this.levels.value ? this.serviceLevels(this.levels.value, p) : nothing}
			<section aria-labelledby="h-heat">
				<h2 id="h-heat">${t.heatmap}</h2>
				<p class="note">${t.heatIntro}</p>
				${
					this.best.value
						? html`<p class="toolbar no-print">
									<a class="csv" href=${exportUrl(this.centre.id, "best-times", this.lang)} download>${t.csv}</a>
								</p>
								${heatmap(this.best.value, this.lang)}`
						: nothing
				}
			</section>`;
	}

	private charts(tr: Trends, p: ChosenPeriod) {
		const t = STRINGS[this.lang];
		const lang = this.lang;
		const labels = tr.rows.map((r) =>
			p.step === "1h" ? formatClock(r.t, this.centre.timeZone) : dayLabel(localDay(r.t, this.centre.timeZone), lang),
		);
		const xName = p.step === "1h" ? t.hour : t.day;
		const minutes = (v: number | null) => (v === null ? null : Math.round((v / 60) * 10) / 10);
		const asMin = (v: number | null) => (v === null ? "—" : `${formatNumber(v, lang, 1)} ${t.min}`);
		const count = (v: number | null) => formatNumber(v, lang);
		const chart = (testId: string, caption: string, series: ChartSeries[]) =>
			html`<vikno-chart data-testid=${testId} .caption=${caption} .labels=${labels} .series=${series} .xName=${xName} .lang=${lang}></vikno-chart>`;
		return html`<section aria-labelledby="h-charts">
			<h2 id="h-charts">${t.trends}</h2>
			<p class="toolbar no-print">
				<a class="csv" href=${exportUrl(this.centre.id, "trends", lang, p, p.step)} download data-testid="csv-trends"
					>${t.csv}</a
				>
			</p>
			<div class="grid2">
				${chart("chart-visits", t.visits, [
					{ label: t.called, color: "#2f5fc4", kind: "bars", values: tr.rows.map((r) => r.called), format: count },
				])}
				${chart("chart-wait", t.waitingTime, [
					{ label: t.meanLabel, color: "#c2410c", values: tr.rows.map((r) => minutes(r.waitMeanS)), format: asMin },
					{
						label: "P90",
						color: "#7d1a14",
						dash: true,
						values: tr.rows.map((r) => minutes(r.waitP90S)),
						format: asMin,
					},
				])}
				${chart("chart-service", t.serviceTime, [
					{ label: t.meanLabel, color: "#0f766e", values: tr.rows.map((r) => minutes(r.serviceMeanS)), format: asMin },
					{
						label: "P90",
						color: "#134e4a",
						dash: true,
						values: tr.rows.map((r) => minutes(r.serviceP90S)),
						format: asMin,
					},
				])}
				${chart("chart-occupancy", t.occupancyHistory, [
					{
						label: t.meanLabel,
						color: "#7e22ce",
						values: tr.rows.map((r) => r.occupancyMean),
						format: (v) => formatNumber(v, lang, 1),
					},
					{ label: t.highest, color: "#4a2c99", dash: true, values: tr.rows.map((r) => r.occupancyMax), format: count },
				])}
				${chart("chart-ratings", t.ratingsHistory, [
					{
						label: t.mean,
						color: "#14662e",
						values: tr.rows.map((r) => r.ratingMean),
						format: (v) => formatMean(v, lang),
					},
				])}
			</div>
		</section>`;
	}

	private serviceLevels(r: ServiceLevelReport, p: ChosenPeriod) {
		const t = STRINGS[this.lang];
		const lang = this.lang;
		const rows = periodLevels(
			r.levels,
			this.centre.services.map((s) => s.id),
		);
		const name = (id: string) =>
			id === "*" ? t.allServices : (this.centre.services.find((s) => s.id === id)?.name[lang] ?? id);
		const columns: Column<PeriodLevel>[] = [
			{ label: t.target, num: true, cell: (l) => (l.targetWaitMin === null ? "—" : `${l.targetWaitMin} ${t.min}`) },
			{ label: t.issuedCol, num: true, cell: (l) => formatNumber(l.issued, lang) },
			{ label: t.servedCol, num: true, cell: (l) => formatNumber(l.served, lang) },
			{
				label: t.withinTarget,
				num: true,
				cls: (l) =>
					l.withinTarget === null ? "" : l.withinTarget >= 0.8 ? "ok" : l.withinTarget >= 0.6 ? "near" : "over",
				cell: (l) => formatShare(l.withinTarget, lang),
			},
			{
				label: t.meanWait,
				num: true,
				cls: (l) => (l.waitMeanS === null || l.targetWaitMin === null ? "" : waitLevel(l.waitMeanS, l.targetWaitMin)),
				cell: (l) => formatMinutes(l.waitMeanS, lang),
			},
			{ label: p.from === p.to ? t.p90Wait : t.worstP90, num: true, cell: (l) => formatMinutes(l.waitP90S, lang) },
			{ label: t.noShows, num: true, cell: (l) => formatNumber(l.noShows, lang) },
			{ label: t.transferred, num: true, cell: (l) => formatNumber(l.transferred, lang) },
			{ label: t.noShowShare, num: true, cell: (l) => formatShare(l.noShowShare, lang) },
		];
		const days = r.levels.filter((l: ServiceLevel) => l.service === "*");
		return html`<section aria-labelledby="h-levels">
			<h2 id="h-levels">${t.serviceLevels}</h2>
			<p class="note">${t.serviceLevelsNote}</p>
			${dataTable<PeriodLevel>(
				lang,
				t.serviceLevels,
				{ label: t.service, cell: (l) => name(l.service) },
				columns,
				rows,
				{
					testId: "service-levels",
					csv: exportUrl(this.centre.id, "service-levels", lang, p),
					rowKey: ((l: PeriodLevel) => l.service) as never,
				},
			)}
			${
				days.length > 1
					? html`<div class="grid2">
							<vikno-chart
								.caption=${t.levelsByDay}
								.labels=${days.map((d) => dayLabel(d.day, lang))}
								.series=${
									[
										{
											label: t.withinTarget,
											color: "#14662e",
											values: days.map((d) =>
												d.withinTarget === null ? null : Math.round(d.withinTarget * 1000) / 10,
											),
											format: (v: number | null) => (v === null ? "—" : formatShare(v / 100, lang)),
										},
										{
											label: t.noShowShare,
											color: "#b3261e",
											dash: true,
											values: days.map((d) => (d.noShowShare === null ? null : Math.round(d.noShowShare * 1000) / 10)),
											format: (v: number | null) => (v === null ? "—" : formatShare(v / 100, lang)),
										},
									] satisfies ChartSeries[]
								}
								.xName=${t.day}
								.lang=${lang}
							></vikno-chart>
						</div>`
					: nothing
			}
		</section>`;
	}
}
