/**
 * Connection admission as a pure policy (time is an argument): at most `maxConnections` open,
 * at most `maxPerAddress` from one address, and at most `attemptsPerSecond` new connections
 * per address (a token bucket holding `attemptsBurst`). Addresses in `exempt` (by default the
 * loopback ones: local tools and a TLS/WebSocket proxy on the same machine) skip the
 * per-address rules but not the total.
 */
import type { ConnectRefusal } from "./reasons.ts";

export interface ConnectionLimits {
	maxConnections: number;
	maxPerAddress: number;
	attemptsPerSecond: number;
	attemptsBurst: number;
	exempt: readonly string[];
}

export const LOOPBACK = ["127.0.0.1", "::1", "::ffff:127.0.0.1"] as const;

/** Whether binding to `host` keeps a server off the network (anonymous clients are allowed only then). */
export function isLoopbackHost(host: string): boolean {
	return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host) || host === "::ffff:127.0.0.1";
}

interface Entry {
	open: number;
	tokens: number;
	at: number;
}

/** Entries kept for idle addresses before the oldest are dropped. */
const MAX_TRACKED = 100_000;

export class ConnectionLimiter {
	private total = 0;
	private readonly byAddress = new Map<string, Entry>();
	private readonly exempt: ReadonlySet<string>;

	constructor(private readonly limits: ConnectionLimits) {
		this.exempt = new Set(limits.exempt);
	}

	get open(): number {
		return this.total;
	}

	/** A new socket from `address`: admitted (call `release` when it closes) or refused with a reason. */
	admit(
		address: string,
		now: number,
	): { ok: true } | { ok: false; reason: Extract<ConnectRefusal, `too_many_${string}` | "rate_limited"> } {
		if (this.total >= this.limits.maxConnections) return { ok: false, reason: "too_many_connections" };
		if (!this.exempt.has(address)) {
			const e = this.entry(address, now);
			e.tokens = Math.min(this.limits.attemptsBurst, e.tokens + ((now - e.at) / 1000) * this.limits.attemptsPerSecond);
			e.at = now;
			if (e.tokens < 1) return { ok: false, reason: "rate_limited" };
			e.tokens -= 1;
			if (e.open >= this.limits.maxPerAddress) return { ok: false, reason: "too_many_from_address" };
			e.open++;
		}
		this.total++;
		return { ok: true };
	}

	release(address: string): void {
		this.total = Math.max(0, this.total - 1);
		const e = this.byAddress.get(address);
		if (e) e.open = Math.max(0, e.open - 1);
	}

	private entry(address: string, now: number): Entry {
		let e = this.byAddress.get(address);
		if (!e) {
			if (this.byAddress.size >= MAX_TRACKED) this.prune(now);
			e = { open: 0, tokens: this.limits.attemptsBurst, at: now };
			this.byAddress.set(address, e);
		}
		return e;
	}

	/** Forget addresses with nothing open whose bucket has refilled (they would start full anyway). */
	private prune(now: number): void {
		const full = (this.limits.attemptsBurst / this.limits.attemptsPerSecond) * 1000;
		for (const [address, e] of this.byAddress) if (e.open === 0 && now - e.at >= full) this.byAddress.delete(address);
		if (this.byAddress.size < MAX_TRACKED) return;
		for (const [address, e] of this.byAddress) {
			if (e.open === 0) this.byAddress.delete(address);
			if (this.byAddress.size < MAX_TRACKED / 2) break;
		}
	}
}
