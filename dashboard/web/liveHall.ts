/**
 * <vikno-live-hall>: the hall of one centre now — headline tiles, each zone against its capacity
 * with the last hours as a line, the queue per service, the windows — from the live view the page
 * streams (<vikno-app> owns the stream and hands it down).
 */
import { html, LitElement, nothing, type PropertyValues } from "lit";
import { addDays, midnight } from "../../core/time.ts";
import { type CentreSummary, exportUrl, fetchHistory, type LiveView } from "./api.ts";
import type { ChartSeries } from "./chart.ts";
import { formatClock, formatPercent, type Lang } from "./format.ts";
import { hallTiles } from "./hallTiles.ts";
import { STRINGS } from "./i18n.ts";
import { liveHallStyles } from "./liveHall.styles.ts";
import { serviceTable } from "./serviceTable.ts";
import { blocks, tokens } from "./styles.ts";
import { TickController } from "./tick.ts";
import { windowCards } from "./windowCards.ts";

/** How far back the occupancy line goes, and its buckets. */
const HOURS_SHOWN = 8;
const BUCKET_MS = 15 * 60_000;
/** How often the line's history is read again (the last point follows the stream). */
const REFRESH_MS = 5 * 60_000;
const ZONE_COLOURS = ["#2f5fc4", "#c2410c", "#0f766e", "#7e22ce"];

export class LiveHall extends LitElement {
	static override properties = {
		live: { attribute: false },
		centre: { attribute: false },
		lang: { type: String, reflect: true },
		stale: { type: Boolean },
		receivedAt: { type: Number },
		occupancy: { state: true },
	};

	static override styles = [tokens, blocks, liveHallStyles];

	live: LiveView | undefined;
	centre: CentreSummary | undefined;
	override lang: Lang = "uk";
	stale = false;
	receivedAt = 0;
	/** Bucket start → zone → highest count in it, for the line. */
	occupancy: Map<number, Map<string, number>> | undefined;
	private readonly tick = new TickController(this);
	private loadedFor = "";
	private loadedAt = 0;

	override updated(changed: PropertyValues<this>) {
		const v = this.live;
		if (!v || !changed.has("live")) return;
		const key = `${v.centre}/${v.day}`;
		if (key !== this.loadedFor || v.at - this.loadedAt > REFRESH_MS) {
			this.loadedFor = key;
			this.loadedAt = v.at;
			this.loadOccupancy(v);
		}
	}

	private async loadOccupancy(v: LiveView) {
		const zone = this.centre?.timeZone;
		if (!zone) return;
		// The hours shown may begin yesterday (early in the morning).
		const from = v.at - HOURS_SHOWN * 3_600_000 < midnight(v.day, zone) ? addDays(v.day, -1) : v.day;
		try {
			const h = await fetchHistory(
				v.centre,
				{ from, to: v.day },
				{
					measurement: "occupancy",
					field: "count",
					step: "15m",
					groupBy: "zone",
				},
			);
			const byBucket = new Map<number, Map<string, number>>();
			for (const r of h.rows) {
				const zones = byBucket.get(r.t) ?? new Map<string, number>();
				zones.set(r.group ?? "", r.max ?? 0);
				byBucket.set(r.t, zones);
			}
			this.occupancy = byBucket;
		} catch {
			// The line is a help; the figures above it come from the stream.
			this.occupancy = new Map();
		}
	}

	override render() {
		const v = this.live;
		if (!v) return nothing;
		const t = STRINGS[this.lang];
		const age = this.stale ? 0 : Math.max(0, (this.tick.now - this.receivedAt) / 1000);
		const online = v.nodes.filter((n) => n.online).length;
		return html`<div class=${this.stale ? "is-stale" : ""}>
			${hallTiles(v, this.lang, this.centre)}
			${this.occupancyChart(v)}
			<section aria-labelledby="h-services">
				<h2 id="h-services">${t.services}</h2>
				${this.csv("live-services")} ${serviceTable(v, this.lang, age, "h-services")}
			</section>
			<section aria-labelledby="h-windows">
				<h2 id="h-windows">${t.windows}</h2>
				${this.csv("live-windows")}
				${windowCards(v, this.lang, age, this.centre)}
			</section>
			<footer>${t.devices}: ${online} / ${v.nodes.length}</footer>
		</div>`;
	}

	/** The link to a live table as CSV: the figures as the hub has them when it is followed. */
	private csv(table: "live-services" | "live-windows") {
		const v = this.live;
		if (!v) return nothing;
		return html`<p class="toolbar no-print">
			<a class="csv" href=${exportUrl(v.centre, table, this.lang)} download data-testid="csv-${table}"
				>${STRINGS[this.lang].csv}</a
			>
		</p>`;
	}

	/** Each zone's share of its capacity over the last hours, 15-minute buckets, now as the last point. */
	private occupancyChart(v: LiveView) {
		const t = STRINGS[this.lang];
		const zone = this.centre?.timeZone;
		if (!this.occupancy || !zone || v.zones.length === 0) return nothing;
		const last = Math.floor(v.at / BUCKET_MS) * BUCKET_MS;
		const starts: number[] = [];
		for (let b = last - (HOURS_SHOWN * 4 - 1) * BUCKET_MS; b <= last; b += BUCKET_MS) starts.push(b);
		const shown = starts;
		const name = (id: string) => this.centre?.zones.find((z) => z.id === id)?.name?.[this.lang] ?? id;
		const series: ChartSeries[] = v.zones.map((z, i) => ({
			label: name(z.id),
			color: ZONE_COLOURS[i % ZONE_COLOURS.length] ?? "#2f5fc4",
			// The bucket now holds the live count; earlier ones the highest count reported in them.
			values: shown.map((b) => {
				const count = b === last ? z.count : this.occupancy?.get(b)?.get(z.id);
				return count === undefined ? null : Math.round((count / z.capacity) * 1000) / 10;
			}),
			format: (x) => (x === null ? "—" : formatPercent(x / 100, this.lang)),
		}));
		series.push({
			label: t.capacityLine,
			color: "#b3261e",
			dash: true,
			values: shown.map(() => 100),
			format: (x) => (x === null ? "—" : formatPercent(x / 100, this.lang)),
		});
		return html`<section aria-labelledby="h-occupancy" class="block">
			<h2 id="h-occupancy" class="sr-only">${t.occupancyLine}</h2>
			<vikno-chart
				data-testid="occupancy-chart"
				.caption=${`${t.occupancyLine} (${formatClock(shown[0] ?? last, zone)}–${formatClock(v.at, zone)})`}
				.labels=${shown.map((b) => (b === last ? t.now : formatClock(b, zone)))}
				.series=${series}
				.xName=${t.time}
				.lang=${this.lang}
				.height=${180}
				.axisFormat=${(x: number) => formatPercent(x / 100, this.lang)}
			></vikno-chart>
		</section>`;
	}
}
