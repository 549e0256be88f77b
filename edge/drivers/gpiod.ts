/**
 * GPIO through the Linux character device (/dev/gpiochipN), for kernels without sysfs GPIO,
 * by running Debian's `gpiod` tools (`sudo apt-get install gpiod`) as child processes — no
 * native module to compile. Pins are line offsets on one chip (BCM numbers on the SoC's
 * `pinctrl-*` chip, found by label with `gpiodetect`).
 *
 * - Inputs: `gpioget` reads the starting levels, then one long-running `gpiomon` per bias
 *   (pull-up / pull-down / none) watches all input lines and prints every edge. A line can be
 *   held by one process only, so the levels are read before the monitor starts: an edge in the
 *   few milliseconds between the two is not seen (the next one is).
 * - Outputs: one `gpioset` per output line holds its value (see `setArgs`); a change replaces
 *   the process, after the old one has exited and freed the line.
 * - A tool that exits unexpectedly is reported through `onError` with its message and started
 *   again after `restartMs` (doubling up to 30 s while it keeps failing).
 *
 * Debounce stays above the driver, the same for every driver.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { DriverConfig, InputConfig, OutputConfig } from "../config.ts";
import type { Driver, EdgeListener, Output } from "./driver.ts";
import {
	type Bias,
	type ChipInfo,
	getArgs,
	monitorArgs,
	parseChips,
	parseGeneration,
	parseLevels,
	parseMonitorLine,
	selectChip,
	setArgs,
	type ToolGeneration,
} from "./gpiod-tools.ts";

export class GpiodError extends Error {
	readonly code = "EDGE_GPIOD";
}

export interface GpiodOptions {
	/** Directory of gpiodetect, gpioget, gpiomon and gpioset; absent = found on PATH. */
	toolsDir?: string;
	chipLabel?: string;
	/** A tool failed while running (it is restarted); default: written to stderr. */
	onError?: (e: GpiodError) => void;
	restartMs?: number;
}

const MAX_RESTART_MS = 30_000;
/** A monitor that ran this long is healthy again: its next failure restarts it at once. */
const HEALTHY_MS = 10_000;

type Tools = { tool: (name: string) => string };

function run(tools: Tools, name: string, args: string[]): Promise<string> {
	return new Promise((resolve, reject) => {
		execFile(tools.tool(name), args, { timeout: 10_000 }, (err, stdout, stderr) => {
			if (!err) return resolve(stdout);
			const e = err as NodeJS.ErrnoException;
			if (e.code === "ENOENT") {
				return reject(new GpiodError(`${name} not found: install Debian's gpiod tools (sudo apt-get install gpiod)`));
			}
			reject(new GpiodError(`${name} ${args.join(" ")} failed: ${lastLine(stderr) || e.message}`));
		});
	});
}

const lastLine = (text: string) => text.trim().split("\n").pop()?.trim() ?? "";

function exitText(name: string, code: number | null, signal: NodeJS.Signals | null, stderr: string): string {
	const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
	const why = lastLine(stderr);
	return why ? `${name} ${how}: ${why}` : `${name} ${how}`;
}

/** Children this driver asked to stop: their exit is not a failure. */
const stopped = new WeakSet<ChildProcess>();

/** A tool that has not let go this long after being asked is killed. */
const STOP_GRACE_MS = 1000;

/** Stop a child and wait until it has exited (and so freed its lines). */
function stopChild(child: ChildProcess | undefined, how: "eof" | "signal"): Promise<void> {
	if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
	stopped.add(child);
	return new Promise((resolve) => {
		const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
		child.once("exit", () => {
			clearTimeout(timer);
			resolve();
		});
		if (how === "eof") child.stdin?.end();
		else child.kill("SIGTERM");
	});
}

interface WatchedLine {
	offset: number;
	activeLow: boolean;
	listener: EdgeListener;
	/** Last logical level reported; undefined before the first read. */
	active?: boolean;
}

/** One gpiomon for the input lines sharing a bias. */
class Monitor {
	readonly lines = new Map<number, WatchedLine>();
	private child: ChildProcess | undefined;
	private closed = false;
	private startedAt = 0;
	private delay: number;
	private timer: NodeJS.Timeout | undefined;
	private pending = false;
	private busy: Promise<void> = Promise.resolve();

	constructor(
		private readonly driver: GpiodDriver,
		private readonly bias: Bias,
	) {
		this.delay = driver.restartMs;
	}

	add(line: WatchedLine): void {
		this.lines.set(line.offset, line);
		// Inputs are added in one go at start: (re)start once, after the last of them.
		if (this.pending) return;
		this.pending = true;
		setImmediate(() => {
			this.pending = false;
			this.restart();
		});
	}

	private restart(): void {
		clearTimeout(this.timer);
		this.busy = this.busy.then(() => this.start());
	}

	private report(active: boolean, line: WatchedLine): void {
		if (line.active === active) return;
		const first = line.active === undefined;
		line.active = active;
		// The first level read is the resting level, not an edge (unless the input is already active).
		if (first && !active) return;
		line.listener(active);
	}

	private level(line: WatchedLine, high: boolean): boolean {
		return high !== line.activeLow;
	}

	private async start(): Promise<void> {
		if (this.closed) return;
		await stopChild(this.child, "signal");
		const { tools, gen, chip } = this.driver;
		const offsets = [...this.lines.keys()].sort((a, b) => a - b);
		try {
			const levels = parseLevels(
				await run(tools, "gpioget", getArgs(gen, chip.name, offsets, this.bias)),
				offsets.length,
			);
			offsets.forEach((o, i) => {
				const line = this.lines.get(o) as WatchedLine;
				this.report(this.level(line, levels[i] as boolean), line);
			});
		} catch (e) {
			this.fail(e instanceof GpiodError ? e : new GpiodError((e as Error).message));
			return;
		}
		if (this.closed) return;
		const child = spawn(tools.tool("gpiomon"), monitorArgs(gen, chip.name, offsets, this.bias), {
			stdio: ["ignore", "pipe", "pipe"],
		});
		this.child = child;
		this.startedAt = Date.now();
		let stderr = "";
		child.stderr?.setEncoding("utf8");
		child.stderr?.on("data", (d: string) => {
			stderr = (stderr + d).slice(-2000);
		});
		createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (text) => {
			const event = parseMonitorLine(text);
			const line = event && this.lines.get(event.offset);
			if (event && line) this.report(this.level(line, event.high), line);
		});
		let failed = false;
		const onEnd = (message: string) => {
			if (failed) return;
			failed = true;
			if (this.child === child) this.child = undefined;
			if (stopped.has(child) || this.closed) return;
			this.fail(new GpiodError(`${message} (watching ${chip.name} lines ${offsets.join(", ")})`));
		};
		child.once("error", (e: NodeJS.ErrnoException) =>
			onEnd(e.code === "ENOENT" ? "gpiomon not found: install Debian's gpiod tools" : `gpiomon: ${e.message}`),
		);
		child.once("exit", (code, signal) => onEnd(exitText("gpiomon", code, signal, stderr)));
	}

	private fail(e: GpiodError): void {
		if (this.closed) return;
		if (this.startedAt && Date.now() - this.startedAt >= HEALTHY_MS) this.delay = this.driver.restartMs;
		this.driver.onError(e);
		this.timer = setTimeout(() => this.restart(), this.delay);
		this.delay = Math.min(this.delay * 2, MAX_RESTART_MS);
	}

	async close(): Promise<void> {
		this.closed = true;
		clearTimeout(this.timer);
		await this.busy;
		await stopChild(this.child, "signal");
	}
}

/** One gpioset holding one output line. */
class HeldLine implements Output {
	private child: ChildProcess | undefined;
	private applied: boolean | undefined;
	private chain: Promise<void> = Promise.resolve();
	private closed = false;

	constructor(
		private readonly driver: GpiodDriver,
		private readonly offset: number,
		private readonly activeLow: boolean,
	) {
		this.set(false);
	}

	set(on: boolean): void {
		// In order, each after the previous process has let go of the line.
		this.chain = this.chain.then(() => this.drive(on));
	}

	private async drive(on: boolean): Promise<void> {
		if (this.closed || (on === this.applied && this.child)) return;
		const { tools, gen, chip } = this.driver;
		await stopChild(this.child, gen === 1 ? "eof" : "signal");
		if (this.closed) return;
		const high = on !== this.activeLow;
		const child = spawn(tools.tool("gpioset"), setArgs(gen, chip.name, this.offset, high), {
			stdio: ["pipe", "ignore", "pipe"],
		});
		this.child = child;
		this.applied = on;
		let stderr = "";
		child.stderr?.setEncoding("utf8");
		child.stderr?.on("data", (d: string) => {
			stderr = (stderr + d).slice(-2000);
		});
		// A gpioset that died has closed its stdin: writing our end then must not throw.
		child.stdin?.on("error", () => {});
		let reported = false;
		const onEnd = (message: string) => {
			if (reported) return;
			reported = true;
			if (this.child === child) this.child = undefined;
			if (stopped.has(child) || this.closed) return;
			// Released: the next set() starts a new gpioset.
			this.applied = undefined;
			this.driver.onError(new GpiodError(`${message} (driving ${chip.name} line ${this.offset})`));
		};
		child.once("error", (e: NodeJS.ErrnoException) =>
			onEnd(e.code === "ENOENT" ? "gpioset not found: install Debian's gpiod tools" : `gpioset: ${e.message}`),
		);
		child.once("exit", (code, signal) => onEnd(exitText("gpioset", code, signal, stderr)));
	}

	async close(): Promise<void> {
		this.closed = true;
		await this.chain;
		await stopChild(this.child, this.driver.gen === 1 ? "eof" : "signal");
	}
}

export class GpiodDriver implements Driver {
	readonly kind = "gpiod";
	readonly restartMs: number;
	readonly onError: (e: GpiodError) => void;
	private readonly monitors = new Map<Bias, Monitor>();
	private readonly outputs: HeldLine[] = [];
	private closing: Promise<void> | undefined;

	constructor(
		readonly tools: Tools,
		readonly gen: ToolGeneration,
		readonly chip: ChipInfo,
		opts: GpiodOptions = {},
	) {
		this.restartMs = opts.restartMs ?? 1000;
		this.onError = opts.onError ?? ((e) => process.stderr.write(`${e.message}\n`));
	}

	private offset(pin: number | string): number {
		const n = typeof pin === "number" ? pin : Number(pin.replace(/^GPIO/i, ""));
		if (!Number.isInteger(n) || n < 0 || n >= this.chip.lines) {
			throw new GpiodError(`gpiod driver: pin "${pin}" is not a line of ${this.chip.name} (0…${this.chip.lines - 1})`);
		}
		return n;
	}

	input(config: InputConfig, listener: EdgeListener): void {
		const offset = this.offset(config.pin);
		const bias: Bias = config.pull === "up" ? "pull-up" : config.pull === "down" ? "pull-down" : "disable";
		let monitor = this.monitors.get(bias);
		if (!monitor) {
			monitor = new Monitor(this, bias);
			this.monitors.set(bias, monitor);
		}
		monitor.add({ offset, activeLow: config.activeLow, listener });
	}

	output(config: OutputConfig): Output {
		const line = new HeldLine(this, this.offset(config.pin), config.activeLow);
		this.outputs.push(line);
		return line;
	}

	close(): Promise<void> {
		this.closing ??= Promise.all([
			...[...this.monitors.values()].map((m) => m.close()),
			...this.outputs.map((o) => o.close()),
		]).then(() => {});
		return this.closing;
	}
}

/** Find the tools and the chip, then make the driver. Fails with an actionable message. */
export async function createGpiodDriver(
	config: Pick<DriverConfig, "chipLabel" | "toolsDir">,
	opts: Omit<GpiodOptions, "chipLabel" | "toolsDir"> = {},
): Promise<GpiodDriver> {
	const dir = config.toolsDir;
	const tools: Tools = { tool: (name) => (dir ? join(dir, name) : name) };
	const gen = parseGeneration(await run(tools, "gpiodetect", ["--version"]));
	const chip = selectChip(parseChips(await run(tools, "gpiodetect", [])), config.chipLabel);
	return new GpiodDriver(tools, gen, chip, opts);
}
