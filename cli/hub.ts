/** `vikno hub`: broker + ingest + store + dashboard for the centres of the given config files. */

import { isLoopbackHost } from "../broker/limits.ts";
import { loadCentreFile } from "../config/load.ts";
import { createLogger } from "../hub/logger.ts";
import { startHub } from "../server/hub.ts";
import { openStore } from "../store/open.ts";
import { BROKER_CLI_OPTIONS, brokerSettings } from "./brokerOptions.ts";
import { HUB_OPTIONS, parse, port, storeUrl, UsageError } from "./options.ts";
import { untilSignal } from "./signals.ts";

export async function hubCommand(args: string[]): Promise<number> {
	const o = parse(args, {
		...HUB_OPTIONS,
		...BROKER_CLI_OPTIONS,
		"allow-anonymous": { type: "boolean", default: false },
		"min-free-mb": { type: "string" },
	});
	const host = o.host ?? "0.0.0.0";
	// Devices log in (vikno device add); anonymous clients only for local tools and tests.
	if (o["allow-anonymous"] && !isLoopbackHost(host))
		throw new UsageError(`--allow-anonymous needs a loopback --host (127.0.0.1), not "${host}"`);
	const broker = usage(() => brokerSettings(o, o.data));
	if (!o.config?.length)
		throw new UsageError("--config FILE is required (a centre layout, e.g. config/centres/demo.yaml)");
	const centres = o.config.map((f) => loadCentreFile(f));
	const minFree = o["min-free-mb"];
	if (minFree !== undefined && !/^\d+$/.test(minFree))
		throw new UsageError(`--min-free-mb must be a whole number of MiB, got "${minFree}"`);
	const store = openStore(storeUrl(o.store, o.data), { dataDir: o.data });
	const log = createLogger();
	const hub = await startHub({
		centres,
		dataDir: o.data,
		store,
		mqttPort: port(o["mqtt-port"], "mqtt-port", 1883),
		httpPort: port(o["http-port"], "http-port", 8080),
		host,
		...(minFree !== undefined ? { health: { minFreeBytes: Number(minFree) * 1024 * 1024 } } : {}),
		log,
		allowAnonymous: o["allow-anonymous"],
		broker,
	});
	const tls = hub.broker.tlsPort === undefined ? "" : `  MQTT/TLS port ${hub.broker.tlsPort}`;
	console.log(`vikno hub: dashboard ${hub.httpUrl}/  MQTT ${hub.mqttUrl}${tls}  data ${o.data}`);
	const signal = await untilSignal();
	// Graceful stop (systemd's SIGTERM): no new connections or publishes, every event already
	// admitted made durable, the spool's forwarding stopped at a batch boundary, files closed.
	const started = Date.now();
	await hub.close();
	console.log(`vikno hub: stopped on ${signal}; ingest drained in ${Date.now() - started} ms`);
	return 0;
}

function usage<T>(f: () => T): T {
	try {
		return f();
	} catch (e) {
		throw new UsageError((e as Error).message);
	}
}
