/**
 * Pick the driver the config names; hardware libraries are loaded only when chosen. `onoff` on a
 * kernel without sysfs GPIO falls back to `gpiod` (the character device), which runs anywhere
 * Debian's gpiod tools are installed.
 */

import { type Log, silentLog } from "../../core/log.ts";
import type { DriverConfig } from "../config.ts";
import type { Driver } from "./driver.ts";
import { NoSysfsGpioError } from "./gpiochip.ts";
import { SimDriver } from "./sim.ts";

async function gpiod(config: DriverConfig, log: Log): Promise<Driver> {
	const { createGpiodDriver } = await import("./gpiod.ts");
	return createGpiodDriver(config, {
		onError: (e) => log.error({ err: e.message, code: e.code }, "GPIO tool failed; restarting it"),
	});
}

export async function createDriver(config: DriverConfig, log: Log = silentLog): Promise<Driver> {
	switch (config.type) {
		case "sim":
			return new SimDriver({ stdio: config.stdio });
		case "onoff": {
			const { createOnoffDriver } = await import("./onoff.ts");
			try {
				return await createOnoffDriver(config);
			} catch (e) {
				if (!(e instanceof NoSysfsGpioError)) throw e;
				log.warn({ reason: e.message }, "no sysfs GPIO: using the gpiod driver (character device)");
				try {
					return await gpiod(config, log);
				} catch (g) {
					throw new Error(`${e.message}\nThe gpiod fallback failed too: ${(g as Error).message}`);
				}
			}
		}
		case "gpiod":
			return gpiod(config, log);
		case "johnny-five": {
			const { createJohnnyFiveDriver } = await import("./johnny-five.ts");
			return createJohnnyFiveDriver(config);
		}
	}
}
