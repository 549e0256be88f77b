/**
 * <vikno-track centre="demo" ticket="A017" [key="…"] lang="uk">: one ticket of today, live — its
 * place in the queue and the estimated wait as a band, then "called — go to window 7" (said at once
 * to a screen reader, and with a chime and a vibration when the holder asked for them). With the
 * key of the ticket's own link, the visit can be rated here once it is served.
 */
import { css, html, LitElement, nothing, type PropertyValues } from "lit";
import { hubOrigin, type PublicTicket, ticketUrl } from "./api.ts";
import { bandText, reasonText, staleText, windowNumber } from "./format.ts";
import { fill, type Lang, langOf, WORDS } from "./i18n.ts";
import { pageStyles } from "./pageStyles.ts";
import { PollController } from "./poll.ts";
import { chime, unlockSound } from "./sound.ts";

const trackStyles = css`
	.ticket {
		font-size: 2.5em;
		font-weight: 800;
		letter-spacing: 0.05em;
		margin: 0 0 0.25em;
	}
	.stage {
		font-size: 1.2em;
		font-weight: 600;
	}
	.alert {
		display: flex;
		gap: 0.6em;
		align-items: center;
		min-height: 48px;
		margin-top: 1em;
	}
	.alert input {
		width: 1.5em;
		height: 1.5em;
		flex: none;
	}
	.rate {
		margin-top: 1.25em;
	}
`;

export class TrackTicket extends LitElement {
	static override properties = {
		centre: { type: String },
		ticket: { type: String },
		key: { type: String },
		hub: { type: String },
		refresh: { type: Number },
		alerts: { state: true },
	};
	static override styles = [pageStyles, trackStyles];

	centre = "";
	ticket = "";
	key: string | undefined;
	hub: string | undefined;
	refresh = 10;
	alerts = false;
	private stage: string | undefined;
	/** The form token once the visit could be rated: the form stays (with its thanks) while the answers move on. */
	private rateToken: string | undefined;
	private readonly poll = new PollController<PublicTicket>(
		this,
		() => (this.centre && this.ticket ? ticketUrl(hubOrigin(this.hub), this.centre, this.ticket, this.key) : undefined),
		() => Math.max(2, Number(this.refresh) || 10) * 1000,
	);

	private get locale(): Lang {
		return langOf(this.getAttribute("lang") ?? document.documentElement.lang);
	}

	override updated(_changed: PropertyValues<this>) {
		const stage = this.poll.data?.stage;
		if (stage === "called" && this.stage !== undefined && this.stage !== "called" && this.alerts) chime();
		if (stage) this.stage = stage;
	}

	override render() {
		const lang = this.locale;
		const w = WORDS[lang];
		const d = this.poll.data;
		if (!d) {
			if (this.poll.state === "missing")
				return html`<p class="notice warn" role="alert" data-testid="stage">${w.notFound}</p>`;
			return html`<p role="status">${this.poll.state === "loading" ? w.loading : w.failed}</p>`;
		}
		const win = d.window ? windowNumber(d.window.id, d.window.name) : "";
		const stale = this.poll.state === "stale";
		return html`
			<p class="ticket" aria-label="${w.ticket} ${d.ticket}">${d.ticket}</p>
			<p class="muted">${d.service.name[lang]}</p>
			${this.stageView(d, win)}
			${
				stale
					? html`<p class="notice warn" role="status" data-testid="stale">${staleText(this.poll.confirmedAt, Intl.DateTimeFormat().resolvedOptions().timeZone, lang)}</p>`
					: nothing
			}
			${
				d.stage === "waiting" || d.stage === "called"
					? html`<label class="alert">
							<input type="checkbox" .checked=${this.alerts} @change=${(e: Event) => {
								this.alerts = (e.target as HTMLInputElement).checked;
								if (this.alerts) unlockSound();
							}} />
							<span>${w.alert}</span>
						</label>`
					: nothing
			}
			${this.rating(d, lang)}
		`;
	}

	private stageView(d: PublicTicket, win: string) {
		const w = WORDS[this.locale];
		switch (d.stage) {
			case "waiting": {
				const band = d.estimate ? bandText(d.estimate, this.locale) : reasonText(d.noEstimate, this.locale);
				return html`<div role="status" data-testid="stage">
					<p class="stage">${w.waiting}</p>
					<p>${d.ahead ? fill(w.ahead, { n: d.ahead }) : w.aheadNone}</p>
					<p>${fill(w.estimate, { band })}</p>
				</div>`;
			}
			case "called":
				return html`<p class="notice called" role="alert" data-testid="stage">${fill(w.called, { window: win })}</p>`;
			case "serving":
				return html`<p class="notice" role="status" data-testid="stage">${fill(w.serving, { window: win })}</p>`;
			case "served":
				return html`<p class="notice good" role="status" data-testid="stage">${fill(w.served, { window: win })}</p>`;
			case "no_show":
				return html`<p class="notice warn" role="status" data-testid="stage">${w.noShow}</p>`;
			default:
				return html`<p class="notice warn" role="status" data-testid="stage">${w.cancelled}</p>`;
		}
	}

	private rating(d: PublicTicket, lang: Lang) {
		const r = d.rating;
		if (!r) return nothing;
		const w = WORDS[lang];
		if (r.status === "open" && r.token) this.rateToken ??= r.token;
		if (!this.rateToken) return r.status === "rated" ? html`<p class="notice good rate">${w.rateAlready}</p>` : nothing;
		return html`<section class="rate" aria-labelledby="rate-title">
			<h2 id="rate-title">${fill(w.rateTicket, { ticket: d.ticket })}</h2>
			<vikno-rate centre=${d.centre} token=${this.rateToken} scale=${r.scale} lang=${lang} .hub=${this.hub}></vikno-rate>
		</section>`;
	}
}
