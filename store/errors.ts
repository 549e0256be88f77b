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
