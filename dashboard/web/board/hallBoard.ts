/**
 * <vikno-board centre="…">: the hall board (табло) for a TV — the latest calls in large type,
 * the newest blinking for a few seconds while it is chimed and said; waits per service; the
 * clock; Ukrainian and English alternating when the centre asks for both. No mouse needed: R
 * (or Enter) repeats the latest call. When the hub is away the last view stays, marked stale.
 */
import { html, LitElement, nothing } from "lit";
import type { BoardCall, BoardView } from "../../../core/boardView.ts";
import { formatClock, type Lang } from "../format.ts";
import { Announcer } from "./announcer.ts";
import { boardStyles } from "./board.styles.ts";
import { BoardStreamController } from "./boardStream.ts";
import { BOARD_STRINGS, waitBand } from "./strings.ts";

const BLINK_MS = 8_000;

export class HallBoard extends LitElement {
	static override properties = { centre: { type: String } };
	static override styles = boardStyles;
	declare centre: string;

	private readonly stream = new BoardStreamController(
		this,
		() => this.centre,
		(view, first) => this.viewArrived(view, first),
	);
	private announcer: Announcer | undefined;
	private readonly seen = new Set<string>();
	private fresh: string | undefined;
	private freshTimer: ReturnType<typeof setTimeout> | undefined;
	private shown: Lang = "uk";
	private now = Date.now();
	private ticker: ReturnType<typeof setInterval> | undefined;
	private spokenCount = 0;
	private spokenHow = "";

	constructor() {
		super();
		this.centre = "";
	}

	override connectedCallback() {
		super.connectedCallback();
		this.announcer = new Announcer(this.centre, (how) => {
			this.spokenCount++;
			this.spokenHow = how;
			this.requestUpdate();
		});
		this.ticker = setInterval(() => this.tick(), 1_000);
		window.addEventListener("keydown", this.onKey);
	}

	override disconnectedCallback() {
		super.disconnectedCallback();
		clearInterval(this.ticker);
		clearTimeout(this.freshTimer);
		window.removeEventListener("keydown", this.onKey);
	}

	private readonly onKey = (ev: KeyboardEvent) => {
		if (ev.key === "r" || ev.key === "R" || ev.key === "Enter") {
			const latest = this.stream.view?.calls[0];
			if (latest) this.announce(latest);
		}
	};

	private tick() {
		this.now = Date.now();
		const view = this.stream.view;
		if (view && view.languages.length > 1) {
			const slot = Math.floor(this.now / 1000 / view.alternateS) % view.languages.length;
			this.shown = (view.languages[slot] as Lang) ?? "uk";
		} else this.shown = (view?.languages[0] as Lang) ?? "uk";
		document.documentElement.lang = this.shown;
		this.requestUpdate();
	}

	/** New calls (not those on the board when it opened) are announced, oldest first. */
	private viewArrived(view: BoardView, first: boolean) {
		const fresh = view.calls.filter((c) => !this.seen.has(c.id)).reverse();
		for (const c of view.calls) this.seen.add(c.id);
		if (first) return;
		for (const c of fresh) this.announce(c);
	}

	private announce(call: BoardCall) {
		this.fresh = call.id;
		clearTimeout(this.freshTimer);
		this.freshTimer = setTimeout(() => {
			this.fresh = undefined;
			this.requestUpdate();
		}, BLINK_MS);
		this.announcer?.say(call);
		this.requestUpdate();
	}

	override render() {
		const view = this.stream.view;
		const t = BOARD_STRINGS[this.shown];
		const state = this.stream.state;
		return html`
			<header>
				<h1>${view ? view.name[this.shown] : ""}</h1>
				<time data-testid="clock">${view ? formatClock(this.now, view.timeZone) : ""}</time>
			</header>
			<p class="banner ${state}" role="status" data-testid="board-state" data-state=${state}>
				${state === "live" ? "" : state === "connecting" ? t.connecting : `${t.stale} ${view ? formatClock(this.stream.receivedAt, view.timeZone) : ""}`}
			</p>
			<main>
				<section class="calls" aria-labelledby="calls-h">
					<h2 id="calls-h">${t.calls}</h2>
					${view && view.calls.length > 0 ? this.renderCalls(view.calls, t) : html`<p class="empty">${t.noCalls}</p>`}
				</section>
				${view ? this.renderWaits(view, t) : nothing}
			</main>
			<footer data-testid="spoken" data-count=${this.spokenCount} data-how=${this.spokenHow}>${t.repeat}</footer>
		`;
	}

	private renderCalls(calls: readonly BoardCall[], t: (typeof BOARD_STRINGS)["uk"]) {
		return html`<ol aria-live="polite" data-testid="calls">
			${calls.map(
				(c, i) => html`<li class=${[i === 0 ? "latest" : "", c.id === this.fresh ? "fresh" : ""].join(" ")}
					data-call=${c.id} data-ticket=${c.ticket} data-window=${c.window}>
					<span class="ticket">${c.ticket}</span>
					<span class="arrow" aria-hidden="true">→</span>
					<span class="window"><span class="wl">${t.toWindow}</span> ${c.windowLabel}</span>
					<span class="sr">${c.say[this.shown]}</span>
				</li>`,
			)}
		</ol>`;
	}

	private renderWaits(view: BoardView, t: (typeof BOARD_STRINGS)["uk"]) {
		return html`<section class="waits" aria-labelledby="waits-h">
			<h2 id="waits-h">${t.waits}</h2>
			<table data-testid="waits">
				<tbody>
					${view.services.map(
						(s) => html`<tr data-service=${s.id}>
							<th scope="row"><span class="prefix">${s.prefix}</span> ${s.name[this.shown]}</th>
							<td class="n">${s.waiting} <span class="unit">${t.waiting}</span></td>
							<td class="est">${waitBand(s.estimate, this.shown)}</td>
						</tr>`,
					)}
				</tbody>
			</table>
		</section>`;
	}
}
