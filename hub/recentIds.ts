/**
 * Event ids seen lately, in one map: an id in flight maps to what its repeats wait for (the
 * promise of its batch), a done one to null — each with a short fingerprint of the message that
 * brought it (`fingerprint`), so a repeat (the same bytes from the same node) is told from an id
 * reused for another event. Done ids are bounded: beyond `capacity` the one done longest ago is
 * forgotten (a ring of ids in the order they were done, so no scan).
 */
export interface Seen<P> {
	/** What a repeat waits for while the first is in flight; null once it is done. */
	inFlight: P | null;
	fp: number;
}

export class RecentIds<P> {
	private readonly ids = new Map<string, Seen<P>>();
	private readonly ring: (string | undefined)[];
	private next = 0;

	constructor(capacity: number) {
		this.ring = new Array(Math.max(1, capacity));
	}

	/** undefined: not seen lately. */
	get(id: string): Seen<P> | undefined {
		return this.ids.get(id);
	}

	begin(id: string, inFlight: P, fp = 0): void {
		this.ids.set(id, { inFlight, fp });
	}

	done(id: string): void {
		const seen = this.ids.get(id);
		if (seen) seen.inFlight = null;
		else this.ids.set(id, { inFlight: null, fp: 0 });
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

/**
 * FNV-1a, 32 bit, over the topic (node and kind are in it) and the payload's bytes as received: the
 * same for a byte-identical resend, different (but for one pair in 2^32) for anything else.
 */
export function fingerprint(topic: string, payload: Uint8Array): number {
	let h = 0x811c9dc5;
	for (let i = 0; i < topic.length; i++) {
		h ^= topic.charCodeAt(i);
		h = Math.imul(h, 0x01000193);
	}
	h ^= 0;
	h = Math.imul(h, 0x01000193);
	for (let i = 0; i < payload.length; i++) {
		h ^= payload[i] as number;
		h = Math.imul(h, 0x01000193);
	}
	return h >>> 0;
}
