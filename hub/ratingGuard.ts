/**
 * The hub's guard on rating bursts (core/ratingBurst.ts): per window — the publishing node's
 * configured window, never a payload field — the edge times of the ratings counted lately. A
 * rating past the bound is marked `extra: true` on the event itself, so the stored copy, the live
 * view, a restart's rebuild and the reports all count it as an extra press. Kept in memory: after
 * a restart it is seeded from the store's last ratings (`seed`).
 */
import type { CentreIndex } from "../core/centre.ts";
import type { WireEvent } from "../core/contract.ts";
import { type BurstBound, forget, isBurst, RATING_BURST, remember } from "../core/ratingBurst.ts";

/** What the guard did with a rating: counted it (it may be taken back), or marked it extra. */
export type BurstMark = { counted: string; ts: number } | "burst" | undefined;

export class RatingGuard {
	private readonly counted = new Map<string, number[]>();

	constructor(
		private readonly centres: ReadonlyMap<string, CentreIndex>,
		private readonly bound: BurstBound = RATING_BURST,
	) {}

	/** Judge a rating (others pass untouched); one past the bound is marked extra on `e.data`. */
	mark(e: WireEvent): BurstMark {
		if (e.kind !== "rating" || e.data.extra === true) return undefined;
		const window = this.centres.get(e.centre)?.nodes.get(e.node)?.window;
		if (!window) return undefined;
		const key = `${e.centre}/${window}`;
		const counted = this.counted.get(key) ?? [];
		if (isBurst(counted, e.data.ts, this.bound)) {
			e.data.extra = true;
			return "burst";
		}
		this.counted.set(key, remember(counted, e.data.ts, this.bound));
		return { counted: key, ts: e.data.ts };
	}

	/** Ratings already stored (oldest first), as a restarted hub reads them: the counted ones count. */
	seed(events: Iterable<{ kind: string; centre: string; node: string; ts: number; data: { extra?: unknown } }>): void {
		for (const e of events) {
			if (e.kind !== "rating" || e.data.extra === true) continue;
			const window = this.centres.get(e.centre)?.nodes.get(e.node)?.window;
			if (!window) continue;
			const key = `${e.centre}/${window}`;
			this.counted.set(key, remember(this.counted.get(key) ?? [], e.ts, this.bound));
		}
	}

	/** How far back `seed` needs the ratings. */
	get seedMs(): number {
		return 2 * this.bound.withinMs;
	}

	/** A counted rating was not accepted after all (refused, reused id): it no longer counts. */
	undo(mark: BurstMark): void {
		if (!mark || mark === "burst") return;
		const counted = this.counted.get(mark.counted);
		if (counted) this.counted.set(mark.counted, forget(counted, mark.ts));
	}
}
