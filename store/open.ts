/**
 * `--store URL` / `VIKNO_STORE` → a store (DESIGN.md's command line):
 *   sqlite:PATH                                   (default sqlite:<data>/vikno.db)
 *   influx1://[USER:PASS@]HOST:PORT/DATABASE[?rp=NAME&duration=400d&batch=5000&flushMs=0]
 *   influx2://HOST:PORT/?org=ORG&bucket=BUCKET[&batch=5000&flushMs=0]   token from VIKNO_INFLUX_TOKEN
 * `https=1` talks TLS to InfluxDB. An error names the part of the URL that is wrong.
 */
import { isAbsolute, join, resolve } from "node:path";
import { type Influx1Options, Influx1Store } from "./influx1.ts";
import { type Influx2Options, Influx2Store } from "./influx2.ts";
import { SqliteStore } from "./sqlite.ts";
import type { EventStore } from "./types.ts";

export type StoreSpec =
	| { kind: "sqlite"; path: string }
	| { kind: "influx1"; options: Influx1Options }
	| { kind: "influx2"; options: Influx2Options };

export interface OpenStoreOptions {
	dataDir: string;
	/** Each centre's time zone (centre id → IANA name): SQLite keeps rows' local days in it. */
	timeZones?: Readonly<Record<string, string>>;
	env?: NodeJS.ProcessEnv;
}

const FORMS = {
	sqlite: "sqlite:PATH",
	influx1: "influx1://HOST:PORT/DATABASE[?rp=…&duration=…&batch=…&flushMs=…]",
	influx2: "influx2://HOST:PORT/?org=…&bucket=… (token in VIKNO_INFLUX_TOKEN)",
};

export class StoreUrlError extends Error {
	constructor(url: string, problem: string) {
		super(`--store "${redact(url)}": ${problem}`);
		this.name = "StoreUrlError";
	}
}

/** Never echo a password back. */
function redact(url: string): string {
	return url.replace(/\/\/([^:/@]+):[^@/]*@/, "//$1:***@");
}

export function defaultStoreUrl(dataDir: string): string {
	return `sqlite:${join(dataDir, "vikno.db")}`;
}

export function parseStoreUrl(url: string, opts: OpenStoreOptions): StoreSpec {
	const text = url.trim() || defaultStoreUrl(opts.dataDir);
	const scheme = text.match(/^([a-z0-9]+):/i)?.[1]?.toLowerCase();
	if (scheme === "sqlite") {
		const path = text.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "");
		if (path === ":memory:") return { kind: "sqlite", path };
		return { kind: "sqlite", path: path ? (isAbsolute(path) ? path : resolve(path)) : join(opts.dataDir, "vikno.db") };
	}
	if (scheme !== "influx1" && scheme !== "influx2") {
		throw new StoreUrlError(
			text,
			`scheme "${scheme ?? text}" is not one of sqlite, influx1, influx2 (${Object.values(FORMS).join(" | ")})`,
		);
	}
	let u: URL;
	try {
		u = new URL(text);
	} catch {
		throw new StoreUrlError(text, `not a URL of the form ${FORMS[scheme]}`);
	}
	if (!u.hostname) throw new StoreUrlError(text, `host is missing (${FORMS[scheme]})`);
	const port = u.port ? Number(u.port) : 8086;
	const params = new Params(text, u.searchParams);
	const batch = { batchSize: params.int("batch", 1, 1_000_000), flushMs: params.int("flushMs", 0, 600_000) };
	const https = params.flag("https");
	const host = u.hostname.replace(/^\[|\]$/g, "");
	if (scheme === "influx1") {
		const database = decodeURIComponent(u.pathname.replace(/^\/+|\/+$/g, ""));
		if (!database) throw new StoreUrlError(text, `database is missing after the port (${FORMS.influx1})`);
		if (database.includes("/")) throw new StoreUrlError(text, `database "${database}" must be one path segment`);
		const rp = params.string("rp");
		const duration = params.string("duration");
		if (duration && !/^(INF|(\d+(ns|u|ms|s|m|h|d|w))+)$/.test(duration)) {
			throw new StoreUrlError(text, `duration "${duration}" is not an InfluxDB duration such as 400d, 52w or INF`);
		}
		if (duration && !rp) throw new StoreUrlError(text, "duration needs rp=NAME (the retention policy it is for)");
		params.done();
		const options: Influx1Options = { host, port, database, ...clean(batch) };
		if (https) options.protocol = "https";
		if (u.username) {
			options.username = decodeURIComponent(u.username);
			options.password = decodeURIComponent(u.password);
		}
		if (rp) options.retentionPolicy = { name: rp, duration: duration ?? "400d" };
		return { kind: "influx1", options };
	}
	if (u.pathname.replace(/\/+/g, "") !== "") {
		throw new StoreUrlError(text, `path "${u.pathname}" is not used: give the bucket as ?bucket=… (${FORMS.influx2})`);
	}
	const org = params.string("org");
	const bucket = params.string("bucket");
	if (!org) throw new StoreUrlError(text, `org is missing (${FORMS.influx2})`);
	if (!bucket) throw new StoreUrlError(text, `bucket is missing (${FORMS.influx2})`);
	params.done();
	const token = (opts.env ?? process.env).VIKNO_INFLUX_TOKEN;
	if (!token) throw new StoreUrlError(text, "the token is missing: set VIKNO_INFLUX_TOKEN");
	const options: Influx2Options = {
		url: `${https ? "https" : "http"}://${u.host}`,
		org,
		bucket,
		token,
		...clean(batch),
	};
	return { kind: "influx2", options };
}

export function openStore(url: string, opts: OpenStoreOptions): EventStore {
	const spec = parseStoreUrl(url, opts);
	switch (spec.kind) {
		case "sqlite":
			return new SqliteStore(spec.path, opts.timeZones ? { timeZones: opts.timeZones } : {});
		case "influx1":
			return new Influx1Store(spec.options);
		case "influx2":
			return new Influx2Store(spec.options);
	}
}

function clean<T extends object>(o: T): Partial<T> {
	return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Query parameters, each read once; any left over is an error naming it. */
class Params {
	private readonly used = new Set<string>();
	constructor(
		private readonly url: string,
		private readonly p: URLSearchParams,
	) {}

	string(name: string): string | undefined {
		this.used.add(name);
		const v = this.p.get(name);
		return v === null || v === "" ? undefined : v;
	}

	int(name: string, min: number, max: number): number | undefined {
		const v = this.string(name);
		if (v === undefined) return undefined;
		const n = Number(v);
		if (!Number.isInteger(n) || n < min || n > max) {
			throw new StoreUrlError(this.url, `${name}=${v} must be an integer from ${min} to ${max}`);
		}
		return n;
	}

	flag(name: string): boolean {
		const v = this.string(name);
		if (v === undefined || v === "0" || v === "false") return false;
		if (v === "1" || v === "true") return true;
		throw new StoreUrlError(this.url, `${name}=${v} must be 1 or 0`);
	}

	done() {
		for (const key of this.p.keys()) {
			if (!this.used.has(key)) throw new StoreUrlError(this.url, `unknown parameter "${key}"`);
		}
	}
}
