import { describe, expect, it } from "vitest";
import { assessHealth, HEALTH_BOUNDS, type HealthFacts } from "../../core/health.ts";

const T = 1_800_000_000_000;
const MIB = 1024 * 1024;
const healthy: HealthFacts = { freeBytes: 10_000 * MIB, spool: { depth: 0 } };

describe("assessHealth", () => {
	const cases: [string, HealthFacts, string[]][] = [
		["nothing wrong", healthy, []],
		["nothing known", {}, []],
		["the disk below the bound", { ...healthy, freeBytes: 255 * MIB }, ["disk_low"]],
		["the disk just at the bound", { ...healthy, freeBytes: 256 * MIB }, []],
		["a batch refused", { ...healthy, refused: { since: T - 5, error: "SQLITE_FULL" } }, ["not_durable"]],
		["the store failing", { ...healthy, storeFailing: { since: T - 5, error: "ECONNREFUSED" } }, ["store_failing"]],
		[
			"the data dir's file system read-only",
			{ ...healthy, readOnly: { since: T - 5, dir: "/var/lib/vikno" } },
			["read_only"],
		],
		["events spooled a moment ago", { ...healthy, spool: { depth: 40, oldestRxTs: T - 1_000 } }, []],
		[
			"the oldest spooled for the bound",
			{ ...healthy, spool: { depth: 40, oldestRxTs: T - 120_000 } },
			["spool_behind"],
		],
		["a late event among fresh ones", { ...healthy, lag: { floorMs: 200 } }, []],
		["every event late", { ...healthy, lag: { floorMs: 130_000, highSince: T - 10_000 } }, ["ingest_lag"]],
		["a dead letter an hour ago", { ...healthy, deadLetterAt: T - 3_600_000 }, ["dead_letter"]],
		["a dead letter two days ago", { ...healthy, deadLetterAt: T - 48 * 3_600_000 }, []],
		[
			"all at once, in the registry's order",
			{
				deadLetterAt: T - 1,
				lag: { floorMs: 999_999 },
				spool: { depth: 1, oldestRxTs: T - 999_999 },
				freeBytes: 0,
				readOnly: { since: T - 9, dir: "/d" },
				storeFailing: { since: T - 9, error: "x" },
				refused: { since: T - 9, error: "y" },
			},
			["not_durable", "store_failing", "read_only", "disk_low", "spool_behind", "ingest_lag", "dead_letter"],
		],
	];
	it.each(cases)("%s", (_name, facts, reasons) => {
		const r = assessHealth(facts, HEALTH_BOUNDS, T);
		expect(r.reasons.map((x) => x.reason)).toEqual(reasons);
		expect(r.status).toBe(reasons.length ? "degraded" : "ok");
	});

	it("says since when, with the figures", () => {
		const r = assessHealth(
			{
				freeBytes: 10 * MIB,
				spool: { depth: 7, oldestRxTs: T - 300_000 },
				storeFailing: { since: T - 400_000, error: "connect ECONNREFUSED 127.0.0.1:8086" },
				readOnly: { since: T - 60_000, dir: "/var/lib/vikno" },
			},
			HEALTH_BOUNDS,
			T,
		);
		expect(r.reasons).toEqual([
			{
				reason: "store_failing",
				severity: "critical",
				since: T - 400_000,
				detail: "connect ECONNREFUSED 127.0.0.1:8086",
			},
			{
				reason: "read_only",
				severity: "critical",
				since: T - 60_000,
				detail: "the file system of /var/lib/vikno is read-only (EROFS)",
			},
			{ reason: "disk_low", severity: "warning", since: T, detail: "10.0 MiB free, below 256 MiB" },
			{
				reason: "spool_behind",
				severity: "warning",
				since: T - 180_000,
				detail: "7 events spooled, the oldest for 300 s (bound 120 s)",
			},
		]);
	});
});
