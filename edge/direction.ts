/**
 * Direction of a passage through a doorway from two beams (or PIRs): outer then inner is
 * "in", inner then outer is "out". Pure: feed it the moments a beam becomes broken.
 */
export type Beam = "outer" | "inner";
export type Passage = "in" | "out";

export interface DirectionState {
	first: { beam: Beam; at: number } | null;
}

export const IDLE: DirectionState = { first: null };

export function onBeamBroken(
	state: DirectionState,
	beam: Beam,
	at: number,
	pairWindowMs: number,
): { state: DirectionState; passage: Passage | null } {
	const f = state.first;
	if (f && f.beam !== beam && at - f.at <= pairWindowMs) {
		return { state: IDLE, passage: f.beam === "outer" ? "in" : "out" };
	}
	// The same beam again, or the other one too late: this break starts a new passage.
	return { state: { first: { beam, at } }, passage: null };
}
