/** Pick the driver the config names; hardware libraries are loaded only when chosen. */
import type { DriverConfig } from "../config.ts";
import type { Driver } from "./driver.ts";
import { SimDriver } from "./sim.ts";

export async function createDriver(config: DriverConfig): Promise<Driver> {
	switch (config.type) {
		case "sim":
			return new SimDriver({ stdio: config.stdio });
		case "onoff": {
			const { createOnoffDriver } = await import("./onoff.ts");
			return createOnoffDriver(config);
		}
		case "johnny-five": {
			const { createJohnnyFiveDriver } = await import("./johnny-five.ts");
			return createJohnnyFiveDriver(config);
		}
	}
}
