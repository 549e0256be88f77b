/**
 * Software debounce, the same for every driver. Leading edge with a quiet window: the first
 * change of level is taken at once (a press must feel instant), changes during the next `ms`
 * are bounce and ignored, and at the end of the window the level is read again so a real
 * release (or press) that happened inside it is not lost.
 */
export class Debouncer {
	private accepted = false;
	private raw = false;
	private timer: ReturnType<typeof setTimeout> | undefined;

	constructor(
		private readonly ms: number,
		private readonly onChange: (active: boolean) => void,
	) {}

	feed(active: boolean): void {
		this.raw = active;
		if (this.timer !== undefined || active === this.accepted) return;
		this.accept(active);
	}

	private accept(active: boolean): void {
		this.accepted = active;
		if (this.ms > 0) {
			this.timer = setTimeout(() => {
				this.timer = undefined;
				if (this.raw !== this.accepted) this.accept(this.raw);
			}, this.ms);
		}
		this.onChange(active);
	}

	dispose(): void {
		if (this.timer !== undefined) clearTimeout(this.timer);
		this.timer = undefined;
	}
}
