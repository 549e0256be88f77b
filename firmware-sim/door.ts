/**
 * A door sensor's counter: it adds up passages in and out and reports the increments on a fixed
 * grid of `everyMs`, once per grid step in which anybody passed (wire contract: occupancy `in`/`out`).
 */
export class DoorCounter {
	readonly node: string;
	readonly zone: string;
	#everyMs: number;
	#in = 0;
	#out = 0;
	#pending = false;

	constructor(node: string, zone: string, everyMs: number) {
		this.node = node;
		this.zone = zone;
		this.#everyMs = everyMs;
	}

	/** Counts one passage; returns when to report, if no report is pending yet. */
	pass(way: "in" | "out", atMs: number): number | undefined {
		if (way === "in") this.#in++;
		else this.#out++;
		if (this.#pending) return undefined;
		this.#pending = true;
		return atMs - (atMs % this.#everyMs) + this.#everyMs;
	}

	/** The increments since the last report; starts counting afresh. */
	report(): { zone: string; in: number; out: number } {
		const r = { zone: this.zone, in: this.#in, out: this.#out };
		this.#in = 0;
		this.#out = 0;
		this.#pending = false;
		return r;
	}
}
