/**
 * <vikno-quality>: service quality from the rating buttons for a period — CSAT, the NPS-style
 * index, the mean, how many ratings and their distribution; per window, service and
 * administrator, with figures of fewer than the minimum sample marked "not yet meaningful"; and
 * the trend by week over the last 12 weeks.
 */
import { html, LitElement, nothing } from "lit";
import type { QualityFigures } from "../../core/quality.ts";
import { addDays } from "../../core/time.ts";
import { type CentreSummary, exportUrl, fetchQuality, type QualityReport } from "./api.ts";
import type { ChartSeries } from "./chart.ts";
import { type Column, dataTable } from "./dataTable.ts";
import { Fetcher } from "./fetcher.ts";
import { dayLabel, formatMean, formatNps, formatNumber, formatShare, type Lang, windowLabel } from "./format.ts";
import { STRINGS } from "./i18n.ts";
import { type ChosenPeriod, periodOf } from "./period.ts";
import { periodPicker } from "./periodPicker.ts";
import type { Place } from "./router.ts";
import { blocks, tokens } from "./styles.ts";
import { weeklyFigures } from "./weeks.ts";

const TREND_WEEKS = 12;

type Row = [id: string, f: QualityFigures];

export class QualityView extends LitElement {
	static override properties = {
		centre: { attribute: false },
		lang: { type: String },
		today: { type: String },
		place: { attribute: false },
	};

	static override styles = [tokens, blocks];

	centre!: CentreSummary;
	override lang: Lang = "uk";
	today = "";
	place!: Place;

	private get period(): ChosenPeriod {
		return periodOf(this.place.params, this.today, "day");
	}

	private readonly report = new Fetcher<QualityReport>(this, () => {
		const p = this.period;
		return [`${this.centre.id}/${p.from}/${p.to}`, () => fetchQuality(this.centre.id, p)];
	});

	private readonly trend = new Fetcher<QualityReport>(this, () => {
		const from = addDays(this.today, -(TREND_WEEKS * 7 - 1));
		return [`${this.centre.id}/${this.today}`, () => fetchQuality(this.centre.id, { from, to: this.today })];
	});

	override render() {
		const t = STRINGS[this.lang];
		const p = this.period;
		const q = this.report.value;
		return html`${periodPicker(this.place, p, this.today, this.lang)}
			${this.report.error ? html`<p class="state error" role="alert">${t.error}: ${this.report.error}</p>` : nothing}
			${q ? this.figures(q, p) : html`<p class="state" role="status">${t.loading}</p>`} ${this.trendChart()}`;
	}

	private figures(q: QualityReport, p: ChosenPeriod) {
		const t = STRINGS[this.lang];
		const lang = this.lang;
		const a = q.all;
		const csv = (table: "quality-windows" | "quality-services" | "quality-administrators" | "quality-days") =>
			exportUrl(this.centre.id, table, lang, p);
		const name = {
			window: (id: string) => windowLabel(id, undefined, lang),
			service: (id: string) => this.centre.services.find((s) => s.id === id)?.name[lang] ?? id,
			administrator: (id: string) => this.centre.administrators.find((x) => x.id === id)?.name ?? id,
		};
		const tables: [
			string,
			string,
			Record<string, QualityFigures>,
			(id: string) => string,
			Parameters<typeof csv>[0],
		][] = [
			["windows", t.byWindow, q.byWindow, name.window, "quality-windows"],
			["services", t.byService, q.byService, name.service, "quality-services"],
			["administrators", t.byAdministrator, q.byAdministrator, name.administrator, "quality-administrators"],
		];
		return html`<section aria-labelledby="q-all" data-testid="quality-all">
				<h2 id="q-all">${t.qualityFor} ${p.from === p.to ? dayLabel(p.from, lang) : `${dayLabel(p.from, lang)} – ${dayLabel(p.to, lang)}`}</h2>
				<div class="tiles">
					${this.tile(t.csat, formatShare(a.csat, lang), "csat", t.csatHint)}
					${this.tile(t.nps, formatNps(a.nps), "nps", t.npsHint)}
					${this.tile(t.mean, `${formatMean(a.mean, lang)} / ${q.scale}`, "mean", "")}
					${this.tile(t.ratings, formatNumber(a.count, lang), "count", a.extra ? `${t.extraPresses}: ${a.extra}` : "")}
				</div>
				${a.meaningful ? nothing : html`<p class="note" data-testid="not-meaningful">${t.notMeaningful.replace("{n}", String(q.minSample))}</p>`}
			</section>
			<section class="grid2">
				<vikno-chart
					.caption=${t.distribution}
					.labels=${a.distribution.map((_, i) => String(i + 1))}
					.series=${[
						{
							label: t.ratings,
							color: "#2f5fc4",
							kind: "bars",
							values: a.distribution,
							format: (v: number | null) => formatNumber(v, lang),
						} satisfies ChartSeries,
					]}
					.xName=${t.score}
					.lang=${lang}
				></vikno-chart>
			</section>
			${tables.map(
				([id, title, rows, label, table]) => html`<section aria-labelledby="q-${id}">
					<h2 id="q-${id}">${title}</h2>
					${dataTable<Row>(
						lang,
						title,
						{ label: t.who[id as "windows"], cell: ([k]) => label(k) },
						this.columns(q.scale),
						Object.entries(rows),
						{ testId: `quality-${id}`, csv: csv(table), rowKey: (([k]: Row) => k) as never },
					)}
				</section>`,
			)}
			${
				q.unattributed.service
					? html`<p class="note">${t.unattributed.replace("{n}", String(q.unattributed.service))}</p>`
					: nothing
			}`;
	}

	private tile(label: string, value: string, id: string, hint: string) {
		return html`<div class="tile">
			<p class="label">${label}</p>
			<p class="value" data-testid="q-${id}">${value}</p>
			${hint ? html`<p class="sub">${hint}</p>` : nothing}
		</div>`;
	}

	private columns(scale: number): Column<Row>[] {
		const t = STRINGS[this.lang];
		const lang = this.lang;
		const thin = ([, f]: Row) => (f.meaningful ? "" : "thin");
		return [
			{ label: t.ratings, num: true, cell: ([, f]) => formatNumber(f.count, lang) },
			{ label: t.mean, num: true, cls: thin, cell: ([, f]) => formatMean(f.mean, lang) },
			{ label: t.csat, num: true, cls: thin, cell: ([, f]) => formatShare(f.csat, lang) },
			{ label: t.nps, num: true, cls: thin, cell: ([, f]) => formatNps(f.nps) },
			{
				label: `${t.distribution} (1–${scale})`,
				num: true,
				cell: ([, f]) => f.distribution.join(" · "),
			},
			{ label: t.meaningful, cell: ([, f]) => (f.meaningful ? t.yes : t.tooFew) },
		];
	}

	private trendChart() {
		const t = STRINGS[this.lang];
		const q = this.trend.value;
		if (!q) return nothing;
		const weeks = weeklyFigures(q.byDay, q.scale);
		const lang = this.lang;
		const labels = weeks.map((w) => dayLabel(w.week, lang));
		const percent = (v: number | null) => (v === null ? "—" : formatShare(v / 100, lang));
		const chart = (caption: string, series: ChartSeries, axis?: (v: number) => string) =>
			html`<vikno-chart
				.caption=${caption}
				.labels=${labels}
				.series=${[series]}
				.xName=${t.weekOf}
				.lang=${lang}
				.height=${180}
				.axisFormat=${axis}
			></vikno-chart>`;
		return html`<section aria-labelledby="q-trend" data-testid="quality-trend">
			<h2 id="q-trend">${t.trendByWeek}</h2>
			<div class="grid2">
				${chart(
					t.csat,
					{
						label: t.csat,
						color: "#14662e",
						values: weeks.map((w) => (w.csat === null ? null : Math.round(w.csat * 1000) / 10)),
						format: percent,
					},
					(v) => formatShare(v / 100, lang),
				)}
				${chart(t.nps, { label: t.nps, color: "#2f5fc4", values: weeks.map((w) => w.nps), format: formatNps }, formatNps)}
				${chart(t.mean, { label: t.mean, color: "#7e22ce", values: weeks.map((w) => w.mean), format: (v) => formatMean(v, lang) })}
				${chart(t.ratingsPerWeek, {
					label: t.ratings,
					color: "#6b7a8c",
					kind: "bars",
					values: weeks.map((w) => w.count),
					format: (v) => formatNumber(v, lang),
				})}
			</div>
		</section>`;
	}
}
