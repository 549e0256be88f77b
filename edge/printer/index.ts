/** The printer a terminal's config names (edge/config.ts `terminal.printer`). */
import type { PrinterConfig } from "../config.ts";
import { DevicePrinter } from "./devicePrinter.ts";
import type { Printer } from "./printer.ts";
import { SimPrinter } from "./simPrinter.ts";
import { TcpPrinter } from "./tcpPrinter.ts";

export function createPrinter(c: PrinterConfig): Printer {
	switch (c.connection) {
		case "sim":
			return new SimPrinter(c.path ?? "printer.escpos");
		case "device":
			return new DevicePrinter(c.path ?? "/dev/usb/lp0");
		case "tcp":
			return new TcpPrinter(c.host ?? "127.0.0.1", c.port);
	}
}
