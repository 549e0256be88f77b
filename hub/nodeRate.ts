/**
 * A rate per device (core/tokenBucket.ts): a device that publishes faster than `perSecond` after
 * `burst` messages waits for its turn before its message is admitted — and so for its PUBACK. The
 * broker reads only a window of its packets at a time (broker/limits.ts), so a flooding device is
 * slowed down at its own socket; nothing is refused, since a refused event is acknowledged and
 * lost, and an edge replaying its outbox after an outage must not lose it. Each delayed message is
 * counted; a device over its rate is logged once a minute.
 */

import type { Log } from "../core/log.ts";
import { type Bucket, type Rate, take } from "../core/tokenBucket.ts";
import type { Metrics } from "./metrics.ts";

/** 50 a second after 500 at once: far above any node's own pace, far below a flood. */
export const NODE_RATE: Rate = { perSecond: 50, burst: 500 };

const LOG_EVERY_MS = 60_000;

export class NodeRate {
	private readonly buckets = new Map<string, Bucket>();
	private readonly logged = new Map<string, number>();
	private readonly waiting = new Set<{ timer: NodeJS.Timeout; reject: (err: Error) => void }>();

	constructor(private readonly opts: { rate: Rate; metrics: Metrics; log: Log; now: () => number }) {}

	/** undefined when the device may go on at once, else a promise that resolves when it may. */
	wait(device: string): Promise<void> | undefined {
		const now = this.opts.now();
		const { bucket, waitMs } = take(this.buckets.get(device), now, this.opts.rate);
		this.buckets.set(device, bucket);
		if (waitMs === 0) return undefined;
		const { metrics, log, rate } = this.opts;
		metrics.nodeRateDelayed.inc();
		metrics.nodeRateDelay.inc(waitMs / 1000);
		if (now - (this.logged.get(device) ?? Number.NEGATIVE_INFINITY) >= LOG_EVERY_MS) {
			this.logged.set(device, now);
			log.warn(
				{ device, perSecond: rate.perSecond, burst: rate.burst, delayMs: waitMs },
				"device over its message rate: its messages are admitted more slowly",
			);
		}
		return new Promise<void>((resolve, reject) => {
			const entry = {
				timer: setTimeout(() => {
					this.waiting.delete(entry);
					resolve();
				}, waitMs),
				reject,
			};
			this.waiting.add(entry);
		});
	}

	/** Messages still waiting are refused (no PUBACK: their devices send them again). */
	close(): void {
		for (const w of this.waiting) {
			clearTimeout(w.timer);
			w.reject(new Error("the hub is closing"));
		}
		this.waiting.clear();
	}
}
