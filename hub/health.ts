/**
 * The hub's health, gathered: ingest, the durable writer and the forwarder report what happened
 * (`HealthWatch`); at each look (`/healthz`, a scrape of `/metrics`, the alert timer) the free
 * space of the data dir, whether its file system has gone read-only, and the spool's oldest
 * event are read, and core/health.ts gives the verdict. The metrics of it are set here too: free
 * bytes, the spool's oldest age, one 0/1 gauge per reason.
 */
import { closeSync, constants, openSync, statfsSync } from "node:fs";
import { join } from "node:path";
import { Gauge } from "prom-client";
import {
	assessHealth,
	HEALTH_BOUNDS,
	HEALTH_REASON_NAMES,
	type HealthBounds,
	type HealthFacts,
	type HealthReport,
} from "../core/health.ts";
import type { Spool } from "../store/spool.ts";
import type { Metrics } from "./metrics.ts";

/** What the parts of ingest tell the health watch as it happens. */
export interface HealthWatch {
	/** A write to the store failed (the events went to the spool). */
	storeFailed(err: unknown): void;
	/** A write to the store succeeded (from ingest or the forwarder). */
	storeWrote(): void;
	/** Neither the store nor the spool could take a batch: it was not acknowledged. */
	refused(err: unknown): void;
	/** A batch was made durable (in the store or the spool). */
	madeDurable(): void;
	/** An event arrived this many ms after its edge time. */
	arrived(lagMs: number): void;
}

/** A watch that notes nothing (tests of parts alone). */
export const NO_WATCH: HealthWatch = {
	storeFailed() {},
	storeWrote() {},
	refused() {},
	madeDurable() {},
	arrived() {},
};

/** The empty file in the data dir opened for writing at each look, to see whether it can be written. */
const WRITE_PROBE = ".write-probe";

/** Lag is kept as the least lag per 10 s slot over the last minute. */
const SLOT_MS = 10_000;
const LAG_WINDOW_MS = 60_000;

export interface HubHealthOptions {
	dataDir: string;
	spool: Spool;
	metrics: Metrics;
	now: () => number;
	bounds?: Partial<HealthBounds>;
}

const message = (err: unknown) => {
	const e = err as { code?: unknown; message?: unknown };
	const text = typeof e?.message === "string" ? e.message : String(err);
	return typeof e?.code === "string" && !text.includes(e.code) ? `${e.code}: ${text}` : text;
};

export class HubHealth implements HealthWatch {
	readonly bounds: HealthBounds;
	private refusedState: HealthFacts["refused"];
	private storeState: HealthFacts["storeFailing"];
	/** Least lag per slot start, for the slots of the last minute. */
	private readonly lagSlots = new Map<number, number>();
	private lagHighSince: number | undefined;
	private readOnlySince: number | undefined;
	private readonly degraded: Gauge<"reason">;

	constructor(private readonly opts: HubHealthOptions) {
		this.bounds = { ...HEALTH_BOUNDS, ...opts.bounds };
		const { registry } = opts.metrics;
		const self = this;
		new Gauge({
			name: "vikno_data_free_bytes",
			help: "Free bytes (for an unprivileged user) on the file system of the hub's data dir",
			registers: [registry],
			collect() {
				const free = self.freeBytes();
				if (free !== undefined) this.set(free);
			},
		});
		new Gauge({
			name: "vikno_spool_oldest_age_seconds",
			help: "How long the oldest event waiting in the spool has waited (0 when none waits)",
			registers: [registry],
			collect() {
				const oldest = opts.spool.depth > 0 ? opts.spool.oldestRxTs() : undefined;
				this.set(oldest === undefined ? 0 : Math.max(0, opts.now() - oldest) / 1000);
			},
		});
		this.degraded = new Gauge({
			name: "vikno_health_degraded",
			help: "1 while /healthz gives this reason for being degraded, else 0 (docs/errors.md, Health)",
			labelNames: ["reason"] as const,
			registers: [registry],
			collect() {
				self.report();
			},
		});
		for (const reason of HEALTH_REASON_NAMES) this.degraded.set({ reason }, 0);
	}

	storeFailed(err: unknown): void {
		this.storeState ??= { since: this.opts.now(), error: message(err) };
		this.storeState.error = message(err);
	}

	storeWrote(): void {
		this.storeState = undefined;
	}

	refused(err: unknown): void {
		this.refusedState ??= { since: this.opts.now(), error: message(err) };
		this.refusedState.error = message(err);
	}

	madeDurable(): void {
		this.refusedState = undefined;
	}

	arrived(lagMs: number): void {
		const slot = Math.floor(this.opts.now() / SLOT_MS) * SLOT_MS;
		const least = this.lagSlots.get(slot);
		if (least === undefined || lagMs < least) this.lagSlots.set(slot, Math.max(0, lagMs));
	}

	/** Free bytes on the data dir's file system, or undefined if it cannot be read. */
	freeBytes(): number | undefined {
		try {
			const s = statfsSync(this.opts.dataDir);
			return s.bavail * s.bsize;
		} catch {
			return undefined;
		}
	}

	/**
	 * Whether the data dir's file system refuses writes: mounted read-only, or turned read-only by
	 * the kernel after a disk error (`errors=remount-ro`), which SQLite reports only as
	 * SQLITE_READONLY or SQLITE_IOERR. access(2) and statfs do not see the second on a recent
	 * kernel (ext4's `emergency_ro` leaves the mount `rw`), but opening a file for writing is
	 * refused with EROFS in both cases: so the probe opens `DATA/.write-probe` (empty, made on the
	 * first look) for writing and closes it, writing nothing. Any other answer (the dir gone, no
	 * permission) is not this reason. Never a database file: closing another descriptor of one
	 * would drop SQLite's locks on it.
	 */
	readOnly(): boolean {
		try {
			closeSync(openSync(join(this.opts.dataDir, WRITE_PROBE), constants.O_WRONLY | constants.O_CREAT, 0o600));
			return false;
		} catch (e) {
			return (e as NodeJS.ErrnoException).code === "EROFS";
		}
	}

	/** The least lag of the last minute's events, or undefined when none arrived. */
	private lagFloor(now: number): number | undefined {
		let floor: number | undefined;
		for (const [slot, least] of this.lagSlots) {
			if (slot + SLOT_MS <= now - LAG_WINDOW_MS) this.lagSlots.delete(slot);
			else if (floor === undefined || least < floor) floor = least;
		}
		return floor;
	}

	facts(now: number): HealthFacts {
		const { spool } = this.opts;
		const floor = this.lagFloor(now);
		if (floor !== undefined && floor >= this.bounds.maxLagMs) this.lagHighSince ??= now;
		else this.lagHighSince = undefined;
		const oldestRxTs = spool.depth > 0 ? spool.oldestRxTs() : undefined;
		if (this.readOnly()) this.readOnlySince ??= now;
		else this.readOnlySince = undefined;
		const free = this.freeBytes();
		const dead = spool.deadLetterSummary.last?.at;
		return {
			...(this.refusedState ? { refused: { ...this.refusedState } } : {}),
			...(this.storeState ? { storeFailing: { ...this.storeState } } : {}),
			...(this.readOnlySince !== undefined ? { readOnly: { since: this.readOnlySince, dir: this.opts.dataDir } } : {}),
			...(free !== undefined ? { freeBytes: free } : {}),
			spool: { depth: spool.depth, ...(oldestRxTs !== undefined ? { oldestRxTs } : {}) },
			...(floor !== undefined
				? { lag: { floorMs: floor, ...(this.lagHighSince !== undefined ? { highSince: this.lagHighSince } : {}) } }
				: {}),
			...(dead !== undefined ? { deadLetterAt: dead } : {}),
		};
	}

	/** The verdict now; also sets `vikno_health_degraded`. */
	report(): HealthReport & { freeBytes?: number; spoolOldestAgeS?: number } {
		const now = this.opts.now();
		const facts = this.facts(now);
		const report = assessHealth(facts, this.bounds, now);
		const on = new Set(report.reasons.map((r) => r.reason));
		for (const reason of HEALTH_REASON_NAMES) this.degraded.set({ reason }, on.has(reason) ? 1 : 0);
		const oldest = facts.spool?.oldestRxTs;
		return {
			...report,
			...(facts.freeBytes !== undefined ? { freeBytes: facts.freeBytes } : {}),
			...(oldest !== undefined ? { spoolOldestAgeS: Math.round((now - oldest) / 100) / 10 } : {}),
		};
	}
}
