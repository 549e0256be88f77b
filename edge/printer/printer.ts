/**
 * The printer behind the terminal: an interface in front of the hardware (as drivers/ is for the
 * buttons) with three connections — a character device (USB printer class `/dev/usb/lp0`, or a
 * serial port set up with stty), the network (raw TCP 9100) — and a simulated printer that writes
 * the bytes to a file. Each reports its state (`ok`, `paper_out`, `cover_open`, `offline`), which the
 * terminal puts in its status (core/contract.ts `printer`) and the hub raises as an alert.
 */
import type { PrinterState } from "../../core/contract.ts";

export interface Printer {
	/** Send one ticket's bytes; rejects when they could not be handed to the printer. */
	print(bytes: Uint8Array): Promise<void>;
	/** The printer's state now (asks it where the connection can answer). */
	state(): Promise<PrinterState>;
	close(): Promise<void>;
}

export type { PrinterState };
