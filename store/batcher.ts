/**
 * Batches the points of concurrent appends into writes of at most `batchSize`, at most
 * `concurrency` writes in flight (group commit: what arrives during the writes goes into the next
 * one). Order between writes does not matter to InfluxDB: a point's key includes its time. `add` resolves when
 * every one of its points has been written, and rejects as soon as a write holding one of them
 * fails — its points not yet written are then dropped (the caller retries the whole batch, and
 * rewriting the same event is harmless: see points.ts).
 */

interface Ticket {
	left: number;
	done: boolean;
	resolve: () => void;
	reject: (err: Error) => void;
}

/** The not yet written part of one `add`: values[start..]. */
interface Segment<T> {
	values: readonly T[];
	start: number;
	ticket: Ticket;
}

export interface BatcherOptions {
	/** Most points in one write. */
	batchSize: number;
	/** How long a write waits for more points when it has fewer than batchSize (0: next turn of the event loop). */
	flushMs: number;
	/** Writes in flight at once. Default 2: the next batch is sent while the server stores the last. */
	concurrency?: number;
}

export class Batcher<T> {
	private queue: Segment<T>[] = [];
	private queued = 0;
	private writing = 0;
	private timer: NodeJS.Timeout | null = null;
	private idle: (() => void)[] = [];

	constructor(
		private readonly write: (values: T[]) => Promise<void>,
		private readonly opts: BatcherOptions,
	) {}

	add(values: readonly T[]): Promise<void> {
		if (values.length === 0) return Promise.resolve();
		return new Promise<void>((resolve, reject) => {
			const ticket: Ticket = { left: values.length, done: false, resolve, reject };
			this.queue.push({ values, start: 0, ticket });
			this.queued += values.length;
			this.pump();
		});
	}

	/** Resolves when nothing is queued or being written. */
	drained(): Promise<void> {
		if (this.writing === 0 && this.queued === 0) return Promise.resolve();
		if (this.timer) this.fire();
		return new Promise((resolve) => this.idle.push(resolve));
	}

	get pending(): number {
		return this.queued;
	}

	private get full(): boolean {
		return this.writing >= (this.opts.concurrency ?? 2);
	}

	private pump() {
		if (this.full || this.queued === 0) return;
		if (this.queued >= this.opts.batchSize) {
			this.fire();
			return;
		}
		if (this.timer) return;
		this.timer =
			this.opts.flushMs > 0
				? setTimeout(() => this.fire(), this.opts.flushMs)
				: (setImmediate(() => this.fire()) as unknown as NodeJS.Timeout);
	}

	/** Take up to batchSize values off the front of the queue, and how many belong to each ticket. */
	private take(): { values: T[]; parts: { ticket: Ticket; n: number }[] } {
		const values: T[] = [];
		const parts: { ticket: Ticket; n: number }[] = [];
		while (values.length < this.opts.batchSize) {
			const seg = this.queue[0];
			if (!seg) break;
			const end = Math.min(seg.values.length, seg.start + this.opts.batchSize - values.length);
			for (let i = seg.start; i < end; i++) values.push(seg.values[i] as T);
			parts.push({ ticket: seg.ticket, n: end - seg.start });
			this.queued -= end - seg.start;
			seg.start = end;
			if (end === seg.values.length) this.queue.shift();
		}
		return { values, parts };
	}

	private fire() {
		if (this.timer) {
			clearTimeout(this.timer);
			clearImmediate(this.timer as unknown as NodeJS.Immediate);
			this.timer = null;
		}
		if (this.full || this.queued === 0) return;
		this.writing++;
		const { values, parts } = this.take();
		this.write(values).then(
			() => {
				for (const { ticket, n } of parts) {
					ticket.left -= n;
					if (!ticket.done && ticket.left === 0) {
						ticket.done = true;
						ticket.resolve();
					}
				}
				this.next();
			},
			(err: unknown) => {
				const error = err instanceof Error ? err : new Error(String(err));
				for (const { ticket } of parts) {
					if (ticket.done) continue;
					ticket.done = true;
					ticket.reject(error);
				}
				this.queue = this.queue.filter((seg) => {
					if (!seg.ticket.done) return true;
					this.queued -= seg.values.length - seg.start;
					return false;
				});
				this.next();
			},
		);
		this.pump();
	}

	private next() {
		this.writing--;
		if (this.queued > 0) this.fire();
		else if (this.writing === 0) for (const resolve of this.idle.splice(0)) resolve();
	}
}
