/**
 * The headline figures of a hall: waiting, served, each zone against its capacity, rating.
 * Template functions for <vikno-live-hall>. Bar sizes are set through the CSS object model
 * (cssProps), as the CSP asks.
 */
import { html, nothing } from "lit";
import type { CentreSummary, LiveView } from "./api.ts";
import { cssProps } from "./cssProps.ts";
import { countOf, formatMean, formatPercent, type Lang } from "./format.ts";
import { NOUNS, STRINGS } from "./i18n.ts";

export function hallTiles(v: LiveView, lang: Lang, centre?: CentreSummary) {
	const t = STRINGS[lang];
	return html`<div class="tiles">
		<section class="tile" aria-labelledby="tile-waiting">
			<h2 class="label" id="tile-waiting">${t.waiting}</h2>
			<p class="value" data-testid="waiting">${v.tickets.waiting}</p>
			<p class="sub">${t.priorityOfThem}: ${v.services.reduce((n, s) => n + s.priorityWaiting, 0)}</p>
		</section>
		<section class="tile" aria-labelledby="tile-served">
			<h2 class="label" id="tile-served">${t.served}</h2>
			<p class="value" data-testid="served">${v.tickets.served}</p>
			<p class="sub">${t.issued}: ${v.tickets.issued}</p>
		</section>
		${v.zones.map((z, i) => occupancyTile(z, i, lang, centre))}
		<section class="tile" aria-labelledby="tile-rating">
			<h2 class="label" id="tile-rating">${t.rating}</h2>
			<div class="with-chart">
				<p class="value">
					<span data-testid="rating">${formatMean(v.ratings.mean, lang)}</span><span class="scale"
						>${v.ratings.mean === null ? "" : ` / ${v.ratings.scale}`}</span>
				</p>
				${v.ratings.count ? distribution(v, lang) : nothing}
			</div>
			<p class="sub">${v.ratings.count ? countOf(v.ratings.count, NOUNS.rating, lang) : t.noRatings}</p>
		</section>
	</div>`;
}

function occupancyTile(z: LiveView["zones"][number], i: number, lang: Lang, centre?: CentreSummary) {
	const t = STRINGS[lang];
	const level = z.load >= 1 ? "over" : z.load >= 0.8 ? "near" : "ok";
	const name = centre?.zones.find((x) => x.id === z.id)?.name?.[lang];
	const id = `tile-zone-${z.id}`;
	return html`<section class="tile" aria-labelledby=${id} data-testid="zone-${z.id}">
		<h2 class="label" id=${id}>${i === 0 && !name ? t.occupancy : `${t.occupancy}: ${name ?? z.id}`}</h2>
		<p class="value" data-testid=${i === 0 ? "occupancy" : `occupancy-${z.id}`}>${z.count}</p>
		<p class="sub">${formatPercent(z.load, lang)} ${t.ofCapacity} (${countOf(z.capacity, NOUNS.place, lang)})</p>
		<div class="meter ${level}" aria-hidden="true"><span style=${cssProps({ width: `${Math.min(100, Math.round(z.load * 100))}%` })}></span></div>
	</section>`;
}

function distribution(v: LiveView, lang: Lang) {
	const t = STRINGS[lang];
	const max = Math.max(1, ...v.ratings.distribution);
	const label = `${t.distribution}: ${v.ratings.distribution.map((n, i) => `${i + 1} — ${n}`).join(", ")}`;
	return html`<div class="dist" role="img" aria-label=${label}>
		${v.ratings.distribution.map(
			(n, i) => html`<div class="col" title="${i + 1}: ${n}">
				<span class="bar s${i + 1}" style=${cssProps({ height: `${Math.round((n / max) * 100)}%` })}></span>
				<span class="score">${i + 1}</span>
			</div>`,
		)}
	</div>`;
}
