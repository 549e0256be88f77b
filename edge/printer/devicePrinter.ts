/**
 * A printer on a character device: the USB printer class (`/dev/usb/lp0`, kernel module usblp)
 * or a serial port (`/dev/ttyUSB0`, `/dev/serial0`; set its speed once with
 * `stty -F /dev/ttyUSB0 19200 raw -echo`, docs/edge.md). Writes go straight to the device. The
 * state is what the device lets us know: gone or refusing writes is `offline`; paper and cover
 * need a two-way link (use TCP, or a printer that stops and is reported offline by its driver).
 */
import { open } from "node:fs/promises";
import type { Printer, PrinterState } from "./printer.ts";

export class DevicePrinter implements Printer {
	private last: PrinterState = "ok";

	constructor(readonly path: string) {}

	async print(bytes: Uint8Array): Promise<void> {
		let fh: Awaited<ReturnType<typeof open>> | undefined;
		try {
			fh = await open(this.path, "a");
			await fh.write(bytes);
			this.last = "ok";
		} catch (err) {
			this.last = "offline";
			throw err;
		} finally {
			await fh?.close();
		}
	}

	async state(): Promise<PrinterState> {
		try {
			const fh = await open(this.path, "a");
			await fh.close();
			return this.last === "offline" ? "ok" : this.last;
		} catch {
			return "offline";
		}
	}

	async close(): Promise<void> {}
}
