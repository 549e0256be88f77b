/**
 * <vikno-network> (admin): every centre of the hub side by side — open or closed, waiting now and
 * the longest wait, windows at work, the hall, served and rating today, active alerts — each
 * linking to its hall. It follows the stream of every centre and reads /api/v1/network again after
 * a change (at most once a second).
 */
import { css, html, LitElement, nothing } from "lit";
import { fetchNetwork, type Network } from "./api.ts";
import { formatDuration, formatMean, formatNumber, formatPercent, type Lang } from "./format.ts";
import { STRINGS } from "./i18n.ts";
import { LiveStreamController } from "./liveStream.ts";
import { hrefOf, type Place } from "./router.ts";
import { blocks, tokens } from "./styles.ts";

const AT_MOST_MS = 1_000;

export class NetworkView extends LitElement {
	static override properties = {
		lang: { type: String },
		place: { attribute: false },
		network: { state: true },
		failure: { state: true },
	};

	static override styles = [
		tokens,
		blocks,
		css`
			.centres { list-style: none; padding: 0; margin: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 19rem), 1fr)); gap: 14px; }
			.centre { background: var(--card); border: 1px solid var(--line); border-top: 5px solid var(--ok); border-radius: 12px; padding: 12px 16px 14px; display: grid; gap: 8px; min-width: 0; }
			.centre.warn { border-top-color: #c77700; }
			.centre.bad { border-top-color: var(--over); }
			.centre h3 { margin: 0; font-size: 1.05rem; overflow-wrap: anywhere; }
			.centre h3 a { color: var(--ink); }
			.open { font-size: 0.8rem; font-weight: 600; color: var(--ok); }
			.open.no { color: var(--muted); }
			dl { display: grid; grid-template-columns: 1fr auto; gap: 4px 12px; margin: 0; }
			dt { color: var(--muted); font-size: 0.9rem; }
			dd { margin: 0; text-align: right; font-weight: 600; font-variant-numeric: tabular-nums; }
			dd.big { font-size: 1.6rem; line-height: 1.1; }
		`,
	];

	override lang: Lang = "uk";
	place!: Place;
	network: Network | undefined;
	failure: string | undefined;
	private due: ReturnType<typeof setTimeout> | undefined;
	private lastAt = 0;
	readonly stream = new LiveStreamController(
		this,
		() => "*",
		() => this.soon(),
	);

	override connectedCallback() {
		super.connectedCallback();
		this.load();
	}

	override disconnectedCallback() {
		super.disconnectedCallback();
		clearTimeout(this.due);
	}

	private soon() {
		if (this.due) return;
		const wait = Math.max(0, AT_MOST_MS - (Date.now() - this.lastAt));
		this.due = setTimeout(() => {
			this.due = undefined;
			this.load();
		}, wait);
	}

	private load() {
		this.lastAt = Date.now();
		fetchNetwork().then(
			(n) => {
				this.network = n;
				this.failure = undefined;
			},
			(err: Error) => {
				this.failure = err.message;
			},
		);
	}

	override render() {
		const t = STRINGS[this.lang];
		const n = this.network;
		if (this.failure && !n) return html`<p class="state error" role="alert">${t.error}: ${this.failure}</p>`;
		if (!n) return html`<p class="state" role="status">${t.loading}</p>`;
		const lang = this.lang;
		return html`<p class="toolbar no-print">
				<a class="csv" href="/api/v1/export/network?lang=${lang}" download data-testid="csv-network">${t.csv}</a>
			</p>
			<ul class="centres" data-testid="network">
				${n.centres.map((c) => {
					const level = c.critical > 0 ? "bad" : c.alerts > 0 || c.overTarget > 0 ? "warn" : "";
					const href = hrefOf({ view: "hall", centre: c.centre, lang, params: {} });
					return html`<li class="centre ${level}" data-centre=${c.centre}>
						<h3><a href=${href}>${c.name[lang]}</a></h3>
						<span class="open ${c.open === false ? "no" : ""}">${c.open === null ? "" : c.open ? t.openNow : t.closedNow}</span>
						<dl>
							<dt>${t.waiting}</dt>
							<dd class="big" data-testid="net-waiting">${c.waiting}</dd>
							<dt>${t.priorityOfThem}</dt>
							<dd>${c.priorityWaiting}</dd>
							<dt>${t.longest}</dt>
							<dd data-testid="net-longest" class=${c.overTarget ? "over" : ""}>${c.waiting ? formatDuration(c.longestWaitS, lang) : "—"}</dd>
							<dt>${t.windowsOpen}</dt>
							<dd data-testid="net-windows">${c.windowsOpen} / ${c.windows} (${t.busy}: ${c.windowsBusy})</dd>
							<dt>${t.occupancy}</dt>
							<dd data-testid="net-occupancy">${c.occupancy}${c.capacity ? ` (${formatPercent(c.occupancy / c.capacity, lang)})` : ""}</dd>
							<dt>${t.served}</dt>
							<dd data-testid="net-served">${formatNumber(c.served, lang)}</dd>
							<dt>${t.rating}</dt>
							<dd data-testid="net-rating">${formatMean(c.ratingMean, lang)}${c.ratings ? ` (${c.ratings})` : ""}</dd>
							<dt>${t.nav.alerts}</dt>
							<dd data-testid="net-alerts" class=${c.critical ? "over" : c.alerts ? "near" : ""}>
								${c.alerts}${c.critical ? ` (${t.severity.critical}: ${c.critical})` : nothing}
							</dd>
						</dl>
					</li>`;
				})}
			</ul>`;
	}
}
