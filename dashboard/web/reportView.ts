/**
 * <vikno-report>: the report of one day of a centre, made to be printed (print CSS: no
 * navigation, black on white, no table split across pages) — the day's tickets and service levels,
 * waits, ratings and the hall, by hour and by service, quality per window, and the alerts.
 */
import { css, html, LitElement, nothing } from "lit";
import type { AlertRecord } from "../../core/alertJournal.ts";
import type { QualityFigures } from "../../core/quality.ts";
import type { ServiceLevel } from "../../core/serviceLevels.ts";
import { isDate, localDay } from "../../core/time.ts";
import {
	type AlertHistory,
	type CentreSummary,
	exportUrl,
	fetchAlertHistory,
	fetchQuality,
	fetchServiceLevels,
	fetchTrends,
	type QualityReport,
	type ServiceLevelReport,
	type Trends,
} from "./api.ts";
import type { ChartSeries } from "./chart.ts";
import { type Column, dataTable } from "./dataTable.ts";
import { Fetcher } from "./fetcher.ts";
import {
	formatClock,
	formatDay,
	formatMean,
	formatMinutes,
	formatNps,
	formatNumber,
	formatShare,
	formatStamp,
	type Lang,
	windowLabel,
} from "./format.ts";
import { STRINGS } from "./i18n.ts";
import { go, type Place } from "./router.ts";
import { blocks, tokens } from "./styles.ts";

interface DayReport {
	levels: ServiceLevelReport;
	quality: QualityReport;
	trends: Trends;
	alerts: AlertHistory;
}

export class ReportView extends LitElement {
	static override properties = {
		centre: { attribute: false },
		lang: { type: String },
		today: { type: String },
		place: { attribute: false },
	};

	static override styles = [
		tokens,
		blocks,
		css`
			.tiles { grid-template-columns: repeat(auto-fit, minmax(10rem, 1fr)); }
			.value { font-size: 1.8rem; }
			.made { color: var(--muted); font-size: 0.85rem; margin-top: 24px; }
			@media print {
				:host { font-size: 11pt; }
				.tile { padding: 8px 10px; }
				.value { font-size: 1.4rem; }
				h2 { break-after: avoid; }
				section { break-inside: avoid; }
				.grid2 { grid-template-columns: 1fr 1fr; }
			}
		`,
	];

	centre!: CentreSummary;
	override lang: Lang = "uk";
	today = "";
	place!: Place;

	private get day(): string {
		const d = this.place.params.day;
		return d && isDate(d) && d <= this.today ? d : this.today;
	}

	private readonly report = new Fetcher<DayReport>(this, () => {
		const day = this.day;
		const p = { from: day, to: day };
		const id = this.centre.id;
		return [
			`${id}/${day}`,
			async () => {
				const [levels, quality, trends, alerts] = await Promise.all([
					fetchServiceLevels(id, p),
					fetchQuality(id, p),
					fetchTrends(id, p, "1h"),
					fetchAlertHistory(id, p),
				]);
				return { levels, quality, trends, alerts };
			},
		];
	});

	override render() {
		const t = STRINGS[this.lang];
		const r = this.report.value;
		return html`<div class="toolbar no-print">
				<form
					class="dates"
					@submit=${(e: SubmitEvent) => {
						e.preventDefault();
						const day = String(new FormData(e.target as HTMLFormElement).get("day") ?? "");
						if (isDate(day)) go({ ...this.place, params: { day } });
					}}
				>
					<label>${t.day} <input type="date" name="day" .value=${this.day} max=${this.today} /></label>
					<button type="submit">${t.show}</button>
				</form>
				<button type="button" class="primary" data-testid="print" @click=${() => window.print()}>${t.print}</button>
			</div>
			${this.report.error ? html`<p class="state error" role="alert">${t.error}: ${this.report.error}</p>` : nothing}
			${r ? this.body(r) : html`<p class="state" role="status">${t.loading}</p>`}`;
	}

	private body(r: DayReport) {
		const t = STRINGS[this.lang];
		const lang = this.lang;
		const zone = this.centre.timeZone;
		const day = { from: this.day, to: this.day };
		const all = r.levels.levels.find((l) => l.service === "*");
		const q = r.quality.all;
		const highest = Math.max(0, ...r.trends.rows.map((x) => x.occupancyMax ?? 0));
		const hours = r.trends.rows.filter((x) => x.called || x.served || x.ratings || x.occupancyMax);
		const labels = hours.map((x) => formatClock(x.t, zone));
		const tile = (label: string, value: string, id: string) =>
			html`<div class="tile"><p class="label">${label}</p><p class="value" data-testid="r-${id}">${value}</p></div>`;
		const serviceName = (id: string) => this.centre.services.find((s) => s.id === id)?.name[lang] ?? id;
		const levelColumns: Column<ServiceLevel>[] = [
			{ label: t.issuedCol, num: true, cell: (l) => l.issued },
			{ label: t.servedCol, num: true, cell: (l) => l.served },
			{ label: t.noShows, num: true, cell: (l) => l.noShows },
			{ label: t.transferred, num: true, cell: (l) => l.transferred },
			{ label: t.withinTarget, num: true, cell: (l) => formatShare(l.withinTarget, lang) },
			{ label: t.meanWait, num: true, cell: (l) => formatMinutes(l.wait.meanS, lang) },
			{ label: t.p90Wait, num: true, cell: (l) => formatMinutes(l.wait.p90S, lang) },
			{ label: t.meanService, num: true, cell: (l) => formatMinutes(l.serviceTime.meanS, lang) },
		];
		const qualityColumns: Column<[string, QualityFigures]>[] = [
			{ label: t.ratings, num: true, cell: ([, f]) => f.count },
			{ label: t.mean, num: true, cell: ([, f]) => formatMean(f.mean, lang) },
			{ label: t.csat, num: true, cell: ([, f]) => formatShare(f.csat, lang) },
			{ label: t.nps, num: true, cell: ([, f]) => formatNps(f.nps) },
		];
		const alertColumns: Column<AlertRecord>[] = [
			{ label: t.message, cell: (a) => a.message[lang] },
			{ label: t.resolved, cell: (a) => (a.resolvedAt === null ? t.stillActive : formatClock(a.resolvedAt, zone)) },
			{
				label: t.acknowledgement,
				cell: (a) =>
					a.acks.length ? a.acks.map((x) => `${x.by}${x.comment ? `: ${x.comment}` : ""}`).join("; ") : "—",
			},
		];
		const count = (v: number | null) => formatNumber(v, lang);
		const asMin = (v: number | null) => (v === null ? "—" : `${formatNumber(v, lang, 1)} ${t.min}`);
		return html`<h2 data-testid="report-title">${t.reportFor} ${formatDay(this.day, lang)}</h2>
			<section aria-label=${t.dayFigures}>
				<div class="tiles">
					${tile(t.issuedCol, formatNumber(all?.issued ?? 0, lang), "issued")}
					${tile(t.servedCol, formatNumber(all?.served ?? 0, lang), "served")}
					${tile(t.noShows, formatNumber(all?.noShows ?? 0, lang), "no-shows")}
					${tile(t.withinTarget, formatShare(all?.withinTarget, lang), "within")}
					${tile(t.meanWait, `${formatMinutes(all?.wait.meanS, lang)} ${t.min}`, "wait")}
					${tile(t.p90Wait, `${formatMinutes(all?.wait.p90S, lang)} ${t.min}`, "p90")}
					${tile(t.ratings, formatNumber(q.count, lang), "ratings")}
					${tile(t.mean, formatMean(q.mean, lang), "mean")}
					${tile(t.csat, formatShare(q.csat, lang), "csat")}
					${tile(t.highestInHall, formatNumber(highest, lang), "highest")}
				</div>
				${q.meaningful ? nothing : html`<p class="note">${t.notMeaningful.replace("{n}", String(r.quality.minSample))}</p>`}
			</section>
			<section class="grid2" aria-label=${t.byHour}>
				<vikno-chart
					.caption=${t.visits}
					.labels=${labels}
					.series=${[{ label: t.called, color: "#2f5fc4", kind: "bars", values: hours.map((x) => x.called), format: count }] satisfies ChartSeries[]}
					.xName=${t.hour}
					.lang=${lang}
					.height=${180}
				></vikno-chart>
				<vikno-chart
					.caption=${t.waitingTime}
					.labels=${labels}
					.series=${
						[
							{
								label: t.meanLabel,
								color: "#c2410c",
								values: hours.map((x) => (x.waitMeanS === null ? null : Math.round(x.waitMeanS / 6) / 10)),
								format: asMin,
							},
							{
								label: "P90",
								color: "#7d1a14",
								dash: true,
								values: hours.map((x) => (x.waitP90S === null ? null : Math.round(x.waitP90S / 6) / 10)),
								format: asMin,
							},
						] satisfies ChartSeries[]
					}
					.xName=${t.hour}
					.lang=${lang}
					.height=${180}
				></vikno-chart>
			</section>
			<section aria-labelledby="r-services">
				<h2 id="r-services">${t.byService}</h2>
				${dataTable<ServiceLevel>(
					lang,
					t.byService,
					{ label: t.service, cell: (l) => (l.service === "*" ? t.allServices : serviceName(l.service)) },
					levelColumns,
					r.levels.levels,
					{
						testId: "report-services",
						csv: exportUrl(this.centre.id, "service-levels", lang, day),
						rowKey: ((l: ServiceLevel) => l.service) as never,
					},
				)}
			</section>
			<section aria-labelledby="r-windows">
				<h2 id="r-windows">${t.qualityByWindow}</h2>
				${dataTable<[string, QualityFigures]>(
					lang,
					t.qualityByWindow,
					{ label: t.who.windows, cell: ([w]) => windowLabel(w, undefined, lang) },
					qualityColumns,
					Object.entries(r.quality.byWindow),
					{ testId: "report-windows", csv: exportUrl(this.centre.id, "quality-windows", lang, day) },
				)}
			</section>
			<section aria-labelledby="r-alerts">
				<h2 id="r-alerts">${t.nav.alerts}</h2>
				${dataTable<AlertRecord>(
					lang,
					t.nav.alerts,
					{
						label: t.raised,
						cell: (a) =>
							localDay(a.raisedAt, zone) === this.day ? formatClock(a.raisedAt, zone) : formatStamp(a.raisedAt, zone),
					},
					alertColumns,
					r.alerts.alerts,
					{ testId: "report-alerts", empty: t.noAlertsInPeriod, csv: exportUrl(this.centre.id, "alerts", lang, day) },
				)}
			</section>
			<p class="made">${this.centre.name[lang]} · ${t.reportMade} vikno</p>`;
	}
}
