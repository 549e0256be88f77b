/**
 * Linux sysfs GPIO through onoff (Raspberry Pi). Pin numbers in the config are line offsets
 * (BCM numbers); the chip base found in sysfs is added. onoff's own debounce is not used:
 * debouncing is done above the driver, the same for every driver.
 */
import type { Gpio as GpioType } from "onoff";
import type { DriverConfig, InputConfig, OutputConfig } from "../config.ts";
import type { Driver, EdgeListener, Output } from "./driver.ts";
import { findChip } from "./gpiochip.ts";

export type GpioClass = typeof GpioType;

export class OnoffDriver implements Driver {
	readonly kind = "onoff";
	readonly base: number;
	private readonly pins: GpioType[] = [];

	constructor(
		private readonly Gpio: GpioClass,
		config: Pick<DriverConfig, "sysfsRoot" | "chipLabel">,
	) {
		this.base = findChip(config.sysfsRoot, config.chipLabel).base;
	}

	private line(pin: number | string): number {
		const n = typeof pin === "number" ? pin : Number(pin.replace(/^GPIO/i, ""));
		if (!Number.isInteger(n)) throw new Error(`onoff driver: pin "${pin}" is not a GPIO number`);
		return this.base + n;
	}

	input(config: InputConfig, listener: EdgeListener): void {
		// Pull-up/down is set in config.txt / device tree on a Pi (sysfs cannot): see docs/edge.md.
		const gpio = new this.Gpio(this.line(config.pin), "in", "both", { activeLow: config.activeLow });
		this.pins.push(gpio);
		gpio.watch((err, value) => {
			if (err) return;
			listener(value === 1);
		});
	}

	output(config: OutputConfig): Output {
		const gpio = new this.Gpio(this.line(config.pin), config.activeLow ? "high" : "low", "none", {
			activeLow: config.activeLow,
		});
		this.pins.push(gpio);
		return { set: (on) => gpio.writeSync(on ? 1 : 0) };
	}

	async close(): Promise<void> {
		for (const g of this.pins.splice(0)) {
			g.unwatchAll();
			g.unexport();
		}
	}
}

/** Load onoff only when this driver is chosen (it needs the native epoll module and Linux). */
export async function createOnoffDriver(config: DriverConfig): Promise<OnoffDriver> {
	const { Gpio } = (await import("onoff")) as { Gpio: GpioClass };
	return new OnoffDriver(Gpio, config);
}
