/**
 * A reactive controller that fetches what a view shows whenever what it depends on changes: the
 * host says, before each render, the key of what it needs and how to load it; a new key loads
 * (the last answer stays on screen meanwhile), an answer to an older key is dropped. Loading,
 * error and the value are the host's to render.
 */
import type { ReactiveController, ReactiveControllerHost } from "lit";

export class Fetcher<T> implements ReactiveController {
	value: T | undefined;
	error: string | undefined;
	loading = false;
	private key = "";
	private seq = 0;

	constructor(
		private readonly host: ReactiveControllerHost,
		private readonly want: () => [key: string, load: () => Promise<T>] | undefined,
	) {
		host.addController(this);
	}

	hostUpdate() {
		const w = this.want();
		if (!w || w[0] === this.key) return;
		this.key = w[0];
		this.start(w[1]);
	}

	/** Load again what is shown (e.g. after an acknowledgement, or a new live view). */
	refresh() {
		const w = this.want();
		if (w) this.start(w[1]);
	}

	private start(load: () => Promise<T>) {
		const n = ++this.seq;
		this.loading = true;
		load().then(
			(v) => {
				if (n !== this.seq) return;
				this.value = v;
				this.error = undefined;
				this.loading = false;
				this.host.requestUpdate();
			},
			(err: Error) => {
				if (n !== this.seq) return;
				this.error = err.message;
				this.loading = false;
				this.host.requestUpdate();
			},
		);
	}
}
