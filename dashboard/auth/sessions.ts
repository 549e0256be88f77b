/**
 * Where @fastify/session keeps sessions: in the hub's memory (a restart signs everyone out), with
 * both expiries on the hub's clock — idle (no request and no open stream for `idleMs`) and
 * absolute (`maxMs` after sign-in, whatever happens). An expired session is gone: the next
 * request with its cookie has no session. Ending a session (sign-out, expiry, eviction) tells
 * whoever listens for it, so a live stream opened with it closes at once.
 */
import type { Session } from "fastify";

export interface SessionTimes {
	/** A session nobody used for this long ends (default 30 min). */
	idleMs: number;
	/** A session ends this long after it began, used or not (default 12 h: a working day). */
	maxMs: number;
}

export const SESSION_TIMES: SessionTimes = { idleMs: 30 * 60_000, maxMs: 12 * 3_600_000 };

/** Most sessions kept at once; beyond that the least recently used end first. */
const MAX_SESSIONS = 10_000;

interface Entry {
	/** The session's data (a copy: what the store holds is not the request's object). */
	data: Session;
	created: number;
	touched: number;
}

export class SessionStore {
	private readonly entries = new Map<string, Entry>();
	private readonly listeners = new Map<string, Set<() => void>>();

	constructor(
		readonly times: SessionTimes,
		private readonly now: () => number,
		private readonly maxSessions = MAX_SESSIONS,
	) {}

	// ── The interface @fastify/session calls ───────────────────────────────────────────────────

	set(id: string, session: Session, done: (err?: unknown) => void): void {
		const now = this.now();
		const entry = this.live(id, now);
		this.entries.delete(id);
		// Sessions are plain data (the user's name, a stamp, the CSRF secret, the cookie's options).
		this.entries.set(id, {
			data: JSON.parse(JSON.stringify(session)) as Session,
			created: entry?.created ?? now,
			touched: now,
		});
		if (this.entries.size > this.maxSessions) this.evict();
		done();
	}

	get(id: string, done: (err: unknown, session?: Session | null) => void): void {
		done(null, this.live(id, this.now())?.data ?? null);
	}

	destroy(id: string, done: (err?: unknown) => void): void {
		this.end(id);
		done();
	}

	// ── For the guard and the live stream ──────────────────────────────────────────────────────

	/** Whether the session is still alive; if so it counts as used now (an open stream keeps it). */
	touch(id: string): boolean {
		const now = this.now();
		const entry = this.live(id, now);
		if (!entry) return false;
		entry.touched = now;
		this.entries.delete(id);
		this.entries.set(id, entry);
		return true;
	}

	/** When the session ends if nobody uses it, and when it ends at the latest. */
	expiry(id: string): { idleAt: number; at: number } | undefined {
		const entry = this.live(id, this.now());
		return entry && { idleAt: entry.touched + this.times.idleMs, at: entry.created + this.times.maxMs };
	}

	/** Hear when this session ends; returns the function that stops listening. */
	onEnd(id: string, listener: () => void): () => void {
		const set = this.listeners.get(id) ?? new Set();
		set.add(listener);
		this.listeners.set(id, set);
		return () => {
			set.delete(listener);
			if (set.size === 0 && this.listeners.get(id) === set) this.listeners.delete(id);
		};
	}

	/** End every expired session (a timer calls it, so streams of idle sessions end on time). */
	sweep(): void {
		const now = this.now();
		for (const id of [...this.entries.keys()]) this.live(id, now);
	}

	/** Sessions alive now, signed in or only holding a sign-in form's CSRF secret. */
	count(signedIn: (data: Session) => boolean): { signedIn: number; anonymous: number } {
		let n = 0;
		for (const e of this.entries.values()) if (signedIn(e.data)) n++;
		return { signedIn: n, anonymous: this.entries.size - n };
	}

	end(id: string): void {
		this.entries.delete(id);
		const set = this.listeners.get(id);
		this.listeners.delete(id);
		for (const listener of set ?? []) listener();
	}

	private live(id: string, now: number): Entry | undefined {
		const entry = this.entries.get(id);
		if (!entry) return undefined;
		if (now - entry.touched >= this.times.idleMs || now - entry.created >= this.times.maxMs) {
			this.end(id);
			return undefined;
		}
		return entry;
	}

	private evict() {
		this.sweep();
		// Map order is the order of the latest save: the first ones are the least recently used.
		for (const id of this.entries.keys()) {
			if (this.entries.size <= this.maxSessions) break;
			this.end(id);
		}
	}
}
