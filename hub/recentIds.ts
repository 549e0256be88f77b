/**
 * Event ids seen lately, in one map: an id in flight maps to what its repeats wait for (the
 * promise of its batch), a done one to null. Done ids are bounded: beyond `capacity` the one done
 * longest ago is forgotten (a ring of ids in the order they were done, so no scan).
 */
export class RecentIds<P> {
	private readonly ids = new Map<string, P | null>();
	private readonly ring: (string | undefined)[];
	private next = 0;

	constructor(capacity: number) {
		this.ring = new Array(Math.max(1, capacity));
	}

	/** undefined: not seen lately; null: done; otherwise in flight. */
	get(id: string): P | null | undefined {
		return this.ids.get(id);
	}

	begin(id: string, inFlight: P): void {
		this.ids.set(id, inFlight);
	}

	done(id: string): void {
		this.ids.set(id, null);
		const oldest = this.ring[this.next];
		if (oldest !== undefined) this.ids.delete(oldest);
		this.ring[this.next] = id;
		this.next = (this.next + 1) % this.ring.length;
	}

	/** In flight no more, and not done (its batch was refused: a repeat is new again). */
	forget(id: string): void {
		this.ids.delete(id);
	}

	/** Ids remembered (in flight and done). */
	get size(): number {
		return this.ids.size;
	}
}
