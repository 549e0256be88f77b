/** Logs a rejection once per reason per interval, with how many were not logged in between. */
import type { RejectReason } from "../core/reasons.ts";
import type { Logger } from "./logger.ts";

export class RejectLog {
	private readonly last = new Map<RejectReason, { at: number; suppressed: number }>();
	constructor(
		private readonly log: Logger,
		private readonly intervalMs = 60_000,
	) {}

	report(reason: RejectReason, detail: string, where: { topic: string; client?: string | undefined }, now: number) {
		const entry = this.last.get(reason);
		if (entry && now - entry.at < this.intervalMs) {
			entry.suppressed++;
			return;
		}
		this.log.warn(
			{ reason, topic: where.topic, client: where.client, suppressedSinceLast: entry?.suppressed ?? 0 },
			`message rejected (${reason}): ${detail}`,
		);
		this.last.set(reason, { at: now, suppressed: 0 });
	}
}
