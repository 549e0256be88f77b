/**
 * Keyboard mode: try a node on a laptop. Each configured input gets a key (1–9, 0, then
 * q w e r …); a key press is a press and release of that input on the sim driver. Output changes
 * ("thank you" light, buzzer) are printed as they happen. Ctrl+C stops the node as SIGINT would.
 */
import type { SimDriver } from "./sim.ts";

const KEYS = "1234567890qwertyuiopasdfghjklzxcvbnm";

/** key → input name, in the order the inputs are configured. */
export function keyLegend(inputs: readonly string[]): Map<string, string> {
	const legend = new Map<string, string>();
	for (const [i, name] of inputs.slice(0, KEYS.length).entries()) legend.set(KEYS[i] as string, name);
	return legend;
}

export interface KeyboardIO {
	input: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (on: boolean) => unknown };
	output: NodeJS.WritableStream;
	/** What Ctrl+C does (default: raise SIGINT in this process). */
	interrupt?: () => void;
}

/** Attach; returns a function that detaches and restores the terminal. */
export function attachKeyboard(driver: SimDriver, inputs: readonly string[], io: KeyboardIO): () => void {
	const legend = keyLegend(inputs);
	const write = (line: string) => io.output.write(`${line}\n`);
	write(`keyboard: ${[...legend].map(([k, n]) => `${k}=${n}`).join("  ")}   Ctrl+C stops`);
	if (io.input.isTTY) io.input.setRawMode?.(true);
	const onData = (chunk: Buffer | string) => {
		for (const ch of chunk.toString()) {
			if (ch === "\u0003") {
				(io.interrupt ?? (() => process.kill(process.pid, "SIGINT")))();
				continue;
			}
			const name = legend.get(ch.toLowerCase());
			if (!name) continue;
			write(`▶ ${name}`);
			driver.tap(name);
		}
	};
	io.input.on("data", onData);
	const off = driver.onOutput((c) => write(`${c.on ? "●" : "○"} ${c.name} ${c.on ? "on" : "off"}`));
	return () => {
		io.input.off("data", onData);
		io.input.pause();
		off();
		if (io.input.isTTY) io.input.setRawMode?.(false);
	};
}
