/** A reactive controller that re-renders its host every `everyMs` while connected, so waiting times grow. */
import type { ReactiveController, ReactiveControllerHost } from "lit";

export class TickController implements ReactiveController {
	now = Date.now();
	private timer: ReturnType<typeof setInterval> | undefined;

	constructor(
		private readonly host: ReactiveControllerHost,
		private readonly everyMs = 10_000,
	) {
		host.addController(this);
	}

	hostConnected() {
		this.now = Date.now();
		this.timer = setInterval(() => {
			this.now = Date.now();
			this.host.requestUpdate();
		}, this.everyMs);
	}

	hostDisconnected() {
		clearInterval(this.timer);
		this.timer = undefined;
	}
}
