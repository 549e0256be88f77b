/**
 * A reactive controller owning one SSE stream: opened on connect, closed on disconnect.
 * It keeps the latest live view (`event: live`) and the active alerts (`event: alerts`) of its
 * centre, or — asked for no centre — tells `onEvent` of every event of every centre the user sees.
 * The browser's EventSource retries by itself after a dropped connection (the hub sends
 * `retry: 2000`); when it gives up (state CLOSED, e.g. the hub answered with an error while
 * restarting) this controller opens a new one with a growing delay — unless the session has
 * ended (signed out elsewhere, expired): then the page goes to the sign-in page.
 */
import type { ReactiveController, ReactiveControllerHost } from "lit";
import { type ActiveAlerts, type LiveView, signInAgain, stillSignedIn, streamUrl } from "./api.ts";

export type StreamState = "connecting" | "live" | "reconnecting";

const RETRY_MIN_MS = 2_000;
const RETRY_MAX_MS = 30_000;

/** `"*"`: every centre the user sees. */
export type StreamTarget = string | "*" | undefined;

export class LiveStreamController implements ReactiveController {
	view: LiveView | undefined;
	alerts: ActiveAlerts | undefined;
	state: StreamState = "connecting";
	/** `Date.now()` in the browser when the current view arrived: durations grow from it. */
	receivedAt = 0;
	updates = 0;
	private source: EventSource | undefined;
	private openedFor: string | undefined;
	private retry: ReturnType<typeof setTimeout> | undefined;
	private retryMs = RETRY_MIN_MS;

	constructor(
		private readonly host: ReactiveControllerHost,
		private readonly target: () => StreamTarget,
		/** Hears every event (after the controller kept it); e.g. new alerts. */
		private readonly onEvent?: (kind: "live" | "alerts", data: LiveView | ActiveAlerts) => void,
	) {
		host.addController(this);
	}

	hostConnected() {
		this.open();
	}

	hostDisconnected() {
		this.close();
	}

	/** Open for the current target; does nothing when already open for it. */
	open() {
		const target = this.target();
		if (this.source && target === this.openedFor) return;
		this.close();
		if (!target) return;
		if (target !== "*" && target !== this.view?.centre) {
			this.view = undefined;
			this.alerts = undefined;
			this.state = "connecting";
		}
		const source = new EventSource(streamUrl(target === "*" ? undefined : target));
		this.source = source;
		this.openedFor = target;
		const heard = () => {
			this.state = "live";
			this.retryMs = RETRY_MIN_MS;
			this.updates++;
			this.host.requestUpdate();
		};
		source.addEventListener("live", (ev) => {
			const view = JSON.parse((ev as MessageEvent<string>).data) as LiveView;
			if (target !== "*") {
				this.view = view;
				this.receivedAt = Date.now();
			}
			this.onEvent?.("live", view);
			heard();
		});
		source.addEventListener("alerts", (ev) => {
			const alerts = JSON.parse((ev as MessageEvent<string>).data) as ActiveAlerts;
			if (target !== "*") this.alerts = alerts;
			this.onEvent?.("alerts", alerts);
			heard();
		});
		source.onerror = () => {
			this.state = "reconnecting";
			if (source.readyState === EventSource.CLOSED) this.scheduleReopen();
			this.host.requestUpdate();
		};
	}

	private scheduleReopen() {
		this.source?.close();
		this.source = undefined;
		// A stream refused for want of a session will not come back: sign in again.
		stillSignedIn().then((yes) => {
			if (!yes) signInAgain();
		});
		clearTimeout(this.retry);
		this.retry = setTimeout(() => this.open(), this.retryMs);
		this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
	}

	private close() {
		clearTimeout(this.retry);
		this.retry = undefined;
		this.source?.close();
		this.source = undefined;
		this.openedFor = undefined;
	}
}
