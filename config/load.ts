/**
 * Loads a centre layout from YAML: parse → fill schema defaults → validate against `Centre` →
 * cross-reference checks (`checkLayout`) → deep-freeze. Every problem in the file is reported at
 * once, each with the file, line:column, the JSON-pointer path inside the document and what is wrong.
 */
import { readFileSync } from "node:fs";
import { Compile } from "typebox/compile";
import type { TLocalizedValidationError } from "typebox/error";
import { Settings } from "typebox/system";
import { Value } from "typebox/value";
import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import { Centre } from "../core/centre.ts";
import { checkLayout } from "../core/layout.ts";
import { WEEKDAYS } from "../core/time.ts";

export interface ConfigProblem {
	file: string;
	/** JSON pointer inside the document ("" = the document itself). */
	path: string;
	line?: number;
	column?: number;
	message: string;
}

/** Thrown when a configuration file cannot be used; `problems` lists everything wrong with it. */
export class ConfigError extends Error {
	override readonly name = "ConfigError";
	readonly problems: readonly ConfigProblem[];
	constructor(problems: ConfigProblem[]) {
		super(formatProblems(problems));
		this.problems = problems;
	}
}

/** One line per problem: `file:line:column /path: message`. */
export function formatProblems(problems: readonly ConfigProblem[]): string {
	return problems.map(formatProblem).join("\n");
}

function formatProblem(p: ConfigProblem): string {
	const where = p.line === undefined ? p.file : `${p.file}:${p.line}:${p.column ?? 1}`;
	return p.path === "" ? `${where}: ${p.message}` : `${where} ${p.path}: ${p.message}`;
}

export function loadCentreFile(path: string): Centre {
	let bytes: Buffer;
	try {
		bytes = readFileSync(path);
	} catch (e) {
		throw new ConfigError([{ file: path, path: "", message: readFailure(e) }]);
	}
	let text: string;
	try {
		text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
	} catch {
		throw new ConfigError([{ file: path, path: "", message: "the file is not UTF-8 text" }]);
	}
	return loadCentreText(text, path);
}

function readFailure(e: unknown): string {
	const code = (e as NodeJS.ErrnoException).code;
	if (code === "ENOENT") return "cannot read the file: it does not exist";
	if (code === "EISDIR") return "cannot read the file: it is a directory";
	if (code === "EACCES" || code === "EPERM") return "cannot read the file: permission denied";
	return `cannot read the file: ${(e as Error).message}`;
}

const validator = Compile(Centre);

export function loadCentreText(text: string, fileName: string): Centre {
	const lines = new LineCounter();
	const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
	const at = (offset: number) => {
		const { line, col } = lines.linePos(offset);
		return { line, column: col };
	};
	const problem = (path: string, message: string, offset?: number): ConfigProblem => ({
		file: fileName,
		path,
		...(offset === undefined ? {} : at(offset)),
		message,
	});

	// YAML syntax first: a broken document would only produce confusing schema messages.
	const syntax = [...doc.errors, ...doc.warnings].map((e) => problem("", `YAML: ${e.message}`, e.pos[0]));
	if (syntax.length > 0) throw new ConfigError(syntax);
	if (doc.contents === null) throw new ConfigError([problem("", "the file is empty: expected a centre layout")]);

	let value: unknown;
	try {
		// toJS() builds a fresh tree that nothing else holds, so defaults can be filled into it in place.
		value = Value.Default(Centre, doc.toJS({ maxAliasCount: 100 }));
	} catch (e) {
		throw new ConfigError([problem("", `YAML: ${(e as Error).message}`)]);
	}

	const located = (p: Found) => problem(p.path, p.message, offsetOf(doc, p.path, p.at));
	const schemaFound = validator.Check(value) ? [] : schemaProblems(value, allErrors(value));
	const layoutFound = layoutProblems(value, schemaFound);
	const problems = [...schemaFound, ...layoutFound].map(located);
	if (problems.length > 0) {
		problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
		throw new ConfigError(problems);
	}
	return deepFreeze(value as Centre);
}

/** TypeBox stops collecting after a few errors by default; a config file should show them all. */
function allErrors(value: unknown): TLocalizedValidationError[] {
	const before = Settings.Get().maxErrors;
	Settings.Set({ maxErrors: 500 });
	try {
		return validator.Errors(value);
	} finally {
		Settings.Set({ maxErrors: before });
	}
}

/** A problem before it is given a place in the file; `at: "key"` points at the key rather than its value. */
interface Found {
	path: string;
	message: string;
	at: "key" | "value";
}

/**
 * Cross-reference checks assume a well-typed layout. On a layout with schema problems they still run,
 * over a copy shaped so they can walk it (so one pass shows as much as possible); what they find
 * where the schema already complained is left out, as it would only repeat the same mistake.
 */
function layoutProblems(value: unknown, schemaFound: Found[]): Found[] {
	let found: Found[];
	try {
		const layout = schemaFound.length === 0 ? (value as Centre) : walkable(value);
		found = checkLayout(layout).map((p) => ({ ...p, at: "value" as const }));
	} catch {
		return [];
	}
	const overlaps = (a: string, b: string) => a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
	return found.filter((l) => !schemaFound.some((s) => overlaps(l.path, s.path)));
}

/** Lists where lists belong and mappings where mappings belong, every index kept where it was. */
function walkable(v: unknown): Centre {
	const map = (x: unknown) =>
		x !== null && typeof x === "object" && !Array.isArray(x) ? (x as Record<string, unknown>) : {};
	const list = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);
	const text = (x: unknown) => (typeof x === "string" ? x : "");
	const c = map(v);
	const hours = map(c.hours);
	return {
		...c,
		timeZone: text(c.timeZone),
		hours: Object.fromEntries(WEEKDAYS.map((d) => [d, list(hours[d]).map(text)])),
		services: list(c.services).map(map),
		windows: list(c.windows).map((w) => ({ ...map(w), services: list(map(w).services) })),
		zones: list(c.zones).map(map),
		nodes: list(c.nodes).map(map),
	} as unknown as Centre;
}

/** Turns TypeBox's validation errors into messages a person can act on. */
function schemaProblems(value: unknown, errors: TLocalizedValidationError[]): Found[] {
	const unions = errors.filter((e) => e.keyword === "anyOf").map((e) => `${e.schemaPath}/anyOf/`);
	const out: Found[] = [];
	for (const e of errors) {
		// Inner branches of a union are summarised by the union's own error.
		if (unions.some((u) => `${e.schemaPath}/`.startsWith(u))) continue;
		// "schema is false" on an extra key repeats the additionalProperties error of its parent.
		if (e.keyword === "boolean" && e.schemaPath.endsWith("/additionalProperties")) continue;
		const schema = schemaAt(e.schemaPath);
		const actual = valueAt(value, e.instancePath);
		switch (e.keyword) {
			case "additionalProperties": {
				const allowed = Object.keys((schema?.properties as object | undefined) ?? {}).join(", ");
				for (const key of (e.params as { additionalProperties: string[] }).additionalProperties) {
					out.push({
						path: `${e.instancePath}/${pointerEscape(key)}`,
						message: `unknown key "${key}" (allowed here: ${allowed})`,
						at: "key",
					});
				}
				break;
			}
			case "required":
				for (const key of (e.params as { requiredProperties: string[] }).requiredProperties) {
					out.push({
						path: `${e.instancePath}/${pointerEscape(key)}`,
						message: `required key "${key}" is missing`,
						at: "value",
					});
				}
				break;
			case "anyOf": {
				const branches = (schema?.anyOf as { const?: unknown }[] | undefined) ?? [];
				const message = branches.every((b) => "const" in b)
					? `must be one of ${branches.map((b) => JSON.stringify(b.const)).join(", ")}, got ${show(actual)}`
					: `${e.message}, got ${show(actual)}`;
				out.push({ path: e.instancePath, message, at: "value" });
				break;
			}
			case "type":
				out.push({
					path: e.instancePath,
					message: `must be ${TYPE_WORDS[(e.params as { type: string }).type] ?? e.message}, got ${show(actual)}`,
					at: "value",
				});
				break;
			case "pattern": {
				const expected = typeof schema?.description === "string" ? schema.description : `pattern ${schema?.pattern}`;
				out.push({ path: e.instancePath, message: `${show(actual)} is not valid: expected ${expected}`, at: "value" });
				break;
			}
			default:
				out.push({ path: e.instancePath, message: `${e.message}, got ${show(actual)}`, at: "value" });
		}
	}
	return out;
}

const TYPE_WORDS: Record<string, string> = {
	string: "text",
	integer: "a whole number",
	number: "a number",
	boolean: "true or false",
	array: "a list",
	object: "a mapping (key: value)",
};

function show(v: unknown): string {
	if (v === undefined) return "nothing";
	if (v === null) return "null (empty value)";
	if (Array.isArray(v)) return v.length === 0 ? "an empty list" : `a list of ${v.length}`;
	if (typeof v === "object") return "a mapping";
	if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
	return String(v);
}

const pointerEscape = (segment: string) => segment.replaceAll("~", "~0").replaceAll("/", "~1");
const segments = (pointer: string) =>
	pointer === ""
		? []
		: pointer
				.slice(1)
				.split("/")
				.map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"));

function valueAt(root: unknown, pointer: string): unknown {
	let v = root;
	for (const s of segments(pointer))
		v = v !== null && typeof v === "object" ? (v as Record<string, unknown>)[s] : undefined;
	return v;
}

/** The sub-schema a TypeBox error's `schemaPath` ("#/properties/…") names. */
function schemaAt(schemaPath: string): Record<string, unknown> | undefined {
	const v = valueAt(Centre, schemaPath.replace(/^#/, ""));
	return v !== null && typeof v === "object" ? (v as Record<string, unknown>) : undefined;
}

/**
 * Where in the text a JSON pointer lands: the deepest YAML node along the path that exists
 * (a missing key is reported at the mapping that should hold it).
 */
function offsetOf(doc: Document, pointer: string, at: "key" | "value"): number | undefined {
	let node: unknown = doc.contents;
	let offset = rangeStart(node);
	const path = segments(pointer);
	for (const [i, s] of path.entries()) {
		if (isAlias(node)) node = node.resolve(doc);
		if (isMap(node)) {
			const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === s);
			if (!pair) break;
			const keyStart = rangeStart(pair.key);
			if (i === path.length - 1 && at === "key") return keyStart ?? offset;
			node = pair.value;
			offset = rangeStart(node) ?? keyStart ?? offset;
		} else if (isSeq(node)) {
			const item = node.items[Number(s)];
			if (item === undefined) break;
			node = item;
			offset = rangeStart(node) ?? offset;
		} else break;
	}
	return offset;
}

function rangeStart(node: unknown): number | undefined {
	const range = (node as { range?: [number, number, number] } | null)?.range;
	return range?.[0];
}

function deepFreeze<T>(value: T): T {
	if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
		for (const v of Object.values(value)) deepFreeze(v);
		Object.freeze(value);
	}
	return value;
}
