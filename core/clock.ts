/**
 * The hub's clock policy: every event is put on the hub's time line before it is stored or shown.
 *
 * A node's `ts` is its own clock's, and a Raspberry Pi has no battery clock: until NTP answers it
 * may run days behind, a misconfigured one ahead. The hub trusts its own clock:
 *
 * 1. an event is never later than its arrival: a `ts` ahead of it is set to the arrival (counted
 *    as `ahead` when by more than the tolerance; a few milliseconds of clock difference silently);
 * 2. an event older than `maxAgeMs` is refused (`too_old`): no outbox holds a month of events.
 *
 * A `ts` behind is kept: an outbox replayed after an outage delivers events of hours ago, and
 * nothing tells a late event from a slow clock. So no event can move the live day, and the live
 * day follows the hub's clock only; the order of events no longer matters to the hall
 * (core/live.ts), which is what a clock behind could otherwise upset. Each node's offset is
 * measured from its statuses and exported (hub/clocks.ts), for the people who set clocks right.
 * Pure: the arrival time is an argument.
 */

export interface ClockPolicy {
	/** A `ts` ahead of its arrival by up to this is clock noise: set to the arrival, not counted. */
	toleranceMs: number;
	/** Events older than this are refused. */
	maxAgeMs: number;
}

export const DEFAULT_CLOCK_POLICY: ClockPolicy = {
	toleranceMs: 2_000,
	maxAgeMs: 30 * 86_400_000,
};

export type Stamped = { ok: true; ts: number; ahead?: true } | { ok: false; reason: "too_old"; detail: string };

/** An event's time on the hub's time line. */
export function stamp(ts: number, arrival: number, policy: ClockPolicy): Stamped {
	if (ts > arrival)
		return ts - arrival > policy.toleranceMs ? { ok: true, ts: arrival, ahead: true } : { ok: true, ts: arrival };
	if (arrival - ts > policy.maxAgeMs) {
		const days = Math.round((arrival - ts) / 86_400_000);
		return {
			ok: false,
			reason: "too_old",
			detail: `ts ${new Date(ts).toISOString()} is ${days} days before its arrival (the limit is ${Math.round(policy.maxAgeMs / 86_400_000)})`,
		};
	}
	return { ok: true, ts };
}

/**
 * A node's clock offset from its last few statuses: the largest `ts − arrival`. A status held up on
 * the way (behind a backlog, in a slow network) only makes its sample smaller, never larger, so the
 * largest is the least delayed; after the node's clock is set right (NTP steps it) the new samples
 * win at once.
 */
export function offsetOf(samples: readonly number[]): number | undefined {
	if (samples.length === 0) return undefined;
	return Math.max(...samples);
}
