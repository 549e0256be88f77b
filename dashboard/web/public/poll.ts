/**
 * A reactive controller that keeps one public answer fresh by polling: fetched when the element
 * connects, then every `everyMs` while the tab is visible — paused while it is hidden, fetched
 * again at once when it shows. Each fetch revalidates the browser's copy with its ETag
 * (`cache: "no-cache"`), so an unchanged answer costs the hub a 304. When the hub does not answer,
 * the last figures stay, marked stale with the time they were last confirmed.
 */
import type { ReactiveController, ReactiveControllerHost } from "lit";
import { errorCode } from "./api.ts";

export type PollState = "loading" | "ok" | "stale" | "missing" | "failed";

export class PollController<T> implements ReactiveController {
	data: T | undefined;
	state: PollState = "loading";
	/** The error code of a 4xx answer (e.g. unknown_ticket). */
	code: string | undefined;
	/** `Date.now()` when the hub last answered (the figures were current then). */
	confirmedAt = 0;
	private timer: ReturnType<typeof setTimeout> | undefined;
	private inflight: AbortController | undefined;
	private connected = false;
	private readonly onVisibility = () => {
		if (document.hidden) this.stop();
		else this.load();
	};

	constructor(
		private readonly host: ReactiveControllerHost,
		private readonly url: () => string | undefined,
		private readonly everyMs: () => number,
	) {
		host.addController(this);
	}

	hostConnected() {
		this.connected = true;
		document.addEventListener("visibilitychange", this.onVisibility);
		this.load();
	}

	hostDisconnected() {
		this.connected = false;
		document.removeEventListener("visibilitychange", this.onVisibility);
		this.stop();
	}

	/** Fetch now (and go on polling). */
	load() {
		this.stop();
		const url = this.url();
		if (!url || !this.connected) return;
		const abort = new AbortController();
		this.inflight = abort;
		fetch(url, { cache: "no-cache", credentials: "omit", signal: abort.signal })
			.then(async (res) => {
				if (res.ok) {
					this.data = (await res.json()) as T;
					this.state = "ok";
					this.code = undefined;
					this.confirmedAt = Date.now();
				} else if (res.status === 404 || res.status === 400) {
					this.data = undefined;
					this.state = "missing";
					this.code = await errorCode(res);
				} else {
					this.fail();
				}
			})
			.catch((err: Error) => {
				if (err.name !== "AbortError") this.fail();
			})
			.finally(() => {
				if (this.inflight !== abort) return;
				this.inflight = undefined;
				this.host.requestUpdate();
				if (this.connected && !document.hidden) this.timer = setTimeout(() => this.load(), this.everyMs());
			});
	}

	private fail() {
		this.state = this.data ? "stale" : "failed";
	}

	private stop() {
		clearTimeout(this.timer);
		this.timer = undefined;
		this.inflight?.abort();
		this.inflight = undefined;
	}
}
