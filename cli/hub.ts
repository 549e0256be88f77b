/** `vikno hub`: broker + ingest + store + dashboard for the centres of the given config files. */

import { setFlagsFromString } from "node:v8";
import { isLoopbackHost } from "../broker/limits.ts";
import { loadCentreFile } from "../config/load.ts";
import { createLogger } from "../hub/logger.ts";
import { startExternalHub, startHub } from "../server/hub.ts";
import { trustProxy } from "../server/trustProxy.ts";
import { BROKER_CLI_HELP, BROKER_CLI_OPTIONS, brokerSettings } from "./brokerOptions.ts";
import { DASHBOARD_CLI_HELP, DASHBOARD_CLI_OPTIONS, dashboardSettings } from "./dashboardOptions.ts";
import { EXTERNAL_CLI_HELP, EXTERNAL_CLI_OPTIONS, externalSettings } from "./externalOptions.ts";
import { HUB_OPTIONS, hubBasics, parse, UsageError } from "./options.ts";
import { untilSignal } from "./signals.ts";

export const HUB_HELP = `vikno hub --config FILE [--config FILE…] [options]
  MQTT broker + ingest + store + dashboard in one process (docs/deploy.md runs it as a service);
  with --broker URL ingest + store + dashboard on an external MQTT broker

  --config FILE           a centre layout (config/centres/*.yaml); repeat for several centres
  --data DIR              data dir: SQLite store, spool, device credentials, sessions (default ./data)
  --store URL             sqlite:PATH | influx1://HOST:PORT/DB | influx2://… (env VIKNO_STORE; docs/storage.md)
  --host ADDR             address of the MQTT and HTTP servers (default 0.0.0.0)
  --http-host ADDR        address of the HTTP server if not --host (127.0.0.1 behind nginx on this machine)
  --http-port N           default 8080 (0: any free port)
  --mqtt-port N           default 1883 (0: any free port)
  --trust-proxy ADDR…     reverse proxies (addresses or CIDR ranges, repeat or comma-separate) whose
                          X-Forwarded-For gives the client's address, for HTTP and MQTT over WebSocket
                          (env VIKNO_TRUST_PROXY; default none: the header is ignored)
  --min-free-mb N         /healthz is degraded (disk_low) below this much free space on the data
                          dir's disk (default 256)
  --allow-anonymous       MQTT clients without a credential (only with a loopback --host)
  --heap-growth PERCENT   let the JavaScript heap grow by at most this much (1..100) before a full
                          garbage collection (default: V8's own, 100 % and more): a hub holding many
                          connections keeps less garbage, at some CPU (30 for a city: docs/broker.md)

${BROKER_CLI_HELP}

${EXTERNAL_CLI_HELP}`;

export async function hubCommand(args: string[]): Promise<number> {
	const o = parse(args, {
		...HUB_OPTIONS,
		...BROKER_CLI_OPTIONS,
		...DASHBOARD_CLI_OPTIONS,
		...EXTERNAL_CLI_OPTIONS,
		"allow-anonymous": { type: "boolean", default: false },
		"http-host": { type: "string" },
		"trust-proxy": { type: "string", multiple: true },
		"min-free-mb": { type: "string" },
		"heap-growth": { type: "string" },
	});
	if (o.help) {
		console.log(`${HUB_HELP}\n\n${DASHBOARD_CLI_HELP}`);
		return 0;
	}
	const host = o.host ?? "0.0.0.0";
	// Devices log in (vikno device add); anonymous clients only for local tools and tests.
	if (o["allow-anonymous"] && !isLoopbackHost(host))
		throw new UsageError(`--allow-anonymous needs a loopback --host (127.0.0.1), not "${host}"`);
	const external = usage(() => externalSettings(o, o, process.env));
	const broker = usage(() => brokerSettings(o, o.data));
	const dashboard = dashboardSettings(o);
	if (!o.config?.length)
		throw new UsageError("--config FILE is required (a centre layout, e.g. config/centres/demo.yaml)");
	const centres = o.config.map((f) => loadCentreFile(f));
	const proxies = o["trust-proxy"] ?? (process.env.VIKNO_TRUST_PROXY ? [process.env.VIKNO_TRUST_PROXY] : []);
	const trusted = proxies.length > 0 ? usage(() => trustProxy(proxies)) : undefined;
	const minFree = o["min-free-mb"];
	if (minFree !== undefined && !/^\d+$/.test(minFree))
		throw new UsageError(`--min-free-mb must be a whole number of MiB, got "${minFree}"`);
	const growth = o["heap-growth"];
	if (growth !== undefined) {
		if (!/^\d+$/.test(growth) || Number(growth) < 1 || Number(growth) > 100)
			throw new UsageError(`--heap-growth must be a whole percent from 1 to 100, got "${growth}"`);
		// Read by V8 at each full collection to set the next limit, so it takes effect from here on.
		setFlagsFromString(`--heap-growing-percent=${growth}`);
	}
	const log = createLogger();
	if (growth !== undefined) log.info({ heapGrowthPercent: Number(growth) }, "heap growth limited");
	const options = {
		...hubBasics(o, centres),
		host,
		...(o["http-host"] ? { httpHost: o["http-host"] } : {}),
		...(trusted ? { trustProxy: trusted } : {}),
		...(minFree !== undefined ? { health: { minFreeBytes: Number(minFree) * 1024 * 1024 } } : {}),
		log,
		allowAnonymous: o["allow-anonymous"],
		broker,
		...dashboard,
	};
	// Listening for the stop signal before anything starts: one that comes while the hub starts (or
	// right after it printed that it listens) stops it gracefully once started, instead of ending
	// the process by the signal's default action.
	const stopSignal = untilSignal();
	let hub: { httpUrl: string; mqttUrl: string; users: { list(): unknown[] }; close(): Promise<void> };
	if (external) {
		const h = await startExternalHub(options, external);
		hub = h;
		console.log(
			`vikno hub: dashboard ${h.httpUrl}/  MQTT ${h.mqttUrl} (external broker; ${h.external.filter} as ${external.clientId}, ${external.connections} connections)  data ${o.data}`,
		);
	} else {
		const h = await startHub(options);
		hub = h;
		const tls = h.broker.tlsPort === undefined ? "" : `  MQTT/TLS port ${h.broker.tlsPort}`;
		console.log(`vikno hub: dashboard ${h.httpUrl}/  MQTT ${h.mqttUrl}${tls}  data ${o.data}`);
	}
	if (hub.users.list().length === 0)
		console.log(`  no dashboard users yet: vikno user add NAME --role admin --data ${o.data}`);
	const signal = await stopSignal;
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
