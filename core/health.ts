/**
 * Whether the hub is healthy, and if not why: a pure verdict over facts the hub gathers (what the
 * store and the spool last did, whether the data dir can be written at all, free disk space, the
 * spool's oldest event, how late events arrive, the latest dead letter), with time as an argument.
 * `/healthz` answers it, `/metrics` exposes each reason as `vikno_health_degraded{reason}`, and
 * the alert rule `hubHealth` raises it to the centres' managers (core/alerts.ts). The reasons are
 * a registry documented in docs/errors.md ("Health"), checked by test/unit/errors-doc.test.ts.
 */
import Type, { type Static } from "typebox";
import { EpochMs } from "./schemaParts.ts";

export const HEALTH_REASONS = {
	not_durable: {
		severity: "critical",
		what: {
			uk: "хаб не може зберегти події ні в сховище, ні в буфер: пристрої чекають підтвердження",
			en: "the hub cannot make events durable in the store or the spool: devices keep them unacknowledged",
		},
	},
	store_failing: {
		severity: "critical",
		what: {
			uk: "сховище не приймає записи; події чекають у буфері (spool)",
			en: "the store refuses writes; events wait in the spool",
		},
	},
	read_only: {
		severity: "critical",
		what: {
			uk: "файлова система з даними хаба стала лише для читання: нічого не записується (несправний диск?)",
			en: "the file system of the hub's data dir went read-only: nothing can be written (a failing disk?)",
		},
	},
	disk_low: {
		severity: "warning",
		what: { uk: "на диску з даними мало місця", en: "little free space left on the data disk" },
	},
	spool_behind: {
		severity: "warning",
		what: {
			uk: "події надто довго чекають у буфері, доки потраплять у сховище",
			en: "events have waited in the spool too long to reach the store",
		},
	},
	ingest_lag: {
		severity: "warning",
		what: {
			uk: "усі події останньої хвилини надходять із запізненням",
			en: "every event of the last minute arrived late",
		},
	},
	dead_letter: {
		severity: "warning",
		what: {
			uk: "сховище відмовилося від події назавжди (вона в dead letters)",
			en: "a store refused an event for good (kept among the dead letters)",
		},
	},
} as const satisfies Record<string, { severity: "warning" | "critical"; what: { uk: string; en: string } }>;

export type HealthReasonName = keyof typeof HEALTH_REASONS;
export const HEALTH_REASON_NAMES = Object.keys(HEALTH_REASONS) as HealthReasonName[];

/** One reason the hub is degraded: since when (where known, else now) and the figures. */
export const HealthReason = Type.Object({
	reason: Type.Enum(HEALTH_REASON_NAMES),
	severity: Type.Enum(["warning", "critical"]),
	since: EpochMs,
	detail: Type.String({ description: "What was seen, in English (an error message, a figure)" }),
});
export type HealthReason = Static<typeof HealthReason>;

export interface HealthReport {
	status: "ok" | "degraded";
	reasons: HealthReason[];
}

/** What the hub has seen; each part absent when nothing is wrong (or not known). */
export interface HealthFacts {
	/** The latest batch neither the store nor the spool could take, with nothing written since. */
	refused?: { since: number; error: string };
	/** The latest write to the store failed, with none succeeding since. */
	storeFailing?: { since: number; error: string };
	/** The file system holding the data dir refuses writes (EROFS), seen since then. */
	readOnly?: { since: number; dir: string };
	/** Free bytes of the file system holding the data dir (undefined: could not be read). */
	freeBytes?: number;
	/** Events waiting in the spool and the receive time of the oldest. */
	spool?: { depth: number; oldestRxTs?: number };
	/** The smallest lag (edge time → receipt) of the events of the last minute, and since when it is high. */
	lag?: { floorMs: number; highSince?: number };
	/** The latest dead letter. */
	deadLetterAt?: number;
}

export interface HealthBounds {
	/** Degraded below this many free bytes on the data disk (default 256 MiB). */
	minFreeBytes: number;
	/** Degraded once the oldest spooled event has waited this long (default 2 min). */
	maxSpoolAgeMs: number;
	/** Degraded once every event of the last minute arrived this late (default 2 min). */
	maxLagMs: number;
	/** Degraded this long after a dead letter (default 24 h: a person should look). */
	deadLetterMs: number;
}

export const HEALTH_BOUNDS: HealthBounds = {
	minFreeBytes: 256 * 1024 * 1024,
	maxSpoolAgeMs: 120_000,
	maxLagMs: 120_000,
	deadLetterMs: 24 * 3_600_000,
};

const MIB = 1024 * 1024;
const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

/** The verdict: `degraded` with every reason that holds now, in the registry's order. */
export function assessHealth(facts: HealthFacts, bounds: HealthBounds, now: number): HealthReport {
	const found: Partial<Record<HealthReasonName, { since: number; detail: string }>> = {};
	if (facts.refused) found.not_durable = { since: facts.refused.since, detail: facts.refused.error };
	if (facts.storeFailing) found.store_failing = { since: facts.storeFailing.since, detail: facts.storeFailing.error };
	if (facts.readOnly)
		found.read_only = {
			since: facts.readOnly.since,
			detail: `the file system of ${facts.readOnly.dir} is read-only (EROFS)`,
		};
	if (facts.freeBytes !== undefined && facts.freeBytes < bounds.minFreeBytes)
		found.disk_low = {
			since: now,
			detail: `${(facts.freeBytes / MIB).toFixed(1)} MiB free, below ${(bounds.minFreeBytes / MIB).toFixed(0)} MiB`,
		};
	const oldest = facts.spool?.oldestRxTs;
	if (facts.spool && facts.spool.depth > 0 && oldest !== undefined && now - oldest >= bounds.maxSpoolAgeMs)
		found.spool_behind = {
			since: oldest + bounds.maxSpoolAgeMs,
			detail: `${facts.spool.depth} events spooled, the oldest for ${seconds(now - oldest)} (bound ${seconds(bounds.maxSpoolAgeMs)})`,
		};
	if (facts.lag && facts.lag.floorMs >= bounds.maxLagMs)
		found.ingest_lag = {
			since: facts.lag.highSince ?? now,
			detail: `the least late event of the last minute arrived ${seconds(facts.lag.floorMs)} after its edge time (bound ${seconds(bounds.maxLagMs)})`,
		};
	if (facts.deadLetterAt !== undefined && now - facts.deadLetterAt < bounds.deadLetterMs)
		found.dead_letter = { since: facts.deadLetterAt, detail: "see deadLetters" };
	const reasons: HealthReason[] = [];
	for (const reason of HEALTH_REASON_NAMES) {
		const f = found[reason];
		if (f) reasons.push({ reason, severity: HEALTH_REASONS[reason].severity, ...f, since: Math.min(f.since, now) });
	}
	return { status: reasons.length ? "degraded" : "ok", reasons };
}
