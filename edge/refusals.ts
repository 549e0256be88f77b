/**
 * What an edge node refuses of what it receives, as named reasons (documented in docs/edge.md,
 * "Refused commands"; a test keeps the two in step). A refusal changes nothing the node shows or
 * keeps; it is counted since the node started — the counts go out in its retained `status` as
 * `refused` — and logged once per reason per interval, with how many were not logged in between,
 * as the hub logs its rejections (core/onceLog.ts).
 */
import type { Log } from "../core/log.ts";
import { OnceLog } from "../core/onceLog.ts";

export const EDGE_REFUSALS = {
	bad_command:
		"A command on …/cmd/{name} that is not one UTF-8 JSON object matching its schema (core/commands.ts): not acted on.",
} as const;

export type EdgeRefusal = keyof typeof EDGE_REFUSALS;
export const EDGE_REFUSAL_NAMES = Object.keys(EDGE_REFUSALS) as EdgeRefusal[];

export class Refusals {
	private readonly counts = new Map<EdgeRefusal, number>();
	private readonly logged: OnceLog;

	constructor(log: Log, now: () => number, intervalMs = 60_000) {
		this.logged = new OnceLog(log, { intervalMs, now });
	}

	refuse(reason: EdgeRefusal, detail: string, where: Record<string, unknown> = {}): void {
		this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
		this.logged.warn(reason, { reason, ...where }, `refused (${reason}): ${detail}`);
	}

	/** The counts since start, by reason, for the status; undefined while nothing was refused. */
	counted(): Record<string, number> | undefined {
		if (this.counts.size === 0) return undefined;
		return Object.fromEntries(this.counts);
	}
}
