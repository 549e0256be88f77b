/** `vikno hub`: broker + ingest + store + dashboard for the centres of the given config files. */

import { isLoopbackHost } from "../broker/limits.ts";
import { loadCentreFile } from "../config/load.ts";
import { timeZonesOf } from "../core/centre.ts";
import { createLogger } from "../hub/logger.ts";
import { startHub } from "../server/hub.ts";
import { openStore } from "../store/open.ts";
import { BROKER_CLI_HELP, BROKER_CLI_OPTIONS, brokerSettings } from "./brokerOptions.ts";
import { DASHBOARD_CLI_HELP, DASHBOARD_CLI_OPTIONS, dashboardSettings } from "./dashboardOptions.ts";
import { HUB_OPTIONS, parse, port, storeUrl, UsageError } from "./options.ts";
import { untilSignal } from "./signals.ts";

const HUB_USAGE = `vikno hub --config FILE [--config FILE…] [--data DIR] [--http-port N] [--mqtt-port N] [--host ADDR]
          [--store URL] [--allow-anonymous] [broker options] [dashboard options]
  MQTT broker + ingest + store + dashboard in one process; dashboard users: vikno user --help`;

export async function hubCommand(args: string[]): Promise<number> {
	const o = parse(args, {
		...HUB_OPTIONS,
		...BROKER_CLI_OPTIONS,
		...DASHBOARD_CLI_OPTIONS,
		"allow-anonymous": { type: "boolean", default: false },
	});
	if (o.help) {
		console.log(`${HUB_USAGE}\n\n${BROKER_CLI_HELP}\n\n${DASHBOARD_CLI_HELP}`);
		return 0;
	}
	const host = o.host ?? "0.0.0.0";
	// Devices log in (vikno device add); anonymous clients only for local tools and tests.
	if (o["allow-anonymous"] && !isLoopbackHost(host))
		throw new UsageError(`--allow-anonymous needs a loopback --host (127.0.0.1), not "${host}"`);
	const broker = usage(() => brokerSettings(o, o.data));
	const dashboard = dashboardSettings(o);
	if (!o.config?.length)
		throw new UsageError("--config FILE is required (a centre layout, e.g. config/centres/demo.yaml)");
	const centres = o.config.map((f) => loadCentreFile(f));
	const store = openStore(storeUrl(o.store, o.data), { dataDir: o.data, timeZones: timeZonesOf(centres) });
	const log = createLogger();
	const hub = await startHub({
		centres,
		dataDir: o.data,
		store,
		mqttPort: port(o["mqtt-port"], "mqtt-port", 1883),
		httpPort: port(o["http-port"], "http-port", 8080),
		host,
		log,
		allowAnonymous: o["allow-anonymous"],
		broker,
		...dashboard,
	});
	const tls = hub.broker.tlsPort === undefined ? "" : `  MQTT/TLS port ${hub.broker.tlsPort}`;
	console.log(`vikno hub: dashboard ${hub.httpUrl}/  MQTT ${hub.mqttUrl}${tls}  data ${o.data}`);
	if (hub.users.list().length === 0)
		console.log(`  no dashboard users yet: vikno user add NAME --role admin --data ${o.data}`);
	await untilSignal();
	await hub.close();
	return 0;
}

function usage<T>(f: () => T): T {
	try {
		return f();
	} catch (e) {
		throw new UsageError((e as Error).message);
	}
}
