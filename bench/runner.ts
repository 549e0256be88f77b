/**
 * Runs benchmarks one after another: a progress line per step on stderr (which bench, n of N,
 * elapsed), each bench's figures as one JSON object on the last line of its stdout (DESIGN.md's
 * benchmark contract), and its section of docs/benchmarks.md rewritten after it finishes. The
 * registry is a parameter, so a test runs the same code on a bench of its own.
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { readCpuTimes, readLoad, readMachine, stolenPct } from "./machine.ts";
import { formatDuration, placeSection, renderSection } from "./section.ts";

export interface BenchModule {
	run: () => Promise<Record<string, unknown>>;
}
/** Bench name → its module, loaded only when it runs. */
export type Registry = Record<string, () => Promise<BenchModule>>;

export const DEFAULT_DOCS = join(import.meta.dirname, "../docs/benchmarks.md");

export interface SuiteOptions {
	registry: Registry;
	/** Names to run, in this order; empty: every bench of the registry. */
	names: string[];
	/** Names DESIGN.md promises that are not built yet (a clearer refusal than "unknown"). */
	planned?: string[];
	/** Rewrite each bench's section of `docsPath`. */
	write: boolean;
	docsPath: string;
	/** The environment the benches read (`VIKNO_BENCH_*`), recorded with the command. */
	env: NodeJS.ProcessEnv;
	/** Where the progress lines go (default stderr) and the JSON lines (default stdout). */
	progress?: (line: string) => void;
	result?: (line: string) => void;
	/** A "still running" line this often while a bench runs (default 30 s). */
	progressEveryMs?: number;
}

/** Variables that steer the runner itself, not a bench's figures. */
const RUNNER_ENV = new Set(["VIKNO_BENCH_WRITE", "VIKNO_BENCH_DOCS"]);

/** `npm run bench -- NAME`, preceded by the `VIKNO_BENCH_*` variables that were set. */
export function commandFor(name: string, env: NodeJS.ProcessEnv): string {
	const vars = Object.keys(env)
		.filter((k) => k.startsWith("VIKNO_BENCH_") && !RUNNER_ENV.has(k))
		.sort()
		.map((k) => `${k}=${env[k]}`);
	return [...vars, `npm run bench -- ${name}`].join(" ");
}

function writeSection(path: string, name: string, body: string): void {
	const next = placeSection(readFileSync(path, "utf8"), name, body);
	// A whole file or the old one, never half of it: the page also holds hand-written text.
	const tmp = `${path}.${process.pid}.tmp`;
	writeFileSync(tmp, next);
	renameSync(tmp, path);
}

/** Runs the benches; resolves to the exit code (0 all ran, 1 one failed, 2 a name is unknown). */
export async function runSuite(o: SuiteOptions): Promise<number> {
	const progress = o.progress ?? ((line: string) => process.stderr.write(`${line}\n`));
	const result = o.result ?? ((line: string) => process.stdout.write(`${line}\n`));
	const available = Object.keys(o.registry);
	const names = o.names.length ? o.names : available;
	for (const name of names) {
		if (o.registry[name]) continue;
		const why = o.planned?.includes(name) ? "is not built yet" : "is unknown";
		progress(`bench "${name}" ${why}; available: ${available.join(", ")}`);
		return 2;
	}
	const rel = relative(process.cwd(), o.docsPath);
	const docsName = rel && !rel.startsWith("..") ? rel : o.docsPath;
	const suiteStart = performance.now();
	const suite = () => formatDuration(performance.now() - suiteStart);
	const failed: string[] = [];
	for (const [i, name] of names.entries()) {
		const tag = `[bench ${i + 1}/${names.length}] ${name}`;
		const load = o.registry[name];
		if (!load) continue; // checked above
		const startedAt = new Date();
		const machine = readMachine();
		const cpu0 = readCpuTimes();
		const t0 = performance.now();
		progress(`${tag}: started · suite ${suite()}`);
		const ticker = setInterval(
			() => progress(`${tag}: running ${formatDuration(performance.now() - t0)} · suite ${suite()}`),
			o.progressEveryMs ?? 30_000,
		);
		ticker.unref();
		let figures: Record<string, unknown>;
		try {
			figures = await (await load()).run();
		} catch (e) {
			progress(`${tag}: failed after ${formatDuration(performance.now() - t0)}: ${(e as Error).stack ?? e}`);
			failed.push(name);
			continue;
		} finally {
			clearInterval(ticker);
		}
		const durationMs = performance.now() - t0;
		const loadEnd = readLoad();
		const stolen = stolenPct(cpu0, readCpuTimes());
		result(JSON.stringify({ bench: name, ...figures }));
		progress(`${tag}: done in ${formatDuration(durationMs)} · suite ${suite()}`);
		if (!o.write) continue;
		const body = renderSection({
			name,
			figures,
			command: commandFor(name, o.env),
			machine,
			startedAt,
			durationMs,
			loadEnd,
			...(stolen !== undefined ? { stolenPct: stolen } : {}),
			ofSuite: names.length,
		});
		try {
			writeSection(o.docsPath, name, body);
			progress(`${tag}: figures written to ${docsName}`);
		} catch (e) {
			progress(`${tag}: could not write ${docsName}: ${(e as Error).message}`);
			failed.push(name);
		}
	}
	const summary = failed.length ? `, failed: ${failed.join(", ")}` : "";
	progress(`benchmarks: ${names.length - failed.length} of ${names.length} done in ${suite()}${summary}`);
	return failed.length ? 1 : 0;
}

export const USAGE = `usage: npm run bench [-- [--no-write] [--docs FILE] [NAME…]]
  NAME         run only these benches (default: all)
  --no-write   print the figures, leave docs/benchmarks.md alone (also VIKNO_BENCH_WRITE=0)
  --docs FILE  write the sections into FILE instead of docs/benchmarks.md (also VIKNO_BENCH_DOCS)`;

/** The command line of `npm run bench`: options, then the suite. */
export async function main(
	registry: Registry,
	planned: string[],
	argv: string[] = process.argv.slice(2),
	env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
	let args: ReturnType<typeof parse>;
	try {
		args = parse(argv);
	} catch (e) {
		process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
		return 2;
	}
	if (args.values.help) {
		process.stdout.write(`${USAGE}\n`);
		return 0;
	}
	return runSuite({
		registry,
		planned,
		names: args.positionals,
		write: !args.values["no-write"] && env.VIKNO_BENCH_WRITE !== "0",
		docsPath: args.values.docs ?? env.VIKNO_BENCH_DOCS ?? DEFAULT_DOCS,
		env,
	});
}

function parse(argv: string[]) {
	return parseArgs({
		args: argv,
		allowPositionals: true,
		options: { "no-write": { type: "boolean" }, docs: { type: "string" }, help: { type: "boolean", short: "h" } },
	});
}
