/**
 * Any Firmata board through johnny-five (e.g. an Arduino on the Pi's USB). Inputs are read
 * with the board's raw digital reports (johnny-five's Button adds its own debounce; ours is
 * done above the driver, the same for every driver).
 */
import type { DriverConfig, InputConfig, OutputConfig } from "../config.ts";
import type { Driver, EdgeListener, Output } from "./driver.ts";

/** The part of a Firmata IO object this driver uses (firmata.js, or an IO plugin). */
export interface FirmataIo {
	MODES: Record<string, number>;
	pinMode(pin: number, mode: number): void;
	digitalRead(pin: number, callback: (value: number) => void): void;
	digitalWrite(pin: number, value: number): void;
}

interface Board {
	io: FirmataIo;
	on(event: "ready" | "error", cb: (e?: Error) => void): void;
	once(event: "ready" | "error", cb: (e?: Error) => void): void;
}

type BoardCtor = new (opts: Record<string, unknown>) => Board;

/** Firmata 2.5 INPUT_PULLUP; older firmware ignores it and needs an external resistor. */
const PULLUP = 0x0b;

function pinNumber(pin: number | string): number {
	const n = typeof pin === "number" ? pin : Number(pin.replace(/^D/i, ""));
	if (!Number.isInteger(n)) throw new Error(`johnny-five driver: pin "${pin}" is not a digital pin number`);
	return n;
}

export class JohnnyFiveDriver implements Driver {
	readonly kind = "johnny-five";

	constructor(private readonly io: FirmataIo) {}

	input(config: InputConfig, listener: EdgeListener): void {
		const pin = pinNumber(config.pin);
		const mode = config.pull === "up" ? (this.io.MODES.PULLUP ?? PULLUP) : (this.io.MODES.INPUT ?? 0);
		this.io.pinMode(pin, mode);
		let last: boolean | undefined;
		this.io.digitalRead(pin, (value) => {
			const active = config.activeLow ? value === 0 : value === 1;
			if (active === last) return;
			const first = last === undefined;
			last = active;
			// The first report is the resting level, not an edge (unless the button is already held).
			if (first && !active) return;
			listener(active);
		});
	}

	output(config: OutputConfig): Output {
		const pin = pinNumber(config.pin);
		this.io.pinMode(pin, this.io.MODES.OUTPUT ?? 1);
		const write = (on: boolean) => this.io.digitalWrite(pin, on !== config.activeLow ? 1 : 0);
		write(false);
		return { set: write };
	}

	async close(): Promise<void> {}
}

/**
 * Connect to the board (or use `io`, e.g. a mock Firmata in tests) and wait until it is ready.
 */
export async function createJohnnyFiveDriver(
	config: Pick<DriverConfig, "port">,
	io?: unknown,
	timeoutMs = 15_000,
): Promise<JohnnyFiveDriver> {
	// No type declarations ship with johnny-five; the shape used is declared above.
	const specifier = "johnny-five";
	const five = (await import(specifier)) as unknown as { Board: BoardCtor; default?: { Board: BoardCtor } };
	const Board = five.Board ?? five.default?.Board;
	if (!Board) throw new Error("johnny-five: no Board export");
	const opts: Record<string, unknown> = { repl: false, debug: false, timeout: timeoutMs };
	if (io) opts.io = io;
	if (config.port) opts.port = config.port;
	const board = new Board(opts);
	await new Promise<void>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`johnny-five: board not ready within ${timeoutMs} ms`)), timeoutMs);
		board.once("ready", () => {
			clearTimeout(timer);
			resolve();
		});
		board.once("error", (e) => {
			clearTimeout(timer);
			reject(e ?? new Error("johnny-five: board error"));
		});
	});
	return new JohnnyFiveDriver(board.io);
}
