import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ConfigError, loadCentreText } from "../../config/load.ts";
import { ALERT_DEFAULTS } from "../../core/centre.ts";

const mini = readFileSync(fileURLToPath(new URL("../fixtures/config/mini.yaml", import.meta.url)), "utf8");

function problems(extra: string): string[] {
	try {
		loadCentreText(`${mini}\n${extra}`, "c.yaml");
		return [];
	} catch (e) {
		if (!(e instanceof ConfigError)) throw e;
		return e.problems.map((p) => `${p.path}: ${p.message}`);
	}
}

describe("centre layout: holidays, administrators and alert rules", () => {
	it("are optional, and alert rules get every default", () => {
		const c = loadCentreText(mini, "mini.yaml");
		expect(c.holidays).toEqual([]);
		expect(c.administrators).toEqual([]);
		expect(c.alerts).toEqual(ALERT_DEFAULTS);
	});

	it("load with defaults filled in around what is given", () => {
		const c = loadCentreText(
			`${mini}
holidays:
  - { date: "2026-08-24", name: { uk: День Незалежності, en: Independence Day } }
  - { date: "2026-12-31", hours: ["09:00-13:00"] }
administrators:
  - { id: adm-7, windows: [w01, w02] }
alerts:
  occupancy: { share: 0.8 }
  webhookUrl: https://alerts.example/hook
`,
			"c.yaml",
		);
		expect(c.holidays).toEqual([
			{ date: "2026-08-24", hours: [], name: { uk: "День Незалежності", en: "Independence Day" } },
			{ date: "2026-12-31", hours: ["09:00-13:00"] },
		]);
		expect(c.administrators).toEqual([{ id: "adm-7", windows: ["w01", "w02"] }]);
		expect(c.alerts?.occupancy).toEqual({ enabled: true, share: 0.8, criticalShare: 1 });
		expect(c.alerts?.lowRatings).toEqual(ALERT_DEFAULTS.lowRatings);
		expect(c.alerts?.webhookUrl).toBe("https://alerts.example/hook");
	});

	it.each([
		{
			name: "a date twice",
			yaml: 'holidays: [{ date: "2026-08-24" }, { date: "2026-08-24" }]',
			want: '/holidays/1/date: date "2026-08-24" is also listed at /holidays/0',
		},
		{
			name: "a date not in the calendar",
			yaml: 'holidays: [{ date: "2026-02-30" }]',
			want: '/holidays/0/date: "2026-02-30" is not a date of the calendar',
		},
		{
			name: "a holiday interval that closes before it opens",
			yaml: 'holidays: [{ date: "2026-12-31", hours: ["13:00-09:00"] }]',
			want: '/holidays/0/hours/0: interval "13:00-09:00" closes before it opens',
		},
		{
			name: "an administrator at an unknown window",
			yaml: "administrators: [{ id: adm-1, windows: [w09] }]",
			want: '/administrators/0/windows/0: unknown window "w09"',
		},
		{
			name: "an administrator twice",
			yaml: "administrators: [{ id: adm-1 }, { id: adm-1 }]",
			want: '/administrators/1/id: duplicate id "adm-1" (first at /administrators/0)',
		},
	])("reports $name", ({ yaml, want }) => {
		expect(problems(yaml)).toEqual([want]);
	});

	it.each([
		{
			name: "a share of ratings above 1",
			yaml: "alerts: { lowRatings: { share: 1.5 } }",
			path: "/alerts/lowRatings/share",
		},
		{ name: "an unknown rule", yaml: "alerts: { noise: { enabled: true } }", path: "/alerts/noise" },
		{ name: "a badly written date", yaml: 'holidays: [{ date: "24.08.2026" }]', path: "/holidays/0/date" },
	])("rejects $name", ({ yaml, path }) => {
		expect(problems(yaml).map((p) => p.split(":")[0])).toEqual([path]);
	});
});
