import { afterAll, describe, expect, it } from "vitest";
import { journalChanges } from "../../core/alertJournal.ts";
import type { Alert } from "../../core/alerts.ts";
import { AlertJournal, alertsPath } from "../../store/alertJournal.ts";
import { tempDir } from "../fixtures/hub.ts";

const dir = tempDir();
afterAll(() => dir.remove());

const T = Date.parse("2026-12-02T08:00:00Z");
const MIN = 60_000;

function alert(key: string, since: number, over: Partial<Alert> = {}): Alert {
	return {
		key,
		rule: "waitOverTarget",
		severity: "warning",
		subject: { service: "passports" },
		message: { uk: `${key} uk`, en: `${key} en` },
		since,
		value: 25,
		threshold: 20,
		...over,
	};
}

describe("journalChanges", () => {
	const open = [
		{ ...alert("wait:a", T), raisedAt: T, resolvedAt: null, acks: [] },
		{ ...alert("wait:b", T), raisedAt: T, resolvedAt: null, acks: [] },
	];
	it.each([
		["nothing changed", [alert("wait:a", T), alert("wait:b", T)], { raised: [], updated: [], resolved: [] }],
		["a new key", [alert("wait:a", T), alert("wait:b", T), alert("wait:c", T)], { raised: ["wait:c"] }],
		["one gone", [alert("wait:a", T)], { resolved: ["wait:b"] }],
		[
			"the same key since later: a new alert, the old one resolved",
			[alert("wait:a", T + MIN), alert("wait:b", T)],
			{
				raised: ["wait:a"],
				resolved: ["wait:a"],
			},
		],
		["a figure moved", [alert("wait:a", T, { value: 31 }), alert("wait:b", T)], { updated: ["wait:a"] }],
		["severity rose", [alert("wait:a", T), alert("wait:b", T, { severity: "critical" })], { updated: ["wait:b"] }],
	])("%s", (_, active, want) => {
		const c = journalChanges(open, active);
		expect({
			raised: c.raised.map((a) => a.key),
			updated: c.updated.map((a) => a.key),
			resolved: c.resolved.map((a) => a.key),
		}).toEqual({ raised: [], updated: [], resolved: [], ...want });
	});
});

describe("the alert journal (DATA/alerts.db)", () => {
	it("records alerts from raised to resolved, keeps acknowledgements, answers a period", () => {
		const path = alertsPath(dir.path);
		const journal = new AlertJournal(path);
		try {
			journal.record("demo", T, [alert("wait:passports", T - 5 * MIN)]);
			journal.record("lutsk", T, [alert("occupancy:hall", T, { rule: "occupancy" })]);
			journal.record("demo", T + MIN, [
				alert("wait:passports", T - 5 * MIN, { severity: "critical", value: 41 }),
				alert("offline:win-03", T, { rule: "nodeOffline" }),
			]);
			expect(journal.open("demo").map((r) => [r.key, r.severity, r.value, r.raisedAt, r.resolvedAt])).toEqual([
				["wait:passports", "critical", 41, T, null],
				["offline:win-03", "warning", 25, T + MIN, null],
			]);

			const id = { key: "wait:passports", since: T - 5 * MIN };
			const acked = journal.acknowledge("demo", id, { by: "olena", at: T + 2 * MIN, comment: "opened w12" });
			expect(acked?.acks).toEqual([{ by: "olena", at: T + 2 * MIN, comment: "opened w12" }]);
			journal.acknowledge("demo", id, { by: "ivan", at: T + 3 * MIN, comment: "" });
			expect(journal.acknowledge("demo", { key: "wait:passports", since: T }, { by: "x", at: T, comment: "" })).toBe(
				undefined,
			);
			expect(journal.acknowledge("lutsk", id, { by: "x", at: T, comment: "" })).toBe(undefined);

			// Resolved: the active set no longer has it.
			journal.record("demo", T + 10 * MIN, [alert("offline:win-03", T, { rule: "nodeOffline" })]);
			expect(journal.open("demo").map((r) => r.key)).toEqual(["offline:win-03"]);
			const reopened = new AlertJournal(path);
			try {
				const all = reopened.between("demo", T - 60 * MIN, T + 60 * MIN);
				expect(all.map((r) => r.key)).toEqual(["offline:win-03", "wait:passports"]);
				expect(all[1]).toMatchObject({
					resolvedAt: T + 10 * MIN,
					message: { uk: "wait:passports uk" },
					acks: [
						{ by: "olena", comment: "opened w12" },
						{ by: "ivan", comment: "" },
					],
				});
				// A period after it resolved does not have it; one before it was raised neither.
				expect(reopened.between("demo", T + 11 * MIN, T + 60 * MIN).map((r) => r.key)).toEqual(["offline:win-03"]);
				expect(reopened.between("demo", T - 60 * MIN, T)).toEqual([]);
				expect(reopened.between("lutsk", T, T + 1).map((r) => r.key)).toEqual(["occupancy:hall"]);
				// Kept 400 days after it resolved.
				expect(reopened.prune(T + 399 * 86_400_000)).toBe(0);
				expect(reopened.prune(T + 401 * 86_400_000)).toBe(1);
				expect(reopened.get("demo", id)).toBeUndefined();
			} finally {
				reopened.close();
			}
		} finally {
			journal.close();
		}
	});
});
