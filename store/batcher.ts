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

interface Item<T> {
	value: T;
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
	private queue: Item<T>[] = [];
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
			for (const value of values) this.queue.push({ value, ticket });
			this.pump();
		});
	}

	/** Resolves when nothing is queued or being written. */
	drained(): Promise<void> {
		if (this.writing === 0 && this.queue.length === 0) return Promise.resolve();
		if (this.timer) this.fire();
		return new Promise((resolve) => this.idle.push(resolve));
	}

	get pending(): number {
		return this.queue.length;
	}

	private get full(): boolean {
		return this.writing >= (this.opts.concurrency ?? 2);
	}

	private pump() {
		if (this.full || this.queue.length === 0) return;
		if (this.queue.length >= this.opts.batchSize) {
			this.fire();
			return;
		}
		if (this.timer) return;
		this.timer =
			this.opts.flushMs > 0
				? setTimeout(() => this.fire(), this.opts.flushMs)
				: (setImmediate(() => this.fire()) as unknown as NodeJS.Timeout);
	}

	private fire() {
		if (this.timer) {
			clearTimeout(this.timer);
			clearImmediate(this.timer as unknown as NodeJS.Immediate);
			this.timer = null;
		}
		if (this.full || this.queue.length === 0) return;
		this.writing++;
		const batch = this.queue.splice(0, this.opts.batchSize);
		this.write(batch.map((i) => i.value)).then(
			() => {
				for (const { ticket } of batch) {
					if (!ticket.done && --ticket.left === 0) {
						ticket.done = true;
						ticket.resolve();
					}
				}
				this.next();
			},
			(err: unknown) => {
				const error = err instanceof Error ? err : new Error(String(err));
				for (const { ticket } of batch) {
					if (ticket.done) continue;
					ticket.done = true;
					ticket.reject(error);
				}
				this.queue = this.queue.filter((i) => !i.ticket.done);
				this.next();
			},
		);
		this.pump();
	}

	private next() {
		this.writing--;
		if (this.queue.length > 0) this.fire();
		else if (this.writing === 0) for (const resolve of this.idle.splice(0)) resolve();
	}
}
