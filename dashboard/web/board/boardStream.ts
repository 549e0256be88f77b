/**
 * A reactive controller owning the board's SSE stream (/board/{centre}/stream): opened on
 * connect, closed on disconnect. The browser's EventSource retries by itself (`retry: 2000`);
 * when it gives up (the hub answered with an error while restarting) a new one is opened with a
 * growing delay, for ever: a board on the wall has nobody to press reload. Meanwhile the last view
 * stays on screen, marked stale.
 */
import type { ReactiveController, ReactiveControllerHost } from "lit";
import type { BoardView } from "../../../core/boardView.ts";

export type BoardState = "connecting" | "live" | "stale";

const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 15_000;

export class BoardStreamController implements ReactiveController {
	view: BoardView | undefined;
	state: BoardState = "connecting";
	/** Browser time the latest view arrived. */
	receivedAt = 0;
	private source: EventSource | undefined;
	private retry: ReturnType<typeof setTimeout> | undefined;
	private retryMs = RETRY_MIN_MS;

	constructor(
		private readonly host: ReactiveControllerHost,
		private readonly centre: () => string,
		private readonly onView: (view: BoardView, first: boolean) => void,
	) {
		host.addController(this);
	}

	hostConnected() {
		this.open();
	}

	hostDisconnected() {
		clearTimeout(this.retry);
		this.source?.close();
		this.source = undefined;
	}

	private open() {
		const source = new EventSource(`/board/${encodeURIComponent(this.centre())}/stream`);
		this.source = source;
		source.addEventListener("board", (ev) => {
			const view = JSON.parse((ev as MessageEvent<string>).data) as BoardView;
			const first = this.view === undefined;
			this.view = view;
			this.receivedAt = Date.now();
			this.state = "live";
			this.retryMs = RETRY_MIN_MS;
			this.onView(view, first);
			this.host.requestUpdate();
		});
		source.onerror = () => {
			this.state = this.view ? "stale" : "connecting";
			if (source.readyState === EventSource.CLOSED) {
				source.close();
				this.source = undefined;
				clearTimeout(this.retry);
				this.retry = setTimeout(() => this.open(), this.retryMs);
				this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
			}
			this.host.requestUpdate();
		};
	}
}
