/**
 * <vikno-desk centre="…" window="…">: an administrator's console at a PC — the window's current
 * ticket and how long it has been called or served, the queue of the services it serves, and the
 * window node's buttons, each with a key: N next, R recall, S start, F finish, X no-show, P break;
 * and T transfer: the visitor is sent on to the service chosen in the list beside it (reached
 * with Tab, chosen with the arrows; keys typed in the list choose in it, not act). Each
 * action is a POST the hub turns into the same queue event the node would publish; the figures
 * come back on the live stream like every other page's.
 */
import { css, html, LitElement } from "lit";
import { fetchSession } from "../api.ts";
import { formatDuration, windowLabel } from "../format.ts";
import { LiveStreamController } from "../liveStream.ts";

const ACTIONS = [
	{ action: "next", key: "N", label: "Наступний" },
	{ action: "recall", key: "R", label: "Викликати ще раз" },
	{ action: "start", key: "S", label: "Почати" },
	{ action: "finish", key: "F", label: "Завершити" },
	{ action: "no_show", key: "X", label: "Не з'явився" },
] as const;

/** Transfer to the service chosen in the list. */
const TRANSFER = { action: "transfer", key: "T", label: "Переадресувати" } as const;

/** The break: one key, P, that starts it or ends it. */
const PAUSE = { action: "pause", key: "P", label: "Перерва" } as const;
const RESUME = { action: "resume", key: "P", label: "Продовжити роботу" } as const;

const DONE: Record<string, string> = {
	called: "викликано",
	started: "обслуговування розпочато",
	finished: "завершено",
	no_show: "не з'явився",
	transferred: "переадресовано",
	paused: "перерва: вікно зачинене для черги",
	resumed: "перерву завершено",
};

const STATE = {
	idle: "вільне",
	calling: "викликано",
	serving: "обслуговується",
	paused: "перерва",
	offline: "не на зв'язку",
} as const;

export class DeskConsole extends LitElement {
	static override properties = { centre: { type: String }, window: { type: String } };
	static override styles = css`
		:host {
			display: block;
			max-width: 48rem;
			margin: 0 auto;
			padding: 1rem;
		}
		h1 {
			font-size: 1.6rem;
			margin: 0 0 0.5rem;
		}
		.ticket {
			font-size: 4rem;
			font-weight: 700;
			font-variant-numeric: tabular-nums;
		}
		.buttons {
			display: flex;
			flex-wrap: wrap;
			gap: 0.5rem;
			margin: 1rem 0;
		}
		button {
			font-size: 1.1rem;
			padding: 0.7rem 1rem;
			border-radius: 0.4rem;
			border: 1px solid #1c2430;
			background: #fff;
			color: #1c2430;
			cursor: pointer;
		}
		button:focus-visible {
			outline: 3px solid #1d4ed8;
		}
		kbd {
			font-weight: 700;
		}
		.transfer {
			display: flex;
			flex-wrap: wrap;
			align-items: center;
			gap: 0.5rem;
		}
		select {
			/* A service's long name must not push the list past a phone's screen. */
			max-width: 100%;
			font-size: 1.1rem;
			padding: 0.6rem;
			border-radius: 0.4rem;
			border: 1px solid #1c2430;
		}
		select:focus-visible {
			outline: 3px solid #1d4ed8;
		}
		table {
			border-collapse: collapse;
		}
		th,
		td {
			text-align: left;
			padding: 0.3rem 1rem 0.3rem 0;
		}
	`;
	declare centre: string;
	declare window: string;
	private readonly stream = new LiveStreamController(this, () => this.centre);
	private message = "";
	private busy = false;
	private csrf: string | undefined;
	private ticker: ReturnType<typeof setInterval> | undefined;

	constructor() {
		super();
		this.centre = "";
		this.window = "";
	}

	override connectedCallback() {
		super.connectedCallback();
		window.addEventListener("keydown", this.onKey);
		this.ticker = setInterval(() => this.requestUpdate(), 1_000);
	}

	override disconnectedCallback() {
		super.disconnectedCallback();
		window.removeEventListener("keydown", this.onKey);
		clearInterval(this.ticker);
	}

	private readonly onKey = (ev: KeyboardEvent) => {
		if (ev.ctrlKey || ev.altKey || ev.metaKey) return;
		// Typing in the list of services chooses a service there.
		if (ev.composedPath()[0] instanceof HTMLSelectElement) return;
		const a = this.actions().find((x) => x.key === ev.key.toUpperCase());
		if (a) {
			ev.preventDefault();
			void this.act(a.action);
		}
	};

	/** The service chosen to transfer to (the list's value). */
	private transferTo(): string | undefined {
		const select = this.renderRoot.querySelector<HTMLSelectElement>("select[name=to]");
		return select?.value || undefined;
	}

	private async act(action: string) {
		if (this.busy) return;
		this.busy = true;
		try {
			this.csrf ??= (await fetchSession()).csrfToken;
			const to = action === "transfer" ? this.transferTo() : undefined;
			const res = await fetch(
				`/api/v1/desk/${encodeURIComponent(this.centre)}/${encodeURIComponent(this.window)}/${action}`,
				{
					method: "POST",
					headers: { "x-csrf-token": this.csrf, ...(to ? { "content-type": "application/json" } : {}) },
					...(to ? { body: JSON.stringify({ to }) } : {}),
				},
			);
			const body = (await res.json()) as { ticket?: string | null; event?: string; error?: { message: string } };
			const done = body.event ? (DONE[body.event] ?? "готово") : undefined;
			this.message = !res.ok
				? (body.error?.message ?? `помилка ${res.status}`)
				: done
					? body.ticket
						? `${body.ticket}: ${done}`
						: done
					: "Черга порожня: нікого викликати";
		} catch {
			this.message = "Немає зв'язку з сервером";
		} finally {
			this.busy = false;
			this.requestUpdate();
		}
	}

	/** The buttons now: the queue's, and the break's that starts or ends it. */
	private actions() {
		const w = this.stream.view?.windows.find((x) => x.id === this.window);
		return [...ACTIONS, TRANSFER, w?.state === "paused" ? RESUME : PAUSE];
	}

	override render() {
		const view = this.stream.view;
		const w = view?.windows.find((x) => x.id === this.window);
		const since =
			w?.sinceS !== null && w?.sinceS !== undefined
				? w.sinceS + Math.max(0, Math.round((Date.now() - this.stream.receivedAt) / 1000))
				: undefined;
		const services = view?.services.filter((s) => w?.services.includes(s.id)) ?? [];
		// Any other service some window serves: where the visitor can be sent on to.
		const served = new Set(view?.windows.flatMap((x) => x.services) ?? []);
		const targets = view?.services.filter((s) => s.id !== w?.service && served.has(s.id)) ?? [];
		const button = (a: { action: string; key: string; label: string }) =>
			html`<button type="button" data-action=${a.action} aria-keyshortcuts=${a.key} @click=${() => this.act(a.action)}>
				${a.label} <kbd>${a.key}</kbd>
			</button>`;
		return html`
			<h1>${windowLabel(this.window, w?.name)} · ${view?.name.uk ?? ""}</h1>
			<p>
				<span class="ticket" data-testid="desk-ticket">${w?.ticket ?? "—"}</span>
				<span data-testid="desk-state">${w ? STATE[w.state] : ""}</span>
				${since !== undefined ? html`<span data-testid="desk-since">${formatDuration(since)}</span>` : ""}
			</p>
			<div class="buttons">
				${this.actions()
					.filter((a) => a.action !== "transfer")
					.map(button)}
			</div>
			<div class="transfer">
				<label for="to">До послуги</label>
				<select id="to" name="to" data-testid="desk-transfer-to">
					${targets.map((s) => html`<option value=${s.id}>${s.name.uk}</option>`)}
				</select>
				${button(TRANSFER)}
			</div>
			<p role="status" data-testid="desk-message">${this.message}</p>
			<table aria-label="Черга послуг цього вікна">
				<thead><tr><th scope="col">Послуга</th><th scope="col">У черзі</th></tr></thead>
				<tbody>
					${services.map((s) => html`<tr data-service=${s.id}><th scope="row">${s.name.uk}</th><td>${s.waiting}</td></tr>`)}
				</tbody>
			</table>
		`;
	}
}
