/**
 * Writes config/schema/centre.schema.json from the `Centre` schema in core/, so editors
 * (e.g. the YAML language server) validate centre files as they are typed.
 *   npx tsx config/schema/generate.ts           write the file
 *   npx tsx config/schema/generate.ts --check   exit 1 if the committed file no longer matches
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";
import { Centre } from "../../core/centre.ts";

export const SCHEMA_FILE = fileURLToPath(new URL("./centre.schema.json", import.meta.url));

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * The loader fills schema defaults before it validates, so a key with a default may be left out
 * of a file; the editor's schema must not demand it.
 */
function optionalDefaults(node: Json): Json {
	if (Array.isArray(node)) return node.map(optionalDefaults);
	if (node === null || typeof node !== "object") return node;
	const out: { [key: string]: Json } = {};
	for (const [k, v] of Object.entries(node)) out[k] = optionalDefaults(v);
	const properties = node.properties;
	if (Array.isArray(node.required) && properties && typeof properties === "object" && !Array.isArray(properties)) {
		const required = node.required.filter((k) => {
			const p = typeof k === "string" ? properties[k] : undefined;
			return !(p && typeof p === "object" && !Array.isArray(p) && "default" in p);
		});
		if (required.length > 0) out.required = required;
		else delete out.required;
	}
	return out;
}

export function centreJsonSchema(): Json {
	// A JSON round trip keeps exactly what JSON Schema sees (TypeBox's markers are not enumerable).
	const body = JSON.parse(JSON.stringify(Centre)) as { [key: string]: Json };
	return optionalDefaults({
		$schema: "https://json-schema.org/draft/2020-12/schema",
		title: "vikno centre layout",
		description: "A service centre (ЦНАП): services, windows, zones, edge nodes and opening hours.",
		...body,
	});
}

function main(args: string[]): number {
	if (args.includes("--check")) {
		const current: unknown = JSON.parse(readFileSync(SCHEMA_FILE, "utf8"));
		if (isDeepStrictEqual(current, centreJsonSchema())) return 0;
		console.error(`${SCHEMA_FILE} is out of date; run: npx tsx config/schema/generate.ts`);
		return 1;
	}
	writeFileSync(SCHEMA_FILE, `${JSON.stringify(centreJsonSchema(), null, "\t")}\n`);
	// Laid out as `biome check` wants it, so the generated file passes the lint like any other.
	const biome = createRequire(import.meta.url).resolve("@biomejs/biome/bin/biome");
	execFileSync(process.execPath, [biome, "format", "--write", SCHEMA_FILE], { stdio: "inherit" });
	console.log(`wrote ${SCHEMA_FILE}`);
	return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1])
	process.exitCode = main(process.argv.slice(2));
