/**
 * The hub's latest `$hub/live` (core/hubState.ts) as a ticket terminal holds it: people waiting
 * and the estimate per service, retained by the broker and updated on every change, so a ticket
 * normally prints with figures already on hand. `get(waitMs)` waits at most `waitMs` (a second)
 * when connected and nothing has come yet, and not at all when the hub is unreachable: a visitor
 * is never kept waiting by the network. Figures older than `maxAgeMs` are not printed.
 */
import { Compile } from "typebox/compile";
import { type LiveSummary, LiveSummary as LiveSummarySchema } from "../core/hubState.ts";

const check = Compile(LiveSummarySchema);

export class HubLive {
	private value: LiveSummary | undefined;
	private readonly waiters = new Set<() => void>();

	constructor(
		private readonly connected: () => boolean,
		private readonly now: () => number,
		private readonly maxAgeMs = 5 * 60_000,
	) {}

	/** A message on `$hub/live`: kept when it matches the schema. */
	receive(payload: Uint8Array): void {
		try {
			const data: unknown = JSON.parse(Buffer.from(payload).toString("utf8"));
			if (!check.Check(data)) return;
			this.value = data;
		} catch {
			return;
		}
		for (const w of this.waiters) w();
		this.waiters.clear();
	}

	private fresh(): LiveSummary | undefined {
		const v = this.value;
		return v && this.now() - v.at <= this.maxAgeMs ? v : undefined;
	}

	async get(waitMs: number): Promise<LiveSummary | undefined> {
		if (!this.connected()) return undefined;
		const v = this.fresh();
		if (v || waitMs <= 0) return v;
		await new Promise<void>((resolve) => {
			const done = () => {
				clearTimeout(t);
				this.waiters.delete(done);
				resolve();
			};
			const t = setTimeout(done, waitMs);
			this.waiters.add(done);
		});
		return this.connected() ? this.fresh() : undefined;
	}
}
