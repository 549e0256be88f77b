/** A reactive controller owning one SSE stream: opened on connect, closed on disconnect. */
import type { ReactiveController, ReactiveControllerHost } from "lit";
import { type LiveView, streamUrl } from "./api.ts";

export type StreamState = "connecting" | "live" | "reconnecting";

export class LiveStreamController implements ReactiveController {
	view: LiveView | undefined;
	state: StreamState = "connecting";
	updates = 0;
	private source: EventSource | undefined;

	constructor(
		private readonly host: ReactiveControllerHost,
		private readonly centre: () => string | undefined,
	) {
		host.addController(this);
	}

	hostConnected() {
		this.open();
	}

	hostDisconnected() {
		this.source?.close();
		this.source = undefined;
	}

	/** (Re)open for the current centre. */
	open() {
		this.source?.close();
		const centre = this.centre();
		if (!centre) return;
		const source = new EventSource(streamUrl(centre));
		this.source = source;
		source.addEventListener("live", (ev) => {
			this.view = JSON.parse((ev as MessageEvent<string>).data) as LiveView;
			this.state = "live";
			this.updates++;
			this.host.requestUpdate();
		});
		source.onerror = () => {
			this.state = "reconnecting";
			this.host.requestUpdate();
		};
	}
}
