/** <vikno-live-hall>: the live figures of one centre, pushed over SSE. */
import { css, html, LitElement, nothing } from "lit";
import { type CentreSummary, fetchCentres, type LiveView } from "./api.ts";
import { formatDuration, formatMean, formatPercent, type Lang, waitLevel } from "./format.ts";
import { STRINGS } from "./i18n.ts";
import { LiveStreamController } from "./liveStream.ts";

export class LiveHall extends LitElement {
	static override properties = {
		centre: { type: String, reflect: true },
		locale: { type: String },
		centres: { state: true },
		failure: { state: true },
	};

	centre: string | undefined;
	locale: Lang = "uk";
	centres: CentreSummary[] | undefined;
	failure: string | undefined;
	private readonly stream = new LiveStreamController(this, () => this.centre);

	override connectedCallback() {
		super.connectedCallback();
		const params = new URLSearchParams(location.search);
		if (params.get("lang") === "en") this.locale = "en";
		this.centre ??= params.get("centre") ?? undefined;
		fetchCentres().then(
			(list) => {
				this.centres = list;
				if (!this.centre && list[0]) {
					this.centre = list[0].id;
					this.stream.open();
				}
			},
			(err: Error) => {
				this.failure = err.message;
			},
		);
	}

	override render() {
		const t = STRINGS[this.locale];
		if (this.failure) return html`<p class="state" role="alert">${t.error}: ${this.failure}</p>`;
		if (this.centres && this.centres.length === 0) return html`<p class="state">${t.noCentres}</p>`;
		const v = this.stream.view;
		if (!v) return html`<p class="state">${t.loading}</p>`;
		return html`
			<header>
				<h1>${v.name[this.locale]}</h1>
				<span class="day">${v.day}</span>
				<span class="badge ${this.stream.state}" data-testid="stream-state">${t[this.stream.state]}</span>
			</header>
			${this.renderTiles(v)}
			<section>
				<h2>${t.service}</h2>
				${this.renderServices(v)}
			</section>
			<section>
				<h2>${t.windows}</h2>
				<ul class="windows">${v.windows.map((w) => this.renderWindow(w))}</ul>
			</section>
		`;
	}

	private renderTiles(v: LiveView) {
		const t = STRINGS[this.locale];
		const hall = v.zones[0];
		return html`<div class="tiles" aria-live="polite">
			<div class="tile"><span class="label">${t.waiting}</span>
				<span class="value" data-testid="waiting">${v.tickets.waiting}</span></div>
			<div class="tile"><span class="label">${t.served}</span>
				<span class="value" data-testid="served">${v.tickets.served}</span></div>
			${
				hall
					? html`<div class="tile"><span class="label">${t.occupancy}</span>
				<span class="value" data-testid="occupancy">${hall.count}</span>
				<span class="sub">${formatPercent(hall.load)} · ${hall.capacity} ${t.people}</span></div>`
					: nothing
			}
			<div class="tile"><span class="label">${t.rating}</span>
				<span class="value" data-testid="rating">${formatMean(v.ratings.mean, this.locale)}</span>
				<span class="sub">${v.ratings.count} ${t.ratings}</span>
				${this.renderDistribution(v)}</div>
		</div>`;
	}

	private renderDistribution(v: LiveView) {
		const max = Math.max(1, ...v.ratings.distribution);
		return html`<div class="dist" role="img" aria-label=${`${STRINGS[this.locale].distribution}: ${v.ratings.distribution.join(", ")}`}>
			${v.ratings.distribution.map(
				(n, i) => html`<span class="bar" title="${i + 1}: ${n}" style="height:${Math.round((n / max) * 100)}%"></span>`,
			)}
		</div>`;
	}

	private renderServices(v: LiveView) {
		const t = STRINGS[this.locale];
		return html`<table>
			<thead><tr><th scope="col">${t.service}</th><th scope="col">${t.queue}</th><th scope="col">${t.priority}</th>
				<th scope="col">${t.longest}</th><th scope="col">${t.target}</th></tr></thead>
			<tbody>
				${v.services.map(
					(s) => html`<tr data-service=${s.id}>
						<th scope="row">${s.name[this.locale]}</th>
						<td class="num">${s.waiting}</td>
						<td class="num">${s.priorityWaiting || ""}</td>
						<td class="num wait ${s.waiting ? waitLevel(s.longestWaitS, s.targetWaitMin) : ""}">
							${s.waiting ? formatDuration(s.longestWaitS, this.locale) : "—"}</td>
						<td class="num">${s.targetWaitMin} ${t.min}</td>
					</tr>`,
				)}
			</tbody>
		</table>`;
	}

	private renderWindow(w: LiveView["windows"][number]) {
		const t = STRINGS[this.locale];
		return html`<li class="window ${w.state}" data-window=${w.id}>
			<span class="wid">${w.name}${w.priority ? html` <em>${t.priorityDesk}</em>` : nothing}</span>
			<span class="wstate">${t[w.state]}</span>
			<span class="ticket">${w.ticket ?? ""}</span>
			<span class="since">${w.state === "serving" || w.state === "calling" ? formatDuration(w.sinceS ?? 0, this.locale) : ""}</span>
		</li>`;
	}

	static override styles = css`
		:host { display: block; max-width: 1200px; margin: 0 auto; padding: 16px 24px; }
		header { display: flex; align-items: baseline; gap: 16px; flex-wrap: wrap; }
		h1 { font-size: 1.6rem; margin: 8px 0; }
		h2 { font-size: 1.1rem; margin: 24px 0 8px; color: #3a4656; }
		.day { color: #5b6776; }
		.badge { margin-left: auto; padding: 2px 10px; border-radius: 12px; font-size: 0.85rem; background: #e3e7ec; }
		.badge.live { background: #d6f5df; color: #14662e; }
		.badge.reconnecting { background: #fde7c8; color: #8a4b00; }
		.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 12px; }
		.tile { background: #fff; border-radius: 10px; padding: 14px 16px; box-shadow: 0 1px 2px #0001; display: flex; flex-direction: column; gap: 4px; }
		.label { color: #5b6776; font-size: 0.9rem; }
		.value { font-size: 2.2rem; font-weight: 600; font-variant-numeric: tabular-nums; }
		.sub { color: #5b6776; font-size: 0.85rem; }
		.dist { display: flex; align-items: flex-end; gap: 4px; height: 36px; margin-top: 4px; }
		.bar { flex: 1; background: #5b8def; border-radius: 2px 2px 0 0; min-height: 2px; }
		table { width: 100%; border-collapse: collapse; background: #fff; border-radius: 10px; overflow: hidden; box-shadow: 0 1px 2px #0001; }
		th, td { padding: 8px 12px; text-align: left; border-bottom: 1px solid #edf0f3; }
		thead th { font-weight: 500; color: #5b6776; font-size: 0.9rem; }
		tbody th { font-weight: 500; }
		.num { text-align: right; font-variant-numeric: tabular-nums; }
		.wait.ok { color: #14662e; } .wait.near { color: #8a4b00; } .wait.over { color: #b3261e; font-weight: 600; }
		.windows { list-style: none; padding: 0; margin: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 10px; }
		.window { background: #fff; border-radius: 10px; padding: 10px 12px; border-left: 6px solid #b7c0cc; display: grid; gap: 2px; box-shadow: 0 1px 2px #0001; }
		.window.serving { border-left-color: #2e9d57; } .window.calling { border-left-color: #e0a100; }
		.window.offline { border-left-color: #b3261e; opacity: 0.7; }
		.wid { font-weight: 600; } .wid em { font-style: normal; font-size: 0.75rem; background: #e8ddff; color: #4a2c99; padding: 1px 6px; border-radius: 8px; }
		.wstate { color: #5b6776; font-size: 0.85rem; }
		.ticket { font-size: 1.3rem; font-weight: 600; min-height: 1.5rem; font-variant-numeric: tabular-nums; }
		.since { color: #5b6776; font-size: 0.8rem; min-height: 1rem; }
		.state { padding: 24px; color: #5b6776; }
	`;
}
