/**
 * <vikno-session-bar>: who is signed in, and the sign-out button — a plain form POST to /logout
 * with the session's CSRF token, so it works as a browser's own form does.
 */
import { css, html, LitElement, nothing } from "lit";
import { fetchSession, type SessionInfo } from "./api.ts";
import type { Lang } from "./format.ts";
import { STRINGS } from "./i18n.ts";
import { current, PLACE_CHANGED } from "./router.ts";

export class SessionBar extends LitElement {
	static override properties = {
		session: { state: true },
		locale: { state: true },
	};

	static override styles = css`
		:host { display: block; max-width: 80rem; margin: 0 auto; padding: 8px 24px 0; color: #4f5b69; font-size: 0.85rem; }
		.bar { display: flex; justify-content: flex-end; align-items: center; gap: 6px 12px; flex-wrap: wrap; }
		.who { overflow-wrap: anywhere; }
		.name { font-weight: 600; color: #1c2430; }
		form { margin: 0; }
		button { font: inherit; color: #2f5fc4; background: none; border: 1px solid #c5cfdc; border-radius: 999px; padding: 3px 12px; cursor: pointer; }
		button:hover { background: #eef2f8; }
		button:focus-visible { outline: 2px solid #2f5fc4; outline-offset: 2px; }
		@media (max-width: 600px) { :host { padding: 8px 12px 0; } }
		@media (min-width: 2200px) { :host { max-width: 94vw; } }
	`;

	session: SessionInfo | undefined;
	locale: Lang = current().lang;
	// The page moves between views and languages without reloading (router.ts).
	private readonly onPlace = () => {
		this.locale = current().lang;
	};

	override disconnectedCallback() {
		super.disconnectedCallback();
		window.removeEventListener("popstate", this.onPlace);
		window.removeEventListener(PLACE_CHANGED, this.onPlace);
	}

	override connectedCallback() {
		super.connectedCallback();
		window.addEventListener("popstate", this.onPlace);
		window.addEventListener(PLACE_CHANGED, this.onPlace);
		fetchSession().then(
			(s) => {
				this.session = s;
			},
			() => {
				// Not signed in: fetchSession has gone to the sign-in page already; otherwise stay quiet.
			},
		);
	}

	override render() {
		const s = this.session;
		if (!s) return nothing;
		const t = STRINGS[this.locale];
		return html`<div class="bar">
			<span class="who">${t.signedInAs} <span class="name" data-testid="user">${s.user.name}</span>
				(${t.roles[s.user.role]})</span>
			<form method="post" action="/logout">
				<input type="hidden" name="_csrf" .value=${s.csrfToken} />
				<input type="hidden" name="lang" .value=${this.locale} />
				<button type="submit" data-testid="sign-out">${t.signOut}</button>
			</form>
		</div>`;
	}
}
