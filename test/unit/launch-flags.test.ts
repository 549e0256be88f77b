/**
 * The hub runs with the V8 flags the benchmarks were measured with, however it is started; the
 * edge node's bench measures the bundle with the flags its systemd unit runs it with.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { edgeUnitNodeFlags } from "../../bench/edge.ts";

const root = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));
const FLAG = "--max-semi-space-size=64";

describe("launch flags", () => {
	it("the launcher's shebang, `npm start` and `npm run bench` pass the same young-generation size", () => {
		const shebang = readFileSync(root("bin/vikno.js"), "utf8").split("\n")[0];
		expect(shebang).toBe(`#!/usr/bin/env -S node ${FLAG}`);
		const scripts = JSON.parse(readFileSync(root("package.json"), "utf8")).scripts as Record<string, string>;
		expect(scripts.start).toContain(`node ${FLAG} `);
		expect(scripts.bench).toContain(`node ${FLAG} `);
	});

	it("the launcher runs as a program through its shebang", async () => {
		const { stdout } = await promisify(execFile)(root("bin/vikno.js"), ["version"]);
		expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
	});

	it("the edge node's unit runs the bundle with a small young generation, and the bench reads it from there", () => {
		expect(edgeUnitNodeFlags()).toEqual(["--max-semi-space-size=1"]);
	});
});
