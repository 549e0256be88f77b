/** The node's retained `status` (DESIGN.md): online, version, uptime, outbox depth, CPU temperature. */
import { readFileSync } from "node:fs";
import type { StatusData } from "../core/contract.ts";

export const VERSION: string = (() => {
	try {
		return (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string })
			.version;
	} catch {
		return "0.0.0";
	}
})();

/** Degrees Celsius from a thermal zone file (millidegrees), or undefined where there is none. */
export function readCpuTemp(file: string): number | undefined {
	try {
		const milli = Number(readFileSync(file, "utf8").trim());
		if (!Number.isFinite(milli)) return undefined;
		return Math.round(milli / 100) / 10;
	} catch {
		return undefined;
	}
}

export interface StatusInput {
	id: string;
	now: number;
	online: boolean;
	startedAt: number;
	buffered: number;
	cpuTempC?: number | undefined;
	/** Counts of what the node refused since it started (edge/refusals.ts), when anything was. */
	refused?: Record<string, number> | undefined;
	extra?: Record<string, unknown>;
}

export function statusPayload(s: StatusInput): StatusData {
	const data: StatusData = {
		id: s.id,
		ts: s.now,
		online: s.online,
		version: VERSION,
		uptimeS: Math.max(0, Math.round((s.now - s.startedAt) / 1000)),
		buffered: s.buffered,
		...s.extra,
	};
	if (s.cpuTempC !== undefined && s.cpuTempC >= -50 && s.cpuTempC <= 150) data.cpuTempC = s.cpuTempC;
	if (s.refused) data.refused = s.refused;
	return data;
}
