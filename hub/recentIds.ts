/** A bounded set of recently seen event ids (insertion order; the oldest leave first). */
export class RecentIds {
	private readonly ids = new Set<string>();
	constructor(private readonly capacity: number) {}

	has(id: string): boolean {
		return this.ids.has(id);
	}

	add(id: string): void {
		// Adding an id already here changes nothing (not even its place in the order).
		this.ids.add(id);
		if (this.ids.size > this.capacity) {
			const oldest = this.ids.values().next().value;
			if (oldest !== undefined) this.ids.delete(oldest);
		}
	}

	get size(): number {
		return this.ids.size;
	}
}
