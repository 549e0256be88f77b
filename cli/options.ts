/** Options shared by `vikno demo` and `vikno hub` (DESIGN.md, command line). */
import { readFileSync } from "node:fs";
import { type ParseArgsConfig, parseArgs } from "node:util";
import { type Centre, timeZonesOf } from "../core/centre.ts";
import { openStore } from "../store/open.ts";

export class UsageError extends Error {}

/** This program's version (package.json). */
export function version(): string {
	const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
	return pkg.version;
}

export const HUB_OPTIONS = {
	config: { type: "string", multiple: true },
	data: { type: "string", default: "./data" },
	"http-port": { type: "string" },
	"mqtt-port": { type: "string" },
	host: { type: "string" },
	store: { type: "string" },
	help: { type: "boolean", short: "h", default: false },
} as const satisfies ParseArgsConfig["options"];

export function parse<O extends NonNullable<ParseArgsConfig["options"]>>(args: string[], options: O) {
	try {
		return parseArgs({ args, options, allowPositionals: false, strict: true }).values;
	} catch (e) {
		throw new UsageError((e as Error).message);
	}
}

/** A TCP port from an option: 0..65535, 0 = any free port. */
export function port(value: string | undefined, name: string, fallback: number): number {
	if (value === undefined) return fallback;
	const n = Number(value);
	if (!/^\d+$/.test(value) || n > 65535)
		throw new UsageError(`--${name} must be a port number 0..65535, got "${value}"`);
	return n;
}

/** `--store` or VIKNO_STORE, else SQLite under the data dir (DESIGN.md, command line). */
export function storeUrl(value: string | undefined, dataDir: string): string {
	return value ?? process.env.VIKNO_STORE ?? `sqlite:${dataDir}/vikno.db`;
}

/**
 * What `vikno hub` and `vikno demo` give their hub alike: the centres, the data dir, the store
 * (in each centre's zone) and the two ports.
 */
export function hubBasics(
	o: { data: string; store?: string | undefined; "mqtt-port"?: string | undefined; "http-port"?: string | undefined },
	centres: Centre[],
) {
	return {
		centres,
		dataDir: o.data,
		store: openStore(storeUrl(o.store, o.data), { dataDir: o.data, timeZones: timeZonesOf(centres) }),
		mqttPort: port(o["mqtt-port"], "mqtt-port", 1883),
		httpPort: port(o["http-port"], "http-port", 8080),
	};
}
