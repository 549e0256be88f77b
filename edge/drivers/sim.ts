/**
 * The simulated driver: inputs are driven by calls (tests, the simulator, benchmarks) or, with
 * `stdio`, by lines "press NAME" / "release NAME" / "tap NAME" on stdin, so a node can be tried
 * on a laptop; output changes are kept and, with `stdio`, printed as JSON lines on stdout.
 */
import { createInterface } from "node:readline";
import type { InputConfig, OutputConfig } from "../config.ts";
import type { Driver, EdgeListener, Output } from "./driver.ts";

export interface OutputChange {
	name: string;
	on: boolean;
	at: number;
}

export class SimDriver implements Driver {
	readonly kind = "sim";
	readonly levels = new Map<string, boolean>();
	readonly outputs = new Map<string, boolean>();
	readonly changes: OutputChange[] = [];
	private readonly listeners = new Map<string, EdgeListener>();
	private readonly outputListeners = new Set<(c: OutputChange) => void>();
	private closeStdio: (() => void) | undefined;

	constructor(opts: { stdio?: boolean } = {}) {
		if (opts.stdio) this.attachStdio();
	}

	input(config: InputConfig, listener: EdgeListener): void {
		this.listeners.set(config.name, listener);
		this.levels.set(config.name, false);
	}

	output(config: OutputConfig): Output {
		this.outputs.set(config.name, false);
		return {
			set: (on) => {
				if (this.outputs.get(config.name) === on) return;
				this.outputs.set(config.name, on);
				const change = { name: config.name, on, at: performance.now() };
				this.changes.push(change);
				if (this.changes.length > 10_000) this.changes.splice(0, 5_000);
				for (const l of this.outputListeners) l(change);
			},
		};
	}

	/** Drive an input's logical level (a raw edge: bounces are the caller's to script). */
	set(name: string, active: boolean): void {
		const listener = this.listeners.get(name);
		if (!listener) throw new Error(`sim driver: no input named "${name}"`);
		this.levels.set(name, active);
		listener(active);
	}

	/** A clean press and release. */
	tap(name: string): void {
		this.set(name, true);
		this.set(name, false);
	}

	onOutput(listener: (c: OutputChange) => void): () => void {
		this.outputListeners.add(listener);
		return () => this.outputListeners.delete(listener);
	}

	async close(): Promise<void> {
		this.closeStdio?.();
		this.listeners.clear();
	}

	private attachStdio(): void {
		const rl = createInterface({ input: process.stdin });
		rl.on("line", (line) => {
			const [verb, name = ""] = line.trim().split(/\s+/);
			try {
				if (verb === "press") this.set(name, true);
				else if (verb === "release") this.set(name, false);
				else if (verb === "tap") this.tap(name);
			} catch (e) {
				process.stderr.write(`${(e as Error).message}\n`);
			}
		});
		const print = (c: OutputChange) => process.stdout.write(`${JSON.stringify({ out: c.name, on: c.on })}\n`);
		this.outputListeners.add(print);
		this.closeStdio = () => {
			rl.close();
			this.outputListeners.delete(print);
		};
	}
}
