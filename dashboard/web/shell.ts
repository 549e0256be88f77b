/**
 * <vikno-app>: the manager page — the centre's header, the navigation between the views, the
 * connection badge, the banner of active alerts (with a cue and, if wanted, a chime for a new one),
 * and the view of the address (router.ts). It owns the centre's live stream and hands the live
 * view and the alerts down to the views; each view fetches its own reports.
 */
import { html, LitElement, nothing, type PropertyValues } from "lit";
import { alertId, alertsBanner } from "./alertsBanner.ts";
import { type ApiError, type CentreSummary, fetchCentres, fetchSession, type SessionInfo } from "./api.ts";
import { formatClock, formatDay, type Lang } from "./format.ts";
import { STRINGS } from "./i18n.ts";
import { LiveStreamController } from "./liveStream.ts";
import { current, followLink, go, hrefOf, PLACE_CHANGED, type Place } from "./router.ts";
import { shellStyles } from "./shell.styles.ts";
import { chime, setSoundWanted, soundWanted } from "./sound.ts";
import { blocks, tokens } from "./styles.ts";
import { VIEWS, type ViewId } from "./viewList.ts";

/** How long a new alert stays marked as new. */
const FRESH_MS = 60_000;

export class App extends LitElement {
	static override properties = {
		place: { state: true },
		centres: { state: true },
		session: { state: true },
		failure: { state: true },
		fresh: { state: true },
		sound: { state: true },
		announcement: { state: true },
	};

	static override styles = [tokens, blocks, shellStyles];

	place: Place = current();
	centres: CentreSummary[] | undefined;
	session: SessionInfo | undefined;
	failure: string | undefined;
	fresh: ReadonlySet<string> = new Set();
	sound = soundWanted();
	announcement = "";
	private known: Set<string> | undefined;
	readonly stream = new LiveStreamController(
		this,
		() => this.knownCentre(),
		(kind, data) => {
			if (kind === "alerts" && "alerts" in data) this.heardAlerts(data.alerts);
		},
	);
	private readonly onPlace = () => {
		this.place = current();
	};
	private readonly onClick = (ev: Event) => followLink(ev as MouseEvent);

	override connectedCallback() {
		super.connectedCallback();
		window.addEventListener("popstate", this.onPlace);
		window.addEventListener(PLACE_CHANGED, this.onPlace);
		this.renderRoot.addEventListener("click", this.onClick);
		fetchCentres().then(
			(list) => {
				this.centres = list;
				if (!this.place.centre && list[0]) go({ ...this.place, centre: list[0].id }, true);
			},
			(err: Error) => {
				this.failure = err.message;
			},
		);
		fetchSession().then(
			(s) => {
				this.session = s;
			},
			(err: ApiError) => {
				if (err.status !== 401) this.failure = err.message;
			},
		);
	}

	override disconnectedCallback() {
		super.disconnectedCallback();
		window.removeEventListener("popstate", this.onPlace);
		window.removeEventListener(PLACE_CHANGED, this.onPlace);
		this.renderRoot.removeEventListener("click", this.onClick);
	}

	/** The centre to stream, once the hub has confirmed it exists (an unknown one gets a message, not a retry loop). */
	private knownCentre(): string | undefined {
		const c = this.place.centre;
		return c && this.centres?.some((x) => x.id === c) ? c : undefined;
	}

	private get centre(): CentreSummary | undefined {
		return this.centres?.find((c) => c.id === this.place.centre);
	}

	/** Mark alerts not seen before on this page (not those there when it opened) and ring. */
	private heardAlerts(alerts: readonly { key: string; since: number; message: { uk: string; en: string } }[]) {
		const ids = alerts.map(alertId);
		if (this.known) {
			const added = alerts.filter((a) => !this.known?.has(alertId(a)));
			if (added.length) {
				this.fresh = new Set([...this.fresh, ...added.map(alertId)]);
				this.announcement = `${STRINGS[this.place.lang].newAlert}: ${added.map((a) => a.message[this.place.lang]).join("; ")}`;
				if (this.sound) chime();
				const gone = added.map(alertId);
				setTimeout(() => {
					this.fresh = new Set([...this.fresh].filter((x) => !gone.includes(x)));
				}, FRESH_MS);
			}
		}
		this.known = new Set(ids);
	}

	override updated(changed: PropertyValues<this>) {
		if (changed.has("place") || changed.has("centres")) {
			if (changed.has("place") && (changed.get("place") as Place | undefined)?.centre !== this.place.centre) {
				this.known = undefined;
				this.fresh = new Set();
			}
			this.stream.open();
		}
		this.lang = this.place.lang;
		document.documentElement.lang = this.place.lang;
		const t = STRINGS[this.place.lang];
		const v = this.stream.view;
		const count = this.stream.alerts?.alerts.length ?? 0;
		document.title = `${count ? `(${count}) ` : ""}${t.views[this.place.view]}${v ? ` — ${v.name[this.place.lang]}` : ""} · vikno`;
	}

	override render() {
		const lang = this.place.lang;
		const t = STRINGS[lang];
		if (this.failure) return html`<p class="state error" role="alert">${t.error}: ${this.failure}</p>`;
		if (this.centres?.length === 0) return html`<p class="state">${t.noCentres}</p>`;
		if (this.centres && this.place.centre && !this.knownCentre())
			return html`<p class="state error" role="alert">${t.unknownCentre}: «${this.place.centre}»</p>`;
		const v = this.stream.view;
		const centre = this.centre;
		const reconnecting = this.stream.state === "reconnecting";
		const admin = this.session?.user.role === "admin";
		return html`
			<header>
				<div class="heading">
					<p class="eyebrow">${t.views[this.place.view]}</p>
					<h1>${this.place.view === "network" ? t.networkTitle : (v?.name[lang] ?? centre?.name[lang] ?? "vikno")}</h1>
					${v ? html`<p class="day">${formatDay(v.day, lang)}</p>` : nothing}
				</div>
				<div class="meta">
					${this.centrePicker()}
					<span class="badge ${this.stream.state}" role="status" data-testid="stream-state"
						><span class="dot" aria-hidden="true"></span>${t[this.stream.state]}</span
					>
					<a class="lang" href=${hrefOf({ ...this.place, lang: lang === "uk" ? "en" : "uk" })} lang=${lang === "uk" ? "en" : "uk"}
						>${t.otherLang}</a
					>
				</div>
			</header>
			<nav aria-label=${t.navigation}>
				<ul>
					${VIEWS.filter((x) => admin || !x.admin).map(
						(x) => html`<li>
							<a href=${hrefOf({ ...this.place, view: x.id, params: {} })} aria-current=${x.id === this.place.view ? "page" : "false"}
								data-view=${x.id}
								>${t.nav[x.id]}${
									x.id === "alerts" && this.stream.alerts?.alerts.length
										? html`<span class="count" data-testid="alerts-count"
												><span class="sr-only">: </span>${this.stream.alerts.alerts.length}</span
											>`
										: nothing
								}</a
							>
						</li>`,
					)}
					<li class="sound">
						<label><input type="checkbox" .checked=${this.sound} @change=${this.toggleSound} data-testid="sound" /> ${t.sound}</label>
					</li>
				</ul>
			</nav>
			<p class="sr-only" role="status" aria-live="polite">${this.announcement}</p>
			${
				reconnecting && v
					? html`<p class="stale" data-testid="stale">${t.stale}${centre ? ` ${formatClock(v.at, centre.timeZone)}` : ""}.</p>`
					: nothing
			}
			${alertsBanner(this.stream.alerts, lang, centre?.timeZone, this.fresh, hrefOf({ ...this.place, view: "alerts", params: {} }))}
			<main>${this.view(this.place.view, admin)}</main>
		`;
	}

	private centrePicker() {
		const list = this.centres;
		if (!list || list.length < 2) return nothing;
		const t = STRINGS[this.place.lang];
		return html`<label class="centre-pick"
			><span class="sr-only">${t.centre}</span>
			<select
				data-testid="centre-pick"
				@change=${(e: Event) => go({ ...this.place, centre: (e.target as HTMLSelectElement).value })}
			>
				${list.map((c) => html`<option value=${c.id} ?selected=${c.id === this.place.centre}>${c.name[this.place.lang]}</option>`)}
			</select></label
		>`;
	}

	private toggleSound(e: Event) {
		this.sound = (e.target as HTMLInputElement).checked;
		setSoundWanted(this.sound);
		if (this.sound) chime();
	}

	private view(id: ViewId, admin: boolean) {
		const lang: Lang = this.place.lang;
		const t = STRINGS[lang];
		const v = this.stream.view;
		const centre = this.centre;
		if (VIEWS.find((x) => x.id === id)?.admin && this.session && !admin)
			return html`<p class="state" role="alert">${t.adminOnly}</p>`;
		if (id === "network") return html`<vikno-network .lang=${lang} .place=${this.place}></vikno-network>`;
		if (!v || !centre) return html`<p class="state" role="status">${t.loading}</p>`;
		const stale = this.stream.state === "reconnecting";
		switch (id) {
			case "hall":
				return html`<vikno-live-hall
					.live=${v}
					.centre=${centre}
					.lang=${lang}
					.stale=${stale}
					.receivedAt=${this.stream.receivedAt}
				></vikno-live-hall>`;
			case "quality":
				return html`<vikno-quality .centre=${centre} .lang=${lang} .today=${v.day} .place=${this.place}></vikno-quality>`;
			case "history":
				return html`<vikno-history .centre=${centre} .lang=${lang} .today=${v.day} .place=${this.place}></vikno-history>`;
			case "alerts":
				return html`<vikno-alerts
					.centre=${centre}
					.lang=${lang}
					.today=${v.day}
					.place=${this.place}
					.active=${this.stream.alerts}
					.canAcknowledge=${this.session?.user.role !== "viewer"}
				></vikno-alerts>`;
			case "devices":
				return html`<vikno-devices .centre=${centre} .lang=${lang} .live=${v}></vikno-devices>`;
			case "report":
				return html`<vikno-report .centre=${centre} .lang=${lang} .today=${v.day} .place=${this.place}></vikno-report>`;
		}
	}
}
