/**
 * Read an edge config file (YAML or JSON), apply environment overrides and schema defaults,
 * validate it and report every problem at once as "file: /path: problem". Returns a frozen config.
 */
import { readFile } from "node:fs/promises";
import { Compile } from "typebox/compile";
import Value from "typebox/value";
import { parse as parseYaml } from "yaml";
import { isTimeZone } from "../core/time.ts";
import { EdgeConfig } from "./config.ts";

export interface ConfigProblem {
	path: string;
	message: string;
}

export class EdgeConfigError extends Error {
	readonly code = "EDGE_CONFIG";
	constructor(
		readonly file: string,
		readonly problems: ConfigProblem[],
	) {
		super(`bad edge config ${file}:\n${problems.map((p) => `  ${file}: ${p.path || "/"}: ${p.message}`).join("\n")}`);
		this.name = "EdgeConfigError";
	}
}

/** Environment overrides: one prefix, a short explicit table (secrets should not sit in the file). */
export const ENV_OVERRIDES: Record<string, string[]> = {
	VIKNO_EDGE_BROKER_URL: ["broker", "url"],
	VIKNO_EDGE_BROKER_USERNAME: ["broker", "username"],
	VIKNO_EDGE_BROKER_PASSWORD: ["broker", "password"],
	VIKNO_EDGE_DATA_DIR: ["dataDir"],
	VIKNO_EDGE_LOG_LEVEL: ["log", "level"],
	VIKNO_EDGE_PRINTER_TICKET_KEY: ["terminal", "printer", "ticketKey"],
};

const check = Compile(EdgeConfig);

function applyEnv(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): void {
	for (const [key, path] of Object.entries(ENV_OVERRIDES)) {
		const value = env[key];
		if (value === undefined || value === "") continue;
		let at: Record<string, unknown> = raw;
		for (const part of path.slice(0, -1)) {
			const next = at[part];
			if (typeof next !== "object" || next === null) at[part] = {};
			at = at[part] as Record<string, unknown>;
		}
		at[path[path.length - 1] as string] = value;
	}
}

/** Checks beyond the schema: the role's section exists, every referenced input/output is declared. */
export function checkEdgeConfig(c: EdgeConfig): ConfigProblem[] {
	const problems: ConfigProblem[] = [];
	const inputs = new Set<string>();
	const outputs = new Set<string>();
	const pins = new Map<string, string>();
	const declare = (list: { name: string; pin: number | string }[], where: string, names: Set<string>) => {
		list.forEach((io, i) => {
			if (inputs.has(io.name) || outputs.has(io.name)) {
				problems.push({ path: `/${where}/${i}/name`, message: `name "${io.name}" is used twice` });
			}
			names.add(io.name);
			const other = pins.get(String(io.pin));
			if (other) problems.push({ path: `/${where}/${i}/pin`, message: `pin ${io.pin} is also used by "${other}"` });
			else pins.set(String(io.pin), io.name);
		});
	};
	declare(c.inputs, "inputs", inputs);
	declare(c.outputs, "outputs", outputs);
	const needIn = (name: string | undefined, path: string) => {
		if (name !== undefined && !inputs.has(name)) problems.push({ path, message: `no input named "${name}"` });
	};
	const needOut = (name: string | undefined, path: string) => {
		if (name !== undefined && !outputs.has(name)) problems.push({ path, message: `no output named "${name}"` });
	};
	const section = c[c.role];
	if (!section) {
		problems.push({ path: `/${c.role}`, message: `role is "${c.role}" but the "${c.role}" section is missing` });
		return problems;
	}
	if (c.role === "window" && c.window) {
		c.window.ratingButtons.forEach((b, i) => {
			needIn(b, `/window/ratingButtons/${i}`);
		});
		needOut(c.window.thanksLed, "/window/thanksLed");
		needOut(c.window.buzzer, "/window/buzzer");
		for (const [k, v] of Object.entries(c.window.admin)) needIn(v, `/window/admin/${k}`);
	}
	if (c.role === "terminal" && c.terminal) {
		c.terminal.buttons.forEach((b, i) => {
			needIn(b.input, `/terminal/buttons/${i}/input`);
		});
		needOut(c.terminal.buzzer, "/terminal/buzzer");
		needOut(c.terminal.led, "/terminal/led");
		const pr = c.terminal.printer;
		if (pr && (pr.connection === "sim" || pr.connection === "device") && !pr.path)
			problems.push({ path: "/terminal/printer/path", message: `a ${pr.connection} printer needs a path` });
		if (pr?.connection === "tcp" && !pr.host)
			problems.push({ path: "/terminal/printer/host", message: "a tcp printer needs a host" });
	}
	if (c.role === "door" && c.door) {
		if (c.door.beams) {
			needIn(c.door.beams.outer, "/door/beams/outer");
			needIn(c.door.beams.inner, "/door/beams/inner");
		} else if (!c.bridge.enabled) {
			problems.push({ path: "/door", message: "a door node needs beams, or the bridge enabled to receive counts" });
		}
	}
	if (!isTimeZone(c.timeZone))
		problems.push({ path: "/timeZone", message: `unknown time zone "${c.timeZone}" (use an IANA name)` });
	return problems;
}

/** Validate an already parsed document; `file` names it in errors. */
export function parseEdgeConfig(doc: unknown, file: string, env: NodeJS.ProcessEnv = {}): Readonly<EdgeConfig> {
	if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
		throw new EdgeConfigError(file, [{ path: "/", message: "the file must hold an object (a YAML mapping)" }]);
	}
	const raw = structuredClone(doc) as Record<string, unknown>;
	applyEnv(raw, env);
	const value = Value.Default(EdgeConfig, raw);
	if (!check.Check(value)) {
		const problems = [...check.Errors(value)].map((e) => ({ path: e.instancePath, message: e.message }));
		throw new EdgeConfigError(file, problems);
	}
	const config = value as EdgeConfig;
	const problems = checkEdgeConfig(config);
	if (problems.length > 0) throw new EdgeConfigError(file, problems);
	return deepFreeze(config);
}

export async function loadEdgeConfig(
	file: string,
	env: NodeJS.ProcessEnv = process.env,
): Promise<Readonly<EdgeConfig>> {
	let text: string;
	try {
		text = await readFile(file, "utf8");
	} catch (e) {
		throw new EdgeConfigError(file, [{ path: "", message: `cannot read the file: ${(e as Error).message}` }]);
	}
	let doc: unknown;
	try {
		doc = file.endsWith(".json") ? JSON.parse(text) : parseYaml(text);
	} catch (e) {
		throw new EdgeConfigError(file, [{ path: "", message: `not valid YAML/JSON: ${(e as Error).message}` }]);
	}
	return parseEdgeConfig(doc, file, env);
}

function deepFreeze<T>(v: T): T {
	if (typeof v === "object" && v !== null) {
		for (const x of Object.values(v)) deepFreeze(x);
		Object.freeze(v);
	}
	return v;
}
