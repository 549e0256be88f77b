/** `vikno hub`: broker + ingest + store + dashboard for the centres of the given config files. */
import { loadCentreFile } from "../config/load.ts";
import { startHub } from "../hub/hub.ts";
import { createLogger } from "../hub/logger.ts";
import { openStore } from "../store/open.ts";
import { HUB_OPTIONS, parse, port, storeUrl, UsageError } from "./options.ts";
import { untilSignal } from "./signals.ts";

export async function hubCommand(args: string[]): Promise<number> {
	const o = parse(args, HUB_OPTIONS);
	if (!o.config?.length)
		throw new UsageError("--config FILE is required (a centre layout, e.g. config/centres/demo.yaml)");
	const centres = o.config.map((f) => loadCentreFile(f));
	const store = openStore(storeUrl(o.store, o.data), { dataDir: o.data });
	const log = createLogger();
	const hub = await startHub({
		centres,
		dataDir: o.data,
		store,
		mqttPort: port(o["mqtt-port"], "mqtt-port", 1883),
		httpPort: port(o["http-port"], "http-port", 8080),
		host: o.host ?? "0.0.0.0",
		log,
	});
	console.log(`vikno hub: dashboard ${hub.httpUrl}/  MQTT ${hub.mqttUrl}  data ${o.data}`);
	await untilSignal();
	await hub.close();
	return 0;
}
