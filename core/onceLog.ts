/**
 * Log a warning once per key per interval, with how many were not logged in between
 * (`suppressedSinceLast`), so a device stuck in a loop of refused or rejected messages cannot
 * flood the log while every one of them is still counted elsewhere. The broker keys its refusals
 * by client, topic and reason; the hub its rejections and the edge its refusals by reason.
 * Time comes from the clock it is given.
 */
import type { Log } from "./log.ts";

export interface OnceLogOptions {
	/** A key is logged again this long after it was last logged. */
	intervalMs: number;
	/** The clock (the hub's, the node's, a test's). */
	now: () => number;
	/** Keys remembered at most; past it they are forgotten (and may be logged again at once). */
	maxKeys?: number;
}

export class OnceLog {
	private readonly seen = new Map<string, { at: number; suppressed: number }>();
	private readonly maxKeys: number;

	constructor(
		private readonly log: Log,
		private readonly opts: OnceLogOptions,
	) {
		this.maxKeys = opts.maxKeys ?? 10_000;
	}

	/** `log.warn({...fields, suppressedSinceLast}, msg)` unless `key` was logged within the interval. */
	warn(key: string, fields: object, msg: string): void {
		const t = this.opts.now();
		const entry = this.seen.get(key);
		if (entry && t - entry.at < this.opts.intervalMs) {
			entry.suppressed++;
			return;
		}
		if (!entry && this.seen.size >= this.maxKeys) this.seen.clear();
		this.log.warn({ ...fields, suppressedSinceLast: entry?.suppressed ?? 0 }, msg);
		this.seen.set(key, { at: t, suppressed: 0 });
	}
}
