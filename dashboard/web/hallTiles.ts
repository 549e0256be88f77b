/**
 * The headline figures of a hall: waiting, served, occupancy, rating. Template functions for
 * <vikno-live-hall>. Bar sizes are set through the CSS object model (cssProps), as the CSP asks.
 */
import { html, nothing } from "lit";
import type { LiveView } from "./api.ts";
import { cssProps } from "./cssProps.ts";
import { countOf, formatMean, formatPercent, type Lang } from "./format.ts";
import { NOUNS, STRINGS } from "./i18n.ts";

export function hallTiles(v: LiveView, lang: Lang) {
	const t = STRINGS[lang];
	const hall = v.zones[0];
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
		${hall ? occupancyTile(hall, lang) : nothing}
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

function occupancyTile(hall: LiveView["zones"][number], lang: Lang) {
	const t = STRINGS[lang];
	const level = hall.load >= 1 ? "over" : hall.load >= 0.8 ? "near" : "ok";
	return html`<section class="tile" aria-labelledby="tile-occupancy">
		<h2 class="label" id="tile-occupancy">${t.occupancy}</h2>
		<p class="value" data-testid="occupancy">${hall.count}</p>
		<p class="sub">${formatPercent(hall.load, lang)} ${t.ofCapacity} (${countOf(hall.capacity, NOUNS.place, lang)})</p>
		<div class="meter ${level}" aria-hidden="true"><span style=${cssProps({ width: `${Math.min(100, Math.round(hall.load * 100))}%` })}></span></div>
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
