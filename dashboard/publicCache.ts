/**
 * The public answers' cache: each is computed at most once per `ttlMs` (default one second) per
 * key, whatever the number of readers — the requests that arrive while it is being computed wait
 * for that one computation (single flight) — and is kept as its JSON text with a weak ETag, so a
 * reader gets the same bytes without another serialization and a reader that has them gets a 304.
 * Time is the hub's clock (`now`), as everywhere in dashboard/.
 */
import { createHash } from "node:crypto";

export interface Cached<T> {
	body: T;
	/** `body` as JSON. */
	json: string;
	/** A weak validator of what the body says, `at` left out (a recomputation that changed nothing keeps it). */
	etag: string;
	at: number;
}

export class PublicCache<T extends { at: number }> {
	private readonly done = new Map<string, Cached<T>>();
	private readonly flying = new Map<string, Promise<Cached<T> | undefined>>();

	constructor(
		private readonly compute: (key: string) => Promise<T | undefined> | T | undefined,
		private readonly opts: { now: () => number; ttlMs?: number; onCompute?: (key: string) => void; maxKeys?: number },
	) {}

	get(key: string): Promise<Cached<T> | undefined> {
		const hit = this.done.get(key);
		if (hit && this.opts.now() - hit.at < (this.opts.ttlMs ?? 1_000)) return Promise.resolve(hit);
		let p = this.flying.get(key);
		if (!p) {
			p = this.run(key);
			this.flying.set(key, p);
		}
		return p;
	}

	private async run(key: string): Promise<Cached<T> | undefined> {
		try {
			this.opts.onCompute?.(key);
			const body = await this.compute(key);
			if (!body) {
				this.done.delete(key);
				return undefined;
			}
			const entry = { body, json: JSON.stringify(body), etag: etagOf(body), at: body.at };
			if (this.done.size >= (this.opts.maxKeys ?? 10_000)) this.done.clear();
			this.done.set(key, entry);
			return entry;
		} finally {
			this.flying.delete(key);
		}
	}
}

export function etagOf(body: { at: number }): string {
	const hash = createHash("sha1")
		.update(JSON.stringify({ ...body, at: 0 }))
		.digest("base64url")
		.slice(0, 20);
	return `W/"${hash}"`;
}

/** Does an If-None-Match header name this ETag (weak comparison, RFC 9110 §13.1.2)? */
export function matches(ifNoneMatch: string | undefined, etag: string): boolean {
	if (!ifNoneMatch) return false;
	const bare = (t: string) => t.trim().replace(/^W\//, "");
	const want = bare(etag);
	return ifNoneMatch.split(",").some((t) => t.trim() === "*" || bare(t) === want);
}
