/**
 * Rating lockout (DESIGN.md): after a counted rating, presses within `lockoutMs` are sent as
 * extra presses (`extra: true`) and not counted as ratings — one visitor, one rating.
 * The window is measured from the counted rating; extra presses do not extend it.
 */
export interface LockoutState {
	lastRatingAt: number | null;
}

export type PressClass = "rating" | "extra";

export function classifyPress(state: LockoutState, now: number, lockoutMs: number): PressClass {
	if (state.lastRatingAt !== null && now - state.lastRatingAt < lockoutMs && now >= state.lastRatingAt) return "extra";
	return "rating";
}

export function afterPress(state: LockoutState, cls: PressClass, now: number): LockoutState {
	return cls === "rating" ? { lastRatingAt: now } : state;
}
