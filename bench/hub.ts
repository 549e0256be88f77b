/** A hub for a benchmark: loopback, free ports, anonymous devices, no log; `extra` adds options. */
import type { Centre } from "../core/centre.ts";
import { silentLog } from "../core/log.ts";
import { type Hub, type HubOptions, startHub } from "../server/hub.ts";

export function benchHub(centre: Centre, dataDir: string, extra: Partial<HubOptions> = {}): Promise<Hub> {
	return startHub({
		centres: [centre],
		dataDir,
		mqttPort: 0,
		httpPort: 0,
		host: "127.0.0.1",
		allowAnonymous: true,
		log: silentLog,
		...extra,
	});
}
