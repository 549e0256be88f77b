/**
 * <vikno-rate centre="demo" token="…" scale="5" lang="uk">: rate the service just received — large
 * buttons, one per score, best first — then an optional short comment ("Залишити відгук") with a
 * note not to write personal data. Posts to the public API with the page's single-use form token
 * (dashboard/formToken.ts); every refusal is said in words.
 */
import { css, html, LitElement, nothing } from "lit";
import { errorCode, hubOrigin } from "./api.ts";
import { fill, type Lang, langOf, WORDS } from "./i18n.ts";
import { pageStyles } from "./pageStyles.ts";

type Step = "ask" | "sending" | "thanked" | "refused";

const rateStyles = css`
	.scores {
		display: grid;
		gap: 0.6em;
		margin: 0.75em 0;
		padding: 0;
		border: 0;
	}
	.scores legend {
		font-weight: 600;
		margin-bottom: 0.5em;
		padding: 0;
	}
	.scores button {
		width: 100%;
		min-height: 56px;
		font-size: 1.1em;
		text-align: start;
		display: flex;
		gap: 0.75em;
		align-items: center;
	}
	.score {
		font-size: 1.4em;
		font-weight: 700;
		min-width: 1.2em;
		text-align: center;
	}
	label {
		display: block;
		font-weight: 600;
		margin: 0.75em 0 0.25em;
	}
	textarea {
		width: 100%;
		min-height: 6em;
		padding: 0.5em;
		border: 2px solid #5d6b7a;
		border-radius: 0.4em;
	}
	.note {
		font-size: 0.9em;
		margin: 0.25em 0 0.75em;
	}
`;

export class RateForm extends LitElement {
	static override properties = {
		centre: { type: String },
		token: { type: String },
		scale: { type: Number },
		hub: { type: String },
		step: { state: true },
		refusal: { state: true },
		counted: { state: true },
		commentToken: { state: true },
		commentMax: { state: true },
		commentState: { state: true },
	};
	static override styles = [pageStyles, rateStyles];

	centre = "";
	token = "";
	scale = 5;
	hub: string | undefined;
	step: Step = "ask";
	refusal: string | undefined;
	counted = true;
	commentToken: string | undefined;
	commentMax = 500;
	commentState: "idle" | "sending" | "sent" | "failed" = "idle";

	private get locale(): Lang {
		return langOf(this.getAttribute("lang") ?? document.documentElement.lang);
	}

	private async post(path: string, body: object): Promise<Response> {
		return fetch(`${hubOrigin(this.hub)}/api/public/v1/centres/${encodeURIComponent(this.centre)}/${path}`, {
			method: "POST",
			headers: { "content-type": "application/json" },
			body: JSON.stringify(body),
			credentials: "omit",
		});
	}

	private async rate(score: number) {
		this.step = "sending";
		try {
			const res = await this.post("ratings", { token: this.token, score });
			if (res.ok) {
				const answer = (await res.json()) as { counted: boolean; comment: { token: string; maxLength: number } };
				this.counted = answer.counted;
				this.commentToken = answer.comment.token;
				this.commentMax = answer.comment.maxLength;
				this.step = "thanked";
			} else {
				this.refusal = (await errorCode(res)) ?? "failed";
				this.step = "refused";
			}
		} catch {
			this.refusal = "failed";
			this.step = "refused";
		}
		await this.updateComplete;
		(this.renderRoot.querySelector("[data-focus]") as HTMLElement | null)?.focus();
	}

	private async comment(e: SubmitEvent) {
		e.preventDefault();
		const text = ((this.renderRoot.querySelector("textarea") as HTMLTextAreaElement | null)?.value ?? "").trim();
		if (!text || !this.commentToken) return;
		this.commentState = "sending";
		try {
			const res = await this.post("comments", { token: this.commentToken, text });
			this.commentState = res.ok ? "sent" : "failed";
		} catch {
			this.commentState = "failed";
		}
	}

	override render() {
		const lang = this.locale;
		const w = WORDS[lang];
		if (this.step === "refused") return this.refused(w);
		if (this.step === "thanked") return this.thanked(w);
		const scale = Math.max(2, Math.min(10, Number(this.scale) || 5));
		const scores = Array.from({ length: scale }, (_, i) => scale - i);
		const words = (n: number) =>
			scale === 5 ? w.scale5[n - 1] : n === scale ? w.scaleHigh : n === 1 ? w.scaleLow : "";
		return html`<fieldset class="scores" ?disabled=${this.step === "sending"}>
			<legend>${w.rateAsk}</legend>
			${scores.map(
				(n) => html`<button type="button" data-score=${n} @click=${() => this.rate(n)}>
					<span class="score" aria-hidden="true">${n}</span><span>${words(n) ? html`${words(n)}<span class="sr"> (${n})</span>` : n}</span>
				</button>`,
			)}
		</fieldset>`;
	}

	private refused(w: (typeof WORDS)[Lang]) {
		const text =
			this.refusal === "already_rated"
				? w.rateAlready
				: this.refusal === "not_served_yet"
					? w.rateNotYet
					: this.refusal === "rate_limited"
						? w.rateLimited
						: this.refusal === "form_expired"
							? w.rateExpired
							: w.rateFailed;
		const reload = this.refusal === "form_expired" || this.refusal === "failed";
		return html`<p class="notice warn" role="alert" tabindex="-1" data-focus data-testid="rate-result">${text}</p>
			${reload ? html`<p><a href="">${w.rateReload}</a></p>` : nothing}`;
	}

	private thanked(w: (typeof WORDS)[Lang]) {
		const comment =
			this.commentState === "sent"
				? html`<p class="notice good" role="status" data-testid="comment-result">${w.commentSent}</p>`
				: html`<form @submit=${(e: SubmitEvent) => this.comment(e)}>
						<h2>${w.commentTitle}</h2>
						<label for="comment">${w.commentLabel}</label>
						<p class="note muted" id="comment-note">${fill(w.commentNote, { max: this.commentMax })}</p>
						<textarea id="comment" name="comment" maxlength=${this.commentMax} aria-describedby="comment-note"></textarea>
						<p><button type="submit" ?disabled=${this.commentState === "sending"}>${w.commentSend}</button></p>
						${this.commentState === "failed" ? html`<p class="notice warn" role="alert">${w.rateFailed}</p>` : nothing}
					</form>`;
		return html`<p class="notice good" role="status" tabindex="-1" data-focus data-testid="rate-result">
				${this.counted ? w.rateThanks : w.rateNotCounted}
			</p>
			${comment}`;
	}
}
