/**
 * The architecture's rules, read off the source: which folder may import which (dependencies point
 * inward to core/, a composition root on top), no cycle between folders, and the outside libraries
 * only some folders may touch (DESIGN.md; each folder's README says the same). No exceptions are
 * listed: a new import that breaks a rule fails here.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = normalize(join(dirname(fileURLToPath(import.meta.url)), "../.."));

/** Each source folder and the folders of ours it may import (besides itself). */
const MAY_IMPORT: Record<string, readonly string[]> = {
	core: [],
	config: ["core"],
	store: ["core"],
	broker: ["core"],
	edge: ["core"],
	"firmware-sim": ["core"],
	hub: ["core", "store"],
	dashboard: ["core", "store"],
	server: ["core", "config", "broker", "hub", "store", "dashboard"],
	cli: ["core", "config", "broker", "hub", "store", "dashboard", "server", "firmware-sim", "edge"],
	bench: ["core", "config", "broker", "hub", "store", "dashboard", "server", "firmware-sim", "edge", "test"],
};

/** Outside packages that only some places may import: a database, the hardware. */
const ONLY_IN: { packages: RegExp; places: RegExp; why: string }[] = [
	{
		packages: /^(better-sqlite3|influx|@influxdata\/influxdb-client)$/,
		places: /^(store\/|bench\/)/,
		why: "only store/ talks to a database (bench/ measures the raw drivers beside it)",
	},
	{
		packages: /^(level|aedes-persistence-level|aedes-persistence-redis|mqemitter-redis)$/,
		places: /^broker\/persistence\.ts$/,
		why: "the broker's session stores are chosen in one place",
	},
	{
		packages: /^(onoff|johnny-five|serialport|@serialport\/.*|firmata)$/,
		places: /^edge\/drivers\//,
		why: "only a driver file touches the hardware",
	},
];

/** Node modules that do I/O or read the clock of the process: core/ is pure. */
const IO_MODULES =
	/^node:(fs|fs\/promises|net|http|https|http2|dgram|dns|child_process|worker_threads|os|process|tls|readline|cluster)$/;

function sources(dir: string): string[] {
	const out: string[] = [];
	for (const name of readdirSync(dir)) {
		const path = join(dir, name);
		if (name === "node_modules") continue;
		if (statSync(path).isDirectory()) out.push(...sources(path));
		else if (/\.(ts|js|mjs)$/.test(name) && !name.endsWith(".d.ts")) out.push(path);
	}
	return out;
}

/** Every module specifier a file imports or re-exports, statically or dynamically. */
function specifiers(file: string): string[] {
	const text = readFileSync(file, "utf8").replace(/^\s*\/\/.*$/gm, "");
	const out: string[] = [];
	for (const m of text.matchAll(/(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']/g))
		out.push(m[1] as string);
	for (const m of text.matchAll(/(?:^|[\s;])import\s*["']([^"']+)["']/g)) out.push(m[1] as string);
	for (const m of text.matchAll(/import\(\s*["']([^"']+)["']\s*\)/g)) out.push(m[1] as string);
	return out;
}

interface Edge {
	file: string;
	spec: string;
	/** The folder of ours it points into, or undefined for an outside package or a built-in. */
	to?: string;
}

const folderOf = (path: string) => relative(ROOT, path).split("/")[0] as string;

const files = Object.keys(MAY_IMPORT).flatMap((folder) => sources(join(ROOT, folder)));
const edges: Edge[] = files.flatMap((file) =>
	specifiers(file).map((spec): Edge => {
		if (!spec.startsWith(".")) return { file, spec };
		return { file, spec, to: folderOf(join(dirname(file), spec)) };
	}),
);
const rel = (file: string) => relative(ROOT, file);

describe("the import rules", () => {
	it("reads the source tree", () => {
		expect(files.length).toBeGreaterThan(150);
		expect(edges.filter((e) => e.to).length).toBeGreaterThan(300);
	});

	it("lets each folder import only the folders below it", () => {
		const wrong = edges
			.filter((e) => e.to && e.to !== folderOf(e.file) && !MAY_IMPORT[folderOf(e.file)]?.includes(e.to))
			.map((e) => `${rel(e.file)} imports ${e.spec}`);
		expect(wrong).toEqual([]);
	});

	it("has no cycle between folders", () => {
		const graph = new Map<string, Set<string>>();
		for (const e of edges) {
			const from = folderOf(e.file);
			if (!e.to || e.to === from) continue;
			graph.set(from, (graph.get(from) ?? new Set()).add(e.to));
		}
		const cycles: string[] = [];
		const walk = (node: string, path: string[]) => {
			for (const next of graph.get(node) ?? []) {
				if (path.includes(next)) cycles.push([...path.slice(path.indexOf(next)), next].join(" → "));
				else walk(next, [...path, next]);
			}
		};
		for (const node of graph.keys()) walk(node, [node]);
		expect(cycles).toEqual([]);
	});

	it("keeps core/ pure: no I/O modules", () => {
		const io = edges.filter((e) => folderOf(e.file) === "core" && IO_MODULES.test(e.spec));
		expect(io.map((e) => `${rel(e.file)} imports ${e.spec}`)).toEqual([]);
	});

	it("lets nothing but the launcher import cli/", () => {
		const intoCli = edges.filter((e) => e.to === "cli" && folderOf(e.file) !== "cli");
		expect(intoCli.map((e) => `${rel(e.file)} imports ${e.spec}`)).toEqual([]);
	});

	it.each(ONLY_IN)("keeps $packages where it belongs: $why", ({ packages, places }) => {
		const outside = edges.filter((e) => !e.to && packages.test(e.spec) && !places.test(rel(e.file)));
		expect(outside.map((e) => `${rel(e.file)} imports ${e.spec}`)).toEqual([]);
	});
});
