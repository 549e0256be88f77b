/**
 * Runs a SQLite file's inserts in a worker thread (sqliteWriter.worker.js), so the event loop
 * decodes and derives the next events while the previous batch is written and synced. A batch
 * resolves once its transaction has committed (the connection's pragmas: synchronous = FULL makes
 * that "on disk"); batches commit in the order they were posted. After a failed batch, every batch
 * already posted behind it is refused unrun (and rejects), so a caller that falls back elsewhere
 * keeps the order. The worker starts with the first write and holds the process open only while
 * writes are outstanding.
 */
import { Worker } from "node:worker_threads";

/** Set on an op that runs only when the independent op before it changed a row. */
export const DEPENDENT = 0x80;

export interface WriterSpec {
	path: string;
	pragmas: readonly string[];
	/** Statements by index (an op's low seven bits). */
	statements: readonly string[];
}

/** Per independent op: rows changed, and the rowid inserted (0 when none). */
export interface WriteResult {
	changes: Uint32Array;
	rowids: Float64Array;
}

interface Reply {
	seq: number;
	fresh?: Uint32Array;
	rowids?: Float64Array;
	error?: { message: string; code?: string };
}

interface Waiter {
	resolve: (result: WriteResult) => void;
	reject: (err: Error) => void;
}

/** A write the worker refused or that failed there; `code` is SQLite's (e.g. SQLITE_BUSY). */
export class SqliteWriteError extends Error {
	constructor(
		message: string,
		readonly code: string | undefined,
	) {
		super(message);
		this.name = "SqliteWriteError";
	}
}

export class SqliteWriter {
	private worker: Worker | null = null;
	private readonly waiting = new Map<number, Waiter>();
	private seq = 0;
	private epoch = 0;
	private exited: Promise<void> | null = null;

	constructor(private readonly spec: WriterSpec) {}

	/** Run `ops` with their flat `values` in one transaction. */
	write(ops: Uint8Array, values: unknown[]): Promise<WriteResult> {
		const worker = this.start();
		const seq = ++this.seq;
		const epoch = this.epoch;
		if (this.waiting.size === 0) worker.ref();
		return new Promise<WriteResult>((resolve, reject) => {
			this.waiting.set(seq, { resolve, reject });
			worker.postMessage({ seq, epoch, ops, values }, [ops.buffer as ArrayBuffer]);
		});
	}

	get outstanding(): number {
		return this.waiting.size;
	}

	private start(): Worker {
		if (this.worker) return this.worker;
		const { path, pragmas, statements } = this.spec;
		// From one folder below the root, so the path holds in the sources and in dist/vikno.mjs.
		const worker = new Worker(new URL("../store/sqliteWriter.worker.js", import.meta.url), {
			workerData: { path, pragmas, statements: statements.map((sql) => ({ sql, arity: arity(sql) })) },
		});
		worker.on("message", (msg: Reply) => this.settle(msg));
		worker.on("error", (err) => this.failAll(err));
		this.exited = new Promise((resolve) =>
			worker.once("exit", () => {
				this.worker = null;
				this.failAll(new Error("the SQLite writer stopped"));
				resolve();
			}),
		);
		this.worker = worker;
		return worker;
	}

	private settle(msg: Reply) {
		const w = this.waiting.get(msg.seq);
		if (!w) return;
		this.waiting.delete(msg.seq);
		if (this.waiting.size === 0) this.worker?.unref();
		if (msg.error) {
			// Writes posted from now on start a new epoch: the worker runs them again.
			this.epoch = this.seq;
			w.reject(new SqliteWriteError(msg.error.message, msg.error.code));
		} else w.resolve({ changes: msg.fresh ?? new Uint32Array(), rowids: msg.rowids ?? new Float64Array() });
	}

	private failAll(err: Error) {
		const waiters = [...this.waiting.values()];
		this.waiting.clear();
		this.epoch = this.seq;
		for (const w of waiters) w.reject(err);
	}

	/** Wait for outstanding writes, then close the connection and stop the worker. */
	async close(): Promise<void> {
		const worker = this.worker;
		if (!worker) return;
		await Promise.allSettled(this.pendingPromises());
		worker.ref();
		worker.postMessage({ close: true });
		await this.exited;
	}

	private pendingPromises(): Promise<void>[] {
		return [...this.waiting.values()].map(
			(w) =>
				new Promise<void>((done) => {
					const { resolve, reject } = w;
					w.resolve = (f) => {
						resolve(f);
						done();
					};
					w.reject = (e) => {
						reject(e);
						done();
					};
				}),
		);
	}
}

/** Positional parameters of a statement (our statements use `?` only, never inside a literal). */
function arity(sql: string): number {
	return sql.split("?").length - 1;
}
