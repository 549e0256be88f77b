/** docs/benchmarks.md's generated sections, and the runner's progress while a bench runs. */
import { describe, expect, it } from "vitest";
import { readCpuTimes, stolenPct } from "../../bench/machine.ts";
import { runSuite } from "../../bench/runner.ts";
import { formatDuration, formatFigure, placeSection } from "../../bench/section.ts";
import { until } from "../fixtures/wait.ts";

const B = "<!-- bench:x:begin -->";
const E = "<!-- bench:x:end -->";

describe("placeSection", () => {
	it.each([
		[
			"replaces what is between the markers",
			`# B\n\nabove\n${B}\nold\n${E}\nbelow\n`,
			`# B\n\nabove\n${B}\nnew\n${E}\nbelow\n`,
		],
		["keeps a file without a final newline so", `a\n${B}\n${E}`, `a\n${B}\nnew\n${E}`],
		[
			"without markers, ends the bench's own chapter",
			"# B\n\n## x — things\n\ntext\n\n## y\n\nmore\n",
			`# B\n\n## x — things\n\ntext\n\n${B}\nnew\n${E}\n\n## y\n\nmore\n`,
		],
		["the last chapter", "## x\n\ntext", `## x\n\ntext\n\n${B}\nnew\n${E}\n`],
		["a chapter of a longer name is not its own", "## xy\n\ntext\n", `## xy\n\ntext\n\n## x\n\n${B}\nnew\n${E}\n`],
		["a sub-chapter does not end it", "## x\n\n### a\n\ntext\n", `## x\n\n### a\n\ntext\n\n${B}\nnew\n${E}\n`],
		["without a chapter, a new one at the end", "# B\n", `# B\n\n## x\n\n${B}\nnew\n${E}\n`],
	])("%s", (_what, doc, expected) => {
		expect(placeSection(doc, "x", "new\n")).toBe(expected);
	});

	it("leaves markers inside other text alone and refuses ones out of order or doubled", () => {
		expect(placeSection(`see \`${B}\`\n`, "x", "new")).toBe(`see \`${B}\`\n\n## x\n\n${B}\nnew\n${E}\n`);
		expect(() => placeSection(`${E}\n${B}\n`, "x", "new")).toThrow(/not one/);
		expect(() => placeSection(`${B}\n${E}\n${B}\n${E}\n`, "x", "new")).toThrow(/not one/);
		expect(() => placeSection(`${B}\ntext\n`, "x", "new")).toThrow(/not one/);
	});
});

describe("figures", () => {
	it.each([
		[12345, "12 345"],
		[-1500000, "-1 500 000"],
		[999, "999"],
		[59550.5, "59550.5"],
		[0.687, "0.687"],
		[true, "true"],
		["a|b", "a\\|b"],
		[[1, 2], "`[1,2]`"],
		[null, "`null`"],
	])("%j → %s", (v, text) => expect(formatFigure(v)).toBe(text));

	it.each([
		[0, "0.0 s"],
		[42_149, "42.1 s"],
		[60_000, "1 min 00 s"],
		[754_600, "12 min 35 s"],
	])("%d ms → %s", (ms, text) => expect(formatDuration(ms)).toBe(text));
});

describe("runSuite", () => {
	it("says which bench is still running, and for how long, while it runs", async () => {
		const progress: string[] = [];
		const results: string[] = [];
		const code = await runSuite({
			registry: {
				slow: async () => ({
					run: async () => {
						await until(
							() => progress.filter((l) => l.startsWith("[bench 1/1] slow: running ")).length,
							(n) => n >= 2,
							{ intervalMs: 5, what: "two progress lines" },
						);
						return { ok: 1 };
					},
				}),
			},
			names: [],
			write: false,
			docsPath: "/nonexistent/benchmarks.md",
			env: {},
			progress: (l) => progress.push(l),
			result: (l) => results.push(l),
			progressEveryMs: 10,
		});
		expect(code).toBe(0);
		expect(progress[1]).toMatch(/^\[bench 1\/1\] slow: running \d+\.\d s · suite \d+\.\d s$/);
		expect(results).toEqual(['{"bench":"slow","ok":1}']);
		expect(progress.at(-1)).toMatch(/^benchmarks: 1 of 1 done/);
	});
});

describe("the hypervisor's share", () => {
	it("is the steal ticks over all ticks between two readings of /proc/stat", () => {
		expect(stolenPct({ total: 1_000, steal: 10 }, { total: 2_000, steal: 60 })).toBe(5);
		expect(stolenPct({ total: 1_000, steal: 10 }, { total: 4_000, steal: 10 })).toBe(0);
		// Nothing to divide by, or no reading: unknown, not 0.
		expect(stolenPct({ total: 1_000, steal: 10 }, { total: 1_000, steal: 10 })).toBeUndefined();
		expect(stolenPct(undefined, { total: 2_000, steal: 60 })).toBeUndefined();
	});

	it("reads this machine's cores' time, the steal within it", () => {
		const a = readCpuTimes();
		expect(a).toBeDefined();
		const { total, steal } = a as { total: number; steal: number };
		expect(total).toBeGreaterThan(0);
		expect(steal).toBeGreaterThanOrEqual(0);
		expect(steal).toBeLessThanOrEqual(total);
	});
});
