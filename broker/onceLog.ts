/**
 * Log a refusal once per key (client, topic, reason) per interval, with how many were not logged
 * in between, so a device stuck in a loop of refused publishes cannot flood the log.
 */
export interface BrokerLog {
	info(obj: object, msg?: string): void;
	warn(obj: object, msg?: string): void;
	error(obj: object, msg?: string): void;
	debug(obj: object, msg?: string): void;
}

const MAX_KEYS = 10_000;

export class OnceLog {
	private readonly seen = new Map<string, { at: number; suppressed: number }>();

	constructor(
		private readonly log: BrokerLog,
		private readonly intervalMs = 10 * 60_000,
		private readonly now: () => number = Date.now,
	) {}

	warn(key: string, fields: object, msg: string): void {
		const t = this.now();
		const entry = this.seen.get(key);
		if (entry && t - entry.at < this.intervalMs) {
			entry.suppressed++;
			return;
		}
		if (this.seen.size >= MAX_KEYS) this.seen.clear();
		this.log.warn({ ...fields, suppressedSinceLast: entry?.suppressed ?? 0 }, msg);
		this.seen.set(key, { at: t, suppressed: 0 });
	}
}
