/**
 * <vikno-wait centre="demo" lang="uk" [service="passports"] [layout="compact|full"] [hub="https://…"]
 * [refresh="30"] [heading-level="2", 0 = no title]>: the waiting time per service for a city website or the centre's
 * page. Polls the public API (dashboard/web/public/poll.ts) and says "closed — opens tomorrow at
 * 9:00" rather than any figure while the centre is closed, and "data from HH:MM, the centre's
 * system is not answering" when the hub is silent. Changes are announced politely to screen readers.
 */
import { html, LitElement, nothing, type PropertyValues } from "lit";
import { hubOrigin, type PublicWait, waitUrl } from "./api.ts";
import { bandText, bestHour, clockText, intervalText, labelText, openText, reasonText, staleText } from "./format.ts";
import { fill, type Lang, langOf, WORDS } from "./i18n.ts";
import { PollController } from "./poll.ts";
import { waitStyles } from "./waitWidget.styles.ts";

type Service = PublicWait["services"][number];

export class WaitWidget extends LitElement {
	static override properties = {
		centre: { type: String },
		service: { type: String },
		layout: { type: String },
		hub: { type: String },
		refresh: { type: Number },
		headingLevel: { type: Number, attribute: "heading-level" },
		announcement: { state: true },
	};

	static override styles = waitStyles;

	centre = "";
	service: string | undefined;
	layout: "compact" | "full" = "compact";
	hub: string | undefined;
	refresh = 30;
	headingLevel = 2;
	announcement = "";
	private last = "";
	private readonly poll = new PollController<PublicWait>(
		this,
		() => (this.centre ? waitUrl(hubOrigin(this.hub), this.centre) : undefined),
		() => Math.max(2, Number(this.refresh) || 30) * 1000,
	);

	private get locale(): Lang {
		return langOf(this.getAttribute("lang") ?? document.documentElement.lang);
	}

	override updated(changed: PropertyValues<this>) {
		if (changed.has("centre") || changed.has("hub")) this.poll.load();
		this.announce();
	}

	/** Tell a screen reader what changed since the last answer (not the first figures: they are read with the page). */
	private announce() {
		const d = this.poll.data;
		if (!d || this.poll.state !== "ok") return;
		const summary = this.summary(d);
		if (this.last && summary !== this.last && summary !== this.announcement) this.announcement = summary;
		this.last = summary;
	}

	private summary(d: PublicWait): string {
		const lang = this.locale;
		const status = openText(d.open, d.at, d.timeZone, lang);
		if (!d.open.now) return status;
		return [status, ...this.services(d).map((s) => `${s.name[lang]}: ${this.waitOf(s)}`)].join(". ");
	}

	private services(d: PublicWait): Service[] {
		return this.service ? d.services.filter((s) => s.id === this.service) : d.services;
	}

	private waitOf(s: Service): string {
		return s.estimate ? bandText(s.estimate, this.locale) : reasonText(s.noEstimate, this.locale);
	}

	override render() {
		const lang = this.locale;
		const w = WORDS[lang];
		const d = this.poll.data;
		const full = this.layout === "full";
		if (!d) {
			const text =
				this.poll.state === "missing" ? w.unknownCentre : this.poll.state === "failed" ? w.failed : w.loading;
			const role = this.poll.state === "loading" ? "status" : "alert";
			return html`<div class="w" lang=${lang}><p class=${role === "alert" ? "error" : ""} role=${role}>${text}</p></div>`;
		}
		const tz = d.timeZone;
		const open = d.open.now;
		const stale = this.poll.state === "stale" || this.poll.state === "failed";
		const hall = d.hall[0];
		return html`
			<section class="w ${full ? "full" : "compact"}" lang=${lang} aria-label=${d.name[lang]}>
				${
					// heading-level="0": no title (a page that names the centre already, as /c/{centre} does).
					this.headingLevel > 0
						? html`<p class="title" role="heading" aria-level=${this.headingLevel}>${d.name[lang]}</p>`
						: nothing
				}
				<p class="status ${open ? "open" : "closed"}" data-testid="status">
					<span class="dot" aria-hidden="true"></span><span>${openText(d.open, d.at, tz, lang)}</span>
				</p>
				${open ? this.list(d, full) : nothing}
				${full ? this.facts(d, hall) : nothing}
				${
					stale
						? html`<p class="stale" role="status" data-testid="stale">${staleText(this.poll.confirmedAt || d.at, tz, lang)}</p>`
						: nothing
				}
				<p class="foot">${fill(w.updated, { time: clockText(this.poll.confirmedAt || d.at, tz) })}</p>
				<div class="sr" aria-live="polite" data-testid="announcement">${this.announcement}</div>
			</section>
		`;
	}

	private list(d: PublicWait, full: boolean) {
		const lang = this.locale;
		const w = WORDS[lang];
		return html`<ul aria-label=${w.waitIfNow}>
			${this.services(d).map((s) => {
				const best = full ? bestHour(s.bestToday) : undefined;
				return html`<li data-service=${s.id}>
					<span class="name">${s.name[lang]}</span>
					<span class="band ${s.estimate ? "" : "none"}" data-testid="band">${this.waitOf(s)}</span>
					<span class="more">${s.waiting} ${w.inQueue}${
						best ? ` · ${w.bestToday}: ${best.hour}:00 (${labelText(best.label, lang)})` : ""
					}</span>
				</li>`;
			})}
		</ul>`;
	}

	private facts(d: PublicWait, hall: PublicWait["hall"][number] | undefined) {
		const lang = this.locale;
		const w = WORDS[lang];
		const today = d.open.today.map(intervalText).join(", ") || w.dayOff;
		return html`<div class="facts">
			${
				hall && d.open.now
					? html`<p>${w.hall}: <span class=${hall.label} data-testid="hall">${labelText(hall.label, lang)}</span></p>`
					: nothing
			}
			<p>${w.hoursToday}: ${today}${d.open.holiday ? ` (${w.holiday})` : ""}</p>
		</div>`;
	}
}
