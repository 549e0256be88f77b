/**
 * `vikno demo` (what `npm start` runs): the hub on the embedded SQLite store, bound to
 * loopback, plus simulated nodes and visitors of config/centres/demo.yaml.
 */

import { fileURLToPath } from "node:url";
import { isLoopbackHost } from "../broker/limits.ts";
import { loadCentreFile } from "../config/load.ts";
import { timeZonesOf } from "../core/centre.ts";
import { startSimulation } from "../firmware-sim/runner.ts";
import { createLogger } from "../hub/logger.ts";
import { startHub } from "../server/hub.ts";
import { openStore } from "../store/open.ts";
import { BROKER_CLI_OPTIONS, brokerSettings } from "./brokerOptions.ts";
import { HUB_OPTIONS, parse, port, storeUrl, UsageError } from "./options.ts";
import { untilSignal } from "./signals.ts";

const DEMO_CONFIG = fileURLToPath(new URL("../config/centres/demo.yaml", import.meta.url));

export async function demoCommand(args: string[]): Promise<number> {
	const o = parse(args, {
		...HUB_OPTIONS,
		...BROKER_CLI_OPTIONS,
		speed: { type: "string", default: "30" },
		seed: { type: "string" },
	});
	// The simulated nodes connect without credentials, so the demo stays off the network.
	const host = o.host ?? "127.0.0.1";
	if (!isLoopbackHost(host))
		throw new UsageError(`the demo allows anonymous MQTT clients and binds loopback only, not "${host}"`);
	let broker: ReturnType<typeof brokerSettings>;
	try {
		broker = brokerSettings(o, o.data);
	} catch (e) {
		throw new UsageError((e as Error).message);
	}
	const speed = Number(o.speed);
	if (!(speed > 0 && speed <= 10_000)) throw new Error(`--speed must be a number in (0, 10000], got "${o.speed}"`);
	const centres = (o.config?.length ? o.config : [DEMO_CONFIG]).map((f) => loadCentreFile(f));
	const store = openStore(storeUrl(o.store, o.data), { dataDir: o.data, timeZones: timeZonesOf(centres) });
	const log = createLogger(process.env.VIKNO_LOG_LEVEL ?? "warn");
	const hub = await startHub({
		centres,
		dataDir: o.data,
		store,
		mqttPort: port(o["mqtt-port"], "mqtt-port", 1883),
		httpPort: port(o["http-port"], "http-port", 8080),
		host,
		log,
		allowAnonymous: true,
		broker,
	});
	const sims = await Promise.all(
		centres.map((centre) =>
			startSimulation({
				centre,
				brokerUrl: hub.mqttUrl,
				speed,
				// About what 12 windows can serve: waits of 5–15 minutes, busier at times.
				hall: { arrivalsPerHour: 55 },
				...(o.seed ? { seed: Number(o.seed) } : {}),
			}),
		),
	);
	const first = centres[0]?.id ?? "";
	console.log(
		[
			"vikno demo is running",
			`  dashboard:  ${hub.httpUrl}/?centre=${first}`,
			`  live API:   ${hub.httpUrl}/api/v1/centres/${first}/live`,
			`  residents:  ${hub.httpUrl}/c/${first}  (widget: ${hub.httpUrl}/widget-demo?centre=${first})`,
			`  MQTT:       ${hub.mqttUrl}  (try: mosquitto_sub -p ${hub.mqttPort} -t 'vikno/v1/#' -v)`,
			`  data:       ${o.data}`,
			`  simulated time runs ${speed}× faster than the clock. Ctrl+C stops.`,
		].join("\n"),
	);
	await untilSignal();
	await Promise.all(sims.map((s) => s.stop()));
	await hub.close();
	return 0;
}
