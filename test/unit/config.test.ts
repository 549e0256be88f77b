import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { Compile } from "typebox/compile";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ConfigError, type ConfigProblem, formatProblems, loadCentreFile, loadCentreText } from "../../config/load.ts";
import { centreJsonSchema, SCHEMA_FILE } from "../../config/schema/generate.ts";
import { checkLayout } from "../../core/layout.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
/** Paths as a person types them from the repository root, as the CLI would get them. */
const rel = (p: string) => relative(process.cwd(), join(root, p));
const DEMO = rel("config/centres/demo.yaml");
const fixture = (name: string) => rel(`test/fixtures/config/${name}`);

const scratch = mkdtempSync(join(tmpdir(), "vikno-config-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
function scratchFile(name: string, content: string | Buffer): string {
	const file = join(scratch, name);
	writeFileSync(file, content);
	return file;
}

function problemsOf(load: () => unknown): ConfigProblem[] {
	try {
		load();
	} catch (e) {
		expect(e).toBeInstanceOf(ConfigError);
		return [...(e as ConfigError).problems];
	}
	throw new Error("expected a ConfigError");
}

describe("config/centres/demo.yaml", () => {
	const demo = loadCentreFile(DEMO);

	it("is the Kryvyi Rih demo centre", () => {
		expect(demo.id).toBe("demo");
		expect(demo.name.uk).toMatch(/Віза/);
		expect(demo.timeZone).toBe("Europe/Kyiv");
		expect(demo.ratingScale).toBe(5);
		expect(demo.priorityCategories).toEqual(["idp", "military", "veteran", "family"]);
		expect(checkLayout(demo)).toEqual([]);
	});

	it("keeps the 2021 opening hours: Tue until 20:00, Sunday closed", () => {
		expect(demo.hours).toEqual({
			mon: ["09:00-16:00"],
			tue: ["09:00-20:00"],
			wed: ["09:00-16:00"],
			thu: ["09:00-16:00"],
			fri: ["09:00-16:00"],
			sat: ["09:00-16:00"],
			sun: [],
		});
	});

	it("has named services with prefixes, targets and service times", () => {
		expect(demo.services.length).toBeGreaterThanOrEqual(6);
		for (const id of ["passports", "residence", "social", "land", "business", "utilities"]) {
			expect(demo.services.map((s) => s.id)).toContain(id);
		}
		for (const s of demo.services) {
			expect(s.name.uk).toMatch(/[А-ЯІЇЄҐа-яіїєґ]/);
			expect(s.name.en).toMatch(/^[A-Z]/);
			expect(s.meanServiceMin).toBeGreaterThan(0);
		}
	});

	it("has windows w01..w12, one priority desk, and a node at every window", () => {
		expect(demo.windows.map((w) => w.id)).toEqual(
			Array.from({ length: 12 }, (_, i) => `w${String(i + 1).padStart(2, "0")}`),
		);
		const priority = demo.windows.filter((w) => w.priority);
		expect(priority).toHaveLength(1);
		expect(priority[0]?.services.length).toBeGreaterThanOrEqual(3);
		// Every service is served somewhere.
		const served = new Set(demo.windows.flatMap((w) => w.services));
		expect([...served].sort()).toEqual(demo.services.map((s) => s.id).sort());
		const windowNodes = demo.nodes.filter((n) => n.role === "window").map((n) => n.window);
		expect(windowNodes.sort()).toEqual(demo.windows.map((w) => w.id).sort());
		expect(demo.nodes).toContainEqual({ id: "terminal-1", role: "terminal" });
		expect(demo.nodes).toContainEqual({ id: "door-main", role: "door", zone: "hall" });
		expect(demo.zones.find((z) => z.id === "hall")?.capacity).toBe(120);
	});

	it("is filled with schema defaults and deep-frozen", () => {
		expect(demo.windows[0]?.priority).toBe(false);
		expect(Object.isFrozen(demo)).toBe(true);
		const services = demo.windows[0]?.services as string[];
		expect(() => services.push("social")).toThrow(TypeError);
		expect(() => {
			(demo.name as { uk: string }).uk = "x";
		}).toThrow(TypeError);
	});
});

describe("defaults and YAML features", () => {
	const mini = readFileSync(fixture("mini.yaml"), "utf8");

	it("loads the minimal fixture with defaults filled in", () => {
		const c = loadCentreText(mini, "mini.yaml");
		expect(c.timeZone).toBe("Europe/Kyiv");
		expect(c.ratingScale).toBe(5);
		expect(c.priorityCategories).toEqual([]);
		expect(c.hours.sun).toEqual([]);
		expect(c.hours.tue).toEqual(["09:00-13:00", "14:00-20:00"]);
	});

	it("resolves anchors and aliases", () => {
		const c = loadCentreText(mini.replace('mon: ["09:00-16:00"]', 'mon: &day ["09:00-16:00"]\n  wed: *day'), "a.yaml");
		expect(c.hours.wed).toEqual(["09:00-16:00"]);
	});

	it("accepts a day that closes at midnight but nothing later", () => {
		expect(loadCentreText(mini.replace("09:00-16:00", "18:00-24:00"), "a.yaml").hours.mon).toEqual(["18:00-24:00"]);
		expect(problemsOf(() => loadCentreText(mini.replace("09:00-16:00", "18:00-24:30"), "a.yaml"))).toMatchObject([
			{ path: "/hours/mon/0", line: 5 },
		]);
	});
});

interface Expected {
	line: number;
	column: number;
	path: string;
	message: string | RegExp;
}

const CASES: [file: string, expected: Expected][] = [
	[
		"unknown-service.yaml",
		{ line: 20, column: 24, path: "/windows/1/services/1", message: 'unknown service "pasports"' },
	],
	[
		"duplicate-window.yaml",
		{ line: 19, column: 9, path: "/windows/1/id", message: /duplicate id "w01".*\/windows\/0/ },
	],
	["bad-interval.yaml", { line: 5, column: 9, path: "/hours/mon/0", message: /"9-16" is not valid: .*HH:MM-HH:MM/ }],
	[
		"interval-reversed.yaml",
		{ line: 5, column: 9, path: "/hours/mon/0", message: 'interval "16:00-09:00" closes before it opens' },
	],
	[
		"unknown-key.yaml",
		{
			line: 20,
			column: 5,
			path: "/windows/1/floor",
			message: /^unknown key "floor" \(allowed here: id, name, services, priority\)$/,
		},
	],
	[
		"wrong-type.yaml",
		{ line: 22, column: 27, path: "/zones/0/capacity", message: 'must be a whole number, got "forty"' },
	],
	["unknown-timezone.yaml", { line: 4, column: 11, path: "/timeZone", message: /unknown time zone "Europe\/Kyyiv"/ }],
];

describe("a bad file names the file, line:column, path and problem", () => {
	it.each(CASES)("%s", (name, want) => {
		const file = fixture(name);
		const problems = problemsOf(() => loadCentreFile(file));
		expect(problems).toHaveLength(1);
		const [p] = problems;
		expect(p).toMatchObject({ file, line: want.line, column: want.column, path: want.path });
		if (typeof want.message === "string") expect(p?.message).toBe(want.message);
		else expect(p?.message).toMatch(want.message);
	});

	it("puts one problem per line in the error message", () => {
		const file = fixture("unknown-service.yaml");
		expect(() => loadCentreFile(file)).toThrow(`${file}:20:24 /windows/1/services/1: unknown service "pasports"`);
	});

	it("reports every problem at once, schema and cross-references, in file order", () => {
		const file = fixture("several-problems.yaml");
		const problems = problemsOf(() => loadCentreFile(file));
		expect(problems.map((p) => [p.line, p.path])).toEqual([
			[5, "/hours/mon/1"],
			[14, "/services/1/prefix"],
			[20, "/windows/1/services/1"],
			[22, "/zones/0/capacity"],
			[24, "/nodes/0/window"],
			[25, "/nodes/1/role"],
		]);
		expect(problems.map((p) => p.message)).toEqual([
			expect.stringMatching(/"15:00-17:00" starts before .* "09:00-16:00" ends/),
			'prefix "A" is also used by service "passports"',
			'unknown service "visas"',
			"must be >= 1, got 0",
			'unknown window "w09"',
			'must be one of "window", "terminal", "door", got "gate"',
		]);
		for (const p of problems) expect(p.file).toBe(file);
		let message = "";
		try {
			loadCentreFile(file);
		} catch (e) {
			message = (e as Error).message;
		}
		expect(message.split("\n")).toHaveLength(6);
	});

	it("does not repeat a schema problem as a cross-reference problem", () => {
		// "Pass" breaks the id pattern; the window naming it must not also get "unknown service".
		const text = readFileSync(fixture("mini.yaml"), "utf8").replace("services: [passports]", "services: [Pass]");
		expect(problemsOf(() => loadCentreText(text, "a.yaml"))).toEqual([
			{
				file: "a.yaml",
				line: 18,
				column: 16,
				path: "/windows/0/services/0",
				message: expect.stringMatching(/^"Pass" is not valid: expected lower-case id/),
			},
		]);
	});

	it("reports YAML syntax errors with line and column", () => {
		// Written at test time: a broken YAML file in the tree would fail the repository's lint.
		const text = readFileSync(fixture("mini.yaml"), "utf8").replace("services: [passports]", "services: [passports");
		const file = scratchFile("syntax-error.yaml", text);
		const problems = problemsOf(() => loadCentreFile(file));
		expect(problems.length).toBeGreaterThan(0);
		for (const p of problems) {
			expect(p).toMatchObject({ file, path: "", message: expect.stringMatching(/^YAML: /) });
			expect(p.line).toBeGreaterThanOrEqual(18);
		}
		// The sequence opened on line 18 is found unclosed where the next item starts.
		expect(problems[0]).toMatchObject({ line: 19, column: 3, message: expect.stringMatching(/Flow sequence.*\]/) });
	});

	it("reports a duplicate YAML key where it is repeated", () => {
		const file = fixture("duplicate-key.yaml");
		expect(problemsOf(() => loadCentreFile(file))).toEqual([
			{ file, path: "", line: 16, column: 5, message: "YAML: Map keys must be unique" },
		]);
	});

	it("names a missing required key at the mapping that should hold it", () => {
		const text = readFileSync(fixture("mini.yaml"), "utf8").replace("    prefix: C\n", "");
		expect(problemsOf(() => loadCentreText(text, "a.yaml"))).toEqual([
			{ file: "a.yaml", line: 12, column: 5, path: "/services/1/prefix", message: 'required key "prefix" is missing' },
		]);
	});

	it("explains an empty file, a list instead of a mapping, a missing file, a directory", () => {
		expect(problemsOf(() => loadCentreText("# nothing yet\n", "e.yaml"))).toEqual([
			{ file: "e.yaml", path: "", message: expect.stringMatching(/empty/) },
		]);
		expect(problemsOf(() => loadCentreText("- a\n- b\n", "l.yaml"))).toEqual([
			{ file: "l.yaml", path: "", line: 1, column: 1, message: "must be a mapping (key: value), got a list of 2" },
		]);
		expect(() => loadCentreFile("config/centres/nowhere.yaml")).toThrow(
			"config/centres/nowhere.yaml: cannot read the file: it does not exist",
		);
		expect(() => loadCentreFile(rel("test/fixtures/config"))).toThrow(/it is a directory/);
	});

	it("refuses a file that is not UTF-8", () => {
		const file = scratchFile("latin1.yaml", Buffer.from("id: demo\nname: { uk: \xe0, en: a }\n", "latin1"));
		expect(problemsOf(() => loadCentreFile(file))).toEqual([{ file, path: "", message: "the file is not UTF-8 text" }]);
	});
});

describe("formatProblems", () => {
	it("writes file:line:column /path: message, leaving out what is unknown", () => {
		expect(
			formatProblems([
				{ file: "c.yaml", line: 3, column: 7, path: "/windows/0/id", message: "duplicate" },
				{ file: "c.yaml", line: 1, column: 1, path: "", message: "YAML: bad" },
				{ file: "c.yaml", path: "", message: "cannot read the file" },
			]),
		).toBe("c.yaml:3:7 /windows/0/id: duplicate\nc.yaml:1:1: YAML: bad\nc.yaml: cannot read the file");
	});
});

describe("config/schema/centre.schema.json", () => {
	const committed: unknown = JSON.parse(readFileSync(SCHEMA_FILE, "utf8"));

	it("is the schema generated from core/centre.ts (run: npx tsx config/schema/generate.ts)", () => {
		expect(committed).toEqual(centreJsonSchema());
	});

	it("lets an editor accept the centre files as written, defaults left out", () => {
		const check = Compile(committed as Parameters<typeof Compile>[0]);
		const raw = (p: string) => parse(readFileSync(p, "utf8")) as unknown;
		expect(check.Errors(raw(DEMO))).toEqual([]);
		expect(check.Check(raw(fixture("mini.yaml")))).toBe(true);
		expect(check.Check(raw(fixture("unknown-key.yaml")))).toBe(false);
		expect(check.Check(raw(fixture("bad-interval.yaml")))).toBe(false);
	});
});
