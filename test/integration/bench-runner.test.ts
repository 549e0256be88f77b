/**
 * `npm run bench`'s runner, run as a program over a registry of tiny benches
 * (`fixtures/benchSuite.ts`): the progress lines, each bench's JSON last line, and its section of a
 * copy of docs/benchmarks.md rewritten while every hand-written line around it stays.
 */
import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { beginMarker, endMarker } from "../../bench/section.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const entry = join(root, "test/fixtures/benchSuite.ts");

interface Ran {
	code: number;
	stdout: string;
	stderr: string;
}

/** Runs the suite as `npm run bench` would, with only the given VIKNO_BENCH_* variables. */
function bench(args: string[], env: Record<string, string> = {}): Promise<Ran> {
	const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("VIKNO_BENCH_")));
	return new Promise((resolve) => {
		execFile(
			process.execPath,
			["--import", "tsx", entry, ...args],
			{ cwd: root, env: { ...clean, ...env }, timeout: 60_000 },
			(err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
		);
	});
}

const lastLine = (text: string) => text.trimEnd().split("\n").at(-1) ?? "";
const between = (doc: string, name: string) =>
	doc.slice(doc.indexOf(beginMarker(name)), doc.indexOf(endMarker(name)) + endMarker(name).length);

let dir: string;
let docs: string;
/** The hand-written page: the real one, with a chapter for `tiny` holding empty markers. */
let original: string;
const HEAD = "## tiny — a bench of the test\n\nHand-written words about tiny, kept.\n\n";
const TAIL = "\n\nMore hand-written words after the figures.\n\n";

beforeAll(() => {
	dir = mkdtempSync(join(tmpdir(), "vikno-bench-runner-"));
	docs = join(dir, "benchmarks.md");
	copyFileSync(join(root, "docs/benchmarks.md"), docs);
	original = `${readFileSync(docs, "utf8")}\n${HEAD}${beginMarker("tiny")}\n${endMarker("tiny")}${TAIL}`;
	writeFileSync(docs, original);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("npm run bench (the runner)", () => {
	it("runs every bench named, with progress lines, each bench's figures as one JSON line, and writes their sections", async () => {
		const r = await bench(["--docs", docs, "tiny", "other"], { VIKNO_BENCH_TINY: "1" });
		expect(r.code, r.stderr).toBe(0);
		// stdout: each bench's table, then its JSON; the very last line is the last bench's.
		const lines = r.stdout.trimEnd().split("\n");
		const tinyJson = lines.indexOf(
			JSON.stringify({ bench: "tiny", events: 12_345, round: 1, p99_ms: 1.25, label: "a|b" }),
		);
		expect(tinyJson).toBeGreaterThan(lines.findIndex((l) => l.startsWith("tiny: a bench")));
		expect(JSON.parse(lastLine(r.stdout))).toEqual({ bench: "other", n: 2 });
		// stderr: which bench, n of N, elapsed.
		expect(r.stderr).toMatch(/^\[bench 1\/2\] tiny: started · suite \d+\.\d s$/m);
		expect(r.stderr).toMatch(/^\[bench 1\/2\] tiny: done in \d+\.\d s · suite \d+\.\d s$/m);
		expect(r.stderr).toMatch(/^\[bench 2\/2\] other: done in \d+\.\d s · suite \d+\.\d s$/m);
		expect(r.stderr).toMatch(/^benchmarks: 2 of 2 done in \d+\.\d s$/m);

		const doc = readFileSync(docs, "utf8");
		// tiny's markers were there: everything before and after them is as it was.
		const at = original.indexOf(beginMarker("tiny"));
		expect(doc.slice(0, at)).toBe(original.slice(0, at));
		const tiny = between(doc, "tiny");
		expect(doc.slice(at + tiny.length).startsWith(`${TAIL}`)).toBe(true);
		expect(tiny).toContain("`VIKNO_BENCH_TINY=1 npm run bench -- tiny`");
		expect(tiny).toContain("one of 2 in a run of `npm run bench`");
		expect(tiny).toMatch(/Machine: .+, \d+ cores, [\d.]+ GB RAM, .+, Node v\d+/);
		expect(tiny).toMatch(
			/load average [\d.]+ at the start, [\d.]+ at the end; the hypervisor took \d+(\.\d)? % of the cores' time during the run \(steal\)\./,
		);
		expect(tiny).toMatch(/\| `events` +\| 12 345 +\|/);
		expect(tiny).toMatch(/\| `label` +\| a\\\|b +\|/);
		expect(tiny).toContain(
			`\`${JSON.stringify({ bench: "tiny", events: 12_345, round: 1, p99_ms: 1.25, label: "a|b" })}\``,
		);
		// other had no chapter: a new one at the end, after everything that was there.
		expect(doc.startsWith(original.slice(0, at))).toBe(true);
		expect(doc.slice(doc.indexOf(endMarker("tiny")) + endMarker("tiny").length)).toBe(
			`${TAIL}## other\n\n${between(doc, "other")}\n`,
		);
		expect(between(doc, "other")).toContain('`{"bench":"other","n":2}`');
	});

	it("one bench by name rewrites only its own section", async () => {
		const before = readFileSync(docs, "utf8");
		const r = await bench(["--docs", docs, "tiny"], { VIKNO_BENCH_TINY: "2" });
		expect(r.code, r.stderr).toBe(0);
		expect(r.stderr).toMatch(/^\[bench 1\/1\] tiny: done in/m);
		const doc = readFileSync(docs, "utf8");
		expect(between(doc, "tiny")).toContain("`VIKNO_BENCH_TINY=2 npm run bench -- tiny`");
		expect(between(doc, "tiny")).not.toContain("one of");
		expect(between(doc, "tiny")).toMatch(/\| `round` +\| 2 +\|/);
		expect(doc.replace(between(doc, "tiny"), "")).toBe(before.replace(between(before, "tiny"), ""));
	});

	it("--no-write and VIKNO_BENCH_WRITE=0 print the figures and leave the page alone", async () => {
		const before = readFileSync(docs, "utf8");
		const flag = await bench(["--docs", docs, "--no-write", "tiny"], { VIKNO_BENCH_TINY: "3" });
		const env = await bench(["tiny"], { VIKNO_BENCH_DOCS: docs, VIKNO_BENCH_WRITE: "0", VIKNO_BENCH_TINY: "4" });
		expect(flag.code, flag.stderr).toBe(0);
		expect(env.code, env.stderr).toBe(0);
		expect(JSON.parse(lastLine(flag.stdout))).toMatchObject({ bench: "tiny", round: 3 });
		expect(JSON.parse(lastLine(env.stdout))).toMatchObject({ bench: "tiny", round: 4 });
		expect(flag.stderr + env.stderr).not.toContain("written to");
		expect(readFileSync(docs, "utf8")).toBe(before);
	});

	it("a failing bench is reported, the others still run and write, and the exit code says so", async () => {
		const before = readFileSync(docs, "utf8");
		const r = await bench(["--docs", docs, "broken", "other"]);
		expect(r.code).toBe(1);
		expect(r.stderr).toMatch(/^\[bench 1\/2\] broken: failed after [\d.]+ s: Error: broken on purpose/m);
		expect(r.stderr).toMatch(/^benchmarks: 1 of 2 done in .*, failed: broken$/m);
		expect(JSON.parse(lastLine(r.stdout))).toEqual({ bench: "other", n: 2 });
		const doc = readFileSync(docs, "utf8");
		expect(doc).not.toContain(beginMarker("broken"));
		expect(doc.replace(between(doc, "other"), "")).toBe(before.replace(between(before, "other"), ""));
	});

	it("an unknown or unbuilt name runs nothing and exits 2", async () => {
		const before = readFileSync(docs, "utf8");
		const unknown = await bench(["--docs", docs, "tiny", "nosuch"]);
		const planned = await bench(["--docs", docs, "later"]);
		expect(unknown.code).toBe(2);
		expect(unknown.stderr).toContain('bench "nosuch" is unknown; available: tiny, other, broken');
		expect(planned.code).toBe(2);
		expect(planned.stderr).toContain('bench "later" is not built yet');
		expect(unknown.stdout + planned.stdout).toBe("");
		expect(readFileSync(docs, "utf8")).toBe(before);
	});
});
