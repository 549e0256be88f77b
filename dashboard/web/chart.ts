/**
 * <vikno-chart>: one chart drawn by uPlot, and its text alternative — the same figures as a table
 * (in a <details> a screen reader and a keyboard reach; left out of print, where the report's own
 * tables say it). The x axis is the buckets'
 * labels as given (local hours or days, already in the centre's time zone), so the chart never
 * reads the browser's zone. Counts are bars, figures over time lines; a bucket without a figure
 * is a gap, not a zero.
 */
import { html, LitElement, type PropertyValues, unsafeCSS } from "lit";
import uPlot from "uplot";
import uplotCss from "uplot/dist/uPlot.min.css";
import { ALL_POINTS_UP_TO, lonePoints } from "./chartPoints.ts";
import { formatNumber, type Lang } from "./format.ts";
import { STRINGS } from "./i18n.ts";
import { blocks, tokens } from "./styles.ts";

export interface ChartSeries {
	label: string;
	values: readonly (number | null)[];
	color: string;
	kind?: "line" | "bars";
	dash?: boolean;
	/** How a value reads in the table and on the axis. */
	format: (v: number | null) => string;
}

let made = 0;

export class Chart extends LitElement {
	static override properties = {
		caption: { type: String },
		labels: { attribute: false },
		series: { attribute: false },
		xName: { type: String },
		lang: { type: String },
		height: { type: Number },
		axisFormat: { attribute: false },
	};

	static override styles = [
		unsafeCSS(uplotCss),
		tokens,
		blocks,
		unsafeCSS(`
			:host { display: block; min-width: 0; }
			.plot { width: 100%; min-height: 40px; }
			.uplot { width: 100% !important; font-family: inherit; }
			.u-legend { font-size: 0.8rem; color: var(--muted); }
			.u-legend .u-series:first-child { display: none; }
			.empty { color: var(--muted); font-size: 0.9rem; padding: 24px 0; }
			@media print { details { display: none; } }
		`),
	];

	caption = "";
	labels: readonly string[] = [];
	series: readonly ChartSeries[] = [];
	xName = "";
	override lang: Lang = "uk";
	height = 220;
	/** How the y axis reads its ticks (default: plain numbers; the caption gives the unit). */
	axisFormat: ((v: number) => string) | undefined;
	private plot: uPlot | undefined;
	private observer: ResizeObserver | undefined;
	private readonly captionId = `chart-${++made}`;

	override disconnectedCallback() {
		super.disconnectedCallback();
		this.observer?.disconnect();
		this.observer = undefined;
		this.plot?.destroy();
		this.plot = undefined;
	}

	private get hasData(): boolean {
		return this.series.some((s) => s.values.some((v) => v !== null && v !== 0));
	}

	override render() {
		const t = STRINGS[this.lang];
		const summary = this.series.map((s) => `${s.label}: ${s.values.filter((v) => v !== null).length}`).join(", ");
		return html`<figure aria-labelledby=${this.captionId}>
			<figcaption id=${this.captionId}>${this.caption}</figcaption>
			${
				this.hasData
					? html`<div class="plot" role="img" aria-label="${this.caption} (${summary}); ${t.tableBelow}"></div>`
					: html`<p class="empty">${t.noData}</p>`
			}
			<details>
				<summary>${t.asTable}</summary>
				<div class="table-wrap">
					<table class="adapt">
						<caption class="sr-only">${this.caption}</caption>
						<thead>
							<tr>
								<th scope="col">${this.xName}</th>
								${this.series.map((s) => html`<th scope="col" class="num">${s.label}</th>`)}
							</tr>
						</thead>
						<tbody>
							${this.labels.map(
								(label, i) => html`<tr>
									<th scope="row">${label}</th>
									${this.series.map(
										(s) => html`<td class="num" data-label=${s.label}>${s.format(s.values[i] ?? null)}</td>`,
									)}
								</tr>`,
							)}
						</tbody>
					</table>
				</div>
			</details>
		</figure>`;
	}

	override updated(changed: PropertyValues<this>) {
		if (!changed.has("labels") && !changed.has("series") && !changed.has("height")) return;
		this.plot?.destroy();
		this.plot = undefined;
		const target = this.renderRoot.querySelector<HTMLElement>(".plot");
		if (!target) return;
		this.plot = new uPlot(this.options(target.clientWidth || 600), this.data(), target);
		this.observer ??= new ResizeObserver(() => {
			const el = this.renderRoot.querySelector<HTMLElement>(".plot");
			if (el && this.plot && el.clientWidth > 0)
				this.plot.setSize({ width: el.clientWidth, height: this.scaledHeight() });
		});
		this.observer.disconnect();
		this.observer.observe(target);
	}

	/** `height` is for a 16 px root font: a wall screen's larger font makes the chart taller too. */
	private scaledHeight(): number {
		return Math.round((this.height * (Number.parseFloat(getComputedStyle(this).fontSize) || 16)) / 16);
	}

	private data(): uPlot.AlignedData {
		return [this.labels.map((_, i) => i), ...this.series.map((s) => s.values.map((v) => v))] as uPlot.AlignedData;
	}

	private options(width: number): uPlot.Options {
		const n = this.labels.length;
		const labels = this.labels;
		const lang = this.lang;
		const axisFormat = this.axisFormat ?? ((v: number) => formatNumber(v, lang, 1));
		// The axes' text grows with the page's (a wall screen enlarges the root font).
		const px = Number.parseFloat(getComputedStyle(this).fontSize) || 16;
		const axis = {
			stroke: "#4f5b69",
			font: `${Math.round(px * 0.75)}px system-ui, sans-serif`,
			grid: { stroke: "#e3e8ee", width: 1 },
			ticks: { stroke: "#e3e8ee", width: 1 },
		};
		return {
			width,
			height: this.scaledHeight(),
			legend: { show: this.series.length > 1 },
			cursor: { drag: { x: false, y: false } },
			scales: { x: { time: false, range: () => [-0.5, Math.max(0.5, n - 0.5)] } },
			axes: [
				{
					...axis,
					splits: (u) => {
						const room = Math.max(1, Math.floor(u.bbox.width / devicePixelRatio / (px * 3.5)));
						const step = Math.max(1, Math.ceil(n / room));
						return labels.map((_, i) => i).filter((i) => i % step === 0);
					},
					values: (_u, splits) => splits.map((i) => labels[Math.round(i)] ?? ""),
				},
				{
					...axis,
					size: Math.round(px * 3.5),
					values: (_u, ticks) => ticks.map(axisFormat),
				},
			],
			series: [
				{ label: this.xName, value: (_u, i) => (i === null ? "" : (labels[Math.round(i)] ?? "")) },
				...this.series.map(
					(s): uPlot.Series => ({
						label: s.label,
						stroke: s.color,
						width: 2,
						spanGaps: false,
						value: (_u, v) => s.format(v),
						points:
							n <= ALL_POINTS_UP_TO
								? { show: true, size: 5, fill: s.color }
								: { show: true, size: 5, fill: s.color, filter: lonePoints(s.values) },
						...(s.dash ? { dash: [6, 4] } : {}),
						...(s.kind === "bars"
							? { fill: `${s.color}cc`, paths: uPlot.paths.bars?.({ size: [0.7, 48] }), points: { show: false } }
							: {}),
					}),
				),
			],
		};
	}
}
