/** <vikno-live-hall>: the live figures of one centre, pushed over SSE. */
import { html, LitElement, nothing, type PropertyValues } from "lit";
import { type CentreSummary, fetchCentres } from "./api.ts";
import { formatClock, formatDay, type Lang } from "./format.ts";
import { hallTiles } from "./hallTiles.ts";
import { STRINGS } from "./i18n.ts";
import { liveHallStyles } from "./liveHall.styles.ts";
import { LiveStreamController } from "./liveStream.ts";
import { serviceTable } from "./serviceTable.ts";
import { TickController } from "./tick.ts";
import { windowCards } from "./windowCards.ts";

export class LiveHall extends LitElement {
	static override properties = {
		centre: { type: String, reflect: true },
		locale: { type: String },
		centres: { state: true },
		failure: { state: true },
	};

	static override styles = liveHallStyles;

	centre: string | undefined;
	locale: Lang = "uk";
	centres: CentreSummary[] | undefined;
	failure: string | undefined;
	private readonly stream = new LiveStreamController(this, () => this.knownCentre());
	private readonly tick = new TickController(this);

	override connectedCallback() {
		// The address decides before the controllers start: /?centre=demo&lang=en
		const params = new URLSearchParams(location.search);
		if (params.get("lang") === "en") this.locale = "en";
		this.centre ??= params.get("centre") ?? undefined;
		super.connectedCallback();
		fetchCentres().then(
			(list) => {
				this.centres = list;
				if (!this.centre && list[0]) this.centre = list[0].id;
			},
			(err: Error) => {
				this.failure = err.message;
			},
		);
	}

	/**
	 * The centre to stream, once the hub has confirmed it exists (an unknown one gets a message, not
	 * a retry loop); the list also gives its time zone.
	 */
	private knownCentre(): string | undefined {
		if (!this.centre || !this.centres?.some((c) => c.id === this.centre)) return undefined;
		return this.centre;
	}

	override updated(changed: PropertyValues<this>) {
		if (changed.has("centre") || changed.has("centres")) this.stream.open();
		if (changed.has("locale")) this.lang = this.locale;
		const v = this.stream.view;
		document.title = `${v ? `${v.name[this.locale]} — ` : ""}${STRINGS[this.locale].title} · vikno`;
	}

	override render() {
		const t = STRINGS[this.locale];
		if (this.failure) return html`<p class="state error" role="alert">${t.error}: ${this.failure}</p>`;
		if (this.centres?.length === 0) return html`<p class="state">${t.noCentres}</p>`;
		if (this.centres && this.centre && !this.knownCentre())
			return html`<p class="state error" role="alert">${t.unknownCentre}: «${this.centre}»</p>`;
		const v = this.stream.view;
		if (!v) return html`<p class="state" role="status">${t.loading}</p>`;
		const age = this.stream.state === "live" ? Math.max(0, (this.tick.now - this.stream.receivedAt) / 1000) : 0;
		// The centre's zone, from the list of centres (read before the stream opens).
		const timeZone = this.centres?.find((c) => c.id === v.centre)?.timeZone;
		const online = v.nodes.filter((n) => n.online).length;
		return html`
			<header>
				<div class="heading">
					<p class="eyebrow">${t.title}</p>
					<h1>${v.name[this.locale]}</h1>
					<p class="day">${formatDay(v.day, this.locale)}</p>
				</div>
				<div class="meta">
					<span class="badge ${this.stream.state}" role="status" data-testid="stream-state"
						><span class="dot" aria-hidden="true"></span>${t[this.stream.state]}</span
					>
					<a class="lang" href=${this.otherLangHref()} lang=${this.locale === "uk" ? "en" : "uk"}>${t.otherLang}</a>
				</div>
			</header>
			${
				this.stream.state === "reconnecting"
					? html`<p class="stale" data-testid="stale">${t.stale}${timeZone ? ` ${formatClock(v.at, timeZone)}` : ""}.</p>`
					: nothing
			}
			<main class=${this.stream.state === "reconnecting" ? "is-stale" : ""}>
				${hallTiles(v, this.locale)}
				<section aria-labelledby="h-services">
					<h2 id="h-services">${t.services}</h2>
					${serviceTable(v, this.locale, age, "h-services")}
				</section>
				<section aria-labelledby="h-windows">
					<h2 id="h-windows">${t.windows}</h2>
					${windowCards(v, this.locale, age)}
				</section>
			</main>
			<footer>${t.devices}: ${online} / ${v.nodes.length}</footer>
		`;
	}

	private otherLangHref(): string {
		const params = new URLSearchParams(location.search);
		if (this.locale === "uk") params.set("lang", "en");
		else params.delete("lang");
		const q = params.toString();
		return q ? `?${q}` : location.pathname;
	}
}
