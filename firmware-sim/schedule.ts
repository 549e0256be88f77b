/**
 * The future of a discrete-event simulation: entries ordered by time, and by insertion order
 * among equal times so that a run is deterministic. A binary min-heap.
 */
interface Entry<T> {
	at: number;
	seq: number;
	item: T;
}

export class Schedule<T> {
	#heap: Entry<T>[] = [];
	#seq = 0;

	get size(): number {
		return this.#heap.length;
	}

	add(at: number, item: T): void {
		const heap = this.#heap;
		heap.push({ at, seq: this.#seq++, item });
		let i = heap.length - 1;
		while (i > 0) {
			const parent = (i - 1) >> 1;
			if (!before(heap[i] as Entry<T>, heap[parent] as Entry<T>)) break;
			swap(heap, i, parent);
			i = parent;
		}
	}

	/** Time of the earliest entry, or Infinity when empty. */
	peekAt(): number {
		return this.#heap[0]?.at ?? Number.POSITIVE_INFINITY;
	}

	/** Removes and returns the earliest entry. */
	pop(): { at: number; item: T } | undefined {
		const heap = this.#heap;
		const top = heap[0];
		if (!top) return undefined;
		const last = heap.pop() as Entry<T>;
		if (heap.length > 0) {
			heap[0] = last;
			let i = 0;
			for (;;) {
				const l = 2 * i + 1;
				const r = l + 1;
				let m = i;
				if (l < heap.length && before(heap[l] as Entry<T>, heap[m] as Entry<T>)) m = l;
				if (r < heap.length && before(heap[r] as Entry<T>, heap[m] as Entry<T>)) m = r;
				if (m === i) break;
				swap(heap, i, m);
				i = m;
			}
		}
		return { at: top.at, item: top.item };
	}
}

function before<T>(a: Entry<T>, b: Entry<T>): boolean {
	return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

function swap<T>(heap: Entry<T>[], i: number, j: number): void {
	const t = heap[i] as Entry<T>;
	heap[i] = heap[j] as Entry<T>;
	heap[j] = t;
}
