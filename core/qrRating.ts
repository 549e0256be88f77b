/**
 * Rating by QR code: the policy that keeps it no stronger than the window's buttons (the seeds'
 * "rating by QR code" beside the ЕСОЯ buttons). Pure: state and time are arguments; the hub's
 * adapter (hub/qrRatings.ts) keeps the state and hands accepted ratings to ingest.
 *
 *   admit(bucket, now, rate) → { ok, bucket } | { ok: false, retryAfterMs }   a limit that refuses
 *   judge(facts, now, settings) → "count" | "extra"
 *
 * A QR rating is judged as the window's own buttons are (edge/lockout.ts and core/ratingBurst.ts):
 * - within the lockout (10 s) after the window's last counted rating — by button or by QR — it is
 *   an extra press, stored and counted apart, not a rating;
 * - for a visit that was already rated (the ticket it is attributed to has a counted rating, e.g.
 *   the visitor pressed a button and then scanned the code) it is extra too: one visit, one rating;
 * - more than the buttons could give at one window (`perWindow`, six a minute as the hub's burst
 *   bound) is refused outright, and so is more than a few from one address (`perAddress`): a flood
 *   never reaches the store.
 */
import type { Rate } from "./tokenBucket.ts";

export interface QrRatingSettings {
	/** As the edge's `lockoutS` default: presses within this after a counted rating are extra. */
	lockoutMs: number;
	/** QR ratings taken at one window (refused beyond). */
	perWindow: Rate;
	/** QR ratings taken from one network address (refused beyond). */
	perAddress: Rate;
}

export const QR_RATING: QrRatingSettings = {
	lockoutMs: 10_000,
	perWindow: { perSecond: 6 / 60, burst: 6 },
	perAddress: { perSecond: 5 / 3600, burst: 5 },
};

export interface LimitBucket {
	tokens: number;
	at: number;
}

/**
 * Take one token if there is one. Unlike core/tokenBucket.ts `take` (which delays a device and
 * never drops), a refusal takes nothing and says when a token will be there.
 */
export function admit(
	bucket: LimitBucket | undefined,
	now: number,
	rate: Rate,
): { ok: true; bucket: LimitBucket } | { ok: false; bucket: LimitBucket; retryAfterMs: number } {
	const b = bucket ?? { tokens: rate.burst, at: now };
	const at = Math.max(now, b.at);
	const tokens = Math.min(rate.burst, b.tokens + ((at - b.at) * rate.perSecond) / 1000);
	if (tokens >= 1) return { ok: true, bucket: { tokens: tokens - 1, at } };
	return { ok: false, bucket: { tokens, at }, retryAfterMs: Math.ceil(((1 - tokens) * 1000) / rate.perSecond) };
}

export interface RatingFacts {
	/** Edge time of the window's last counted rating (button or QR), if any. */
	lastCountedAt: number | undefined;
	/** The ticket the rating is attributed to (core/derive.ts), if any. */
	ticket: string | undefined;
	/** Tickets of the day with a counted rating. */
	rated: ReadonlySet<string>;
}

export function judge(
	facts: RatingFacts,
	now: number,
	settings: Pick<QrRatingSettings, "lockoutMs">,
): "count" | "extra" {
	const last = facts.lastCountedAt;
	if (last !== undefined && now >= last && now - last < settings.lockoutMs) return "extra";
	if (facts.ticket !== undefined && facts.rated.has(facts.ticket)) return "extra";
	return "count";
}

/** A QR rating handed to the hub: at a window (its printed code), or from a ticket's own link. */
export type QrRatingRequest = { centre: string; score: number } & (
	| { window: string; ticket?: undefined }
	| { window?: undefined; ticket: { number: string /** The link's token (`?k=`). */; key: string } }
);

/** Why a QR rating was not taken (each an HTTP error code of the public API, docs/errors.md). */
export type QrRefusal = "unknown_window" | "unknown_ticket" | "not_served_yet" | "already_rated" | "rate_limited";

export type QrRatingResult =
	| {
			ok: true;
			/** The rating event's id. */
			id: string;
			/** False when it was judged an extra press (lockout, or a visit already rated). */
			counted: boolean;
			window: string;
			service?: string;
			ticket?: string;
	  }
	| { ok: false; refusal: QrRefusal; message: string; retryAfterMs?: number };
