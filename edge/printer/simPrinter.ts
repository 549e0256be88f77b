/**
 * The simulated printer: appends each ticket's ESC/POS bytes to a file (the demo's
 * DATA/printer/terminal-1.escpos; tests decode it). Its state is read from `{file}.state` when
 * that file exists — `paper_out`, `cover_open` or `offline` written there plays a printer with
 * that problem (the fake at the hardware boundary); absent or `ok`, it prints.
 */
import { appendFile, mkdir, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { isPrinterState } from "../../core/contract.ts";
import type { Printer, PrinterState } from "./printer.ts";

export class SimPrinter implements Printer {
	constructor(readonly file: string) {}

	async state(): Promise<PrinterState> {
		try {
			const s = (await readFile(`${this.file}.state`, "utf8")).trim();
			return isPrinterState(s) ? s : "ok";
		} catch {
			return "ok";
		}
	}

	async print(bytes: Uint8Array): Promise<void> {
		const s = await this.state();
		if (s !== "ok") throw new Error(`printer: ${s}`);
		await mkdir(dirname(this.file), { recursive: true });
		await appendFile(this.file, bytes);
	}

	async close(): Promise<void> {}
}
