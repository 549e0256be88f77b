/**
 * A failed store write, with whether trying again can help: a network error, a timeout, a 5xx or
 * a 429 can pass; a 4xx (bad credentials, unknown bucket, a field type conflict) will fail the
 * same way until someone changes the configuration or the data.
 */
export class StoreWriteError extends Error {
	readonly retryable: boolean;
	readonly status: number | undefined;

	constructor(backend: string, cause: unknown, status?: number) {
		const detail = cause instanceof Error ? cause.message : String(cause);
		super(`${backend} write failed${status ? ` (HTTP ${status})` : ""}: ${detail}`, { cause });
		this.name = "StoreWriteError";
		this.status = status;
		this.retryable = status === undefined || status >= 500 || status === 429;
	}
}

/**
 * One event's row is refused for good, whatever is tried: its data is the problem, not the
 * backend — a value that cannot be serialised, a row a constraint refuses. The caller sets that
 * event aside (a dead letter) and goes on with the others.
 */
export class RowError extends Error {
	constructor(
		message: string,
		readonly id?: string,
	) {
		super(message);
		this.name = "RowError";
	}
}

/** SQLite's result codes that say "this row", not "this database" (https://sqlite.org/rescode.html). */
const SQLITE_ROW_CODES = /^SQLITE_(CONSTRAINT|TOOBIG|MISMATCH)/;

/**
 * Is a failed write one event's fault (narrow it down and set that one aside) rather than the
 * backend's (keep everything and try again later)? A row error, a store's HTTP 400/422 (e.g. an
 * InfluxDB field type conflict), or a SQLite constraint, "too big" or type mismatch. A locked,
 * full, read-only or missing database is the backend's: never a reason to give up on an event.
 */
export function isRowError(err: unknown): boolean {
	if (err instanceof RowError) return true;
	if (err instanceof StoreWriteError) return err.status === 400 || err.status === 422;
	const code = (err as { code?: unknown } | null)?.code;
	return typeof code === "string" && SQLITE_ROW_CODES.test(code);
}

/** `JSON.stringify`, or a RowError naming the event when its value cannot be (nested too deep, a BigInt). */
export function serialise(value: unknown, id: string): string {
	try {
		return JSON.stringify(value);
	} catch (err) {
		throw new RowError(`event ${id} cannot be serialised: ${(err as Error).message}`, id);
	}
}
