/**
 * `vikno demo` (what `npm start` runs): the hub on the embedded SQLite store, bound to
 * loopback, plus simulated nodes and visitors of config/centres/demo.yaml, and a manager to sign
 * in with, whose password the banner shows.
 *
 * Started while the first centre is closed (at night, on its day off), the demo runs on a clock
 * moved to 10:00 of the latest day it is open — hub, nodes and printer alike — so it shows a
 * working hall with estimates rather than "closed" everywhere; `--real-clock` keeps the wall clock.
 */

import { fileURLToPath } from "node:url";
import { isLoopbackHost } from "../broker/limits.ts";
import { hashPassword, newPassword } from "../broker/passwords.ts";
import { DeviceRegistry, registryPath } from "../broker/registry.ts";
import { loadCentreFile } from "../config/load.ts";
import type { Centre } from "../core/centre.ts";
import { isOpen, latestOpenAt } from "../core/openingHours.ts";
import { localDay } from "../core/time.ts";
import { startSimulation } from "../firmware-sim/runner.ts";
import { createLogger } from "../hub/logger.ts";
import { startHub } from "../server/hub.ts";
import type { UserStore } from "../store/users.ts";
import { BROKER_CLI_OPTIONS, brokerSettings } from "./brokerOptions.ts";
import { DASHBOARD_CLI_OPTIONS, dashboardSettings } from "./dashboardOptions.ts";
import { demoPrinter } from "./demoPrinter.ts";
import { HUB_OPTIONS, hubBasics, parse, UsageError } from "./options.ts";
import { untilSignal } from "./signals.ts";

const DEMO_CONFIG = fileURLToPath(new URL("../config/centres/demo.yaml", import.meta.url));

export async function demoCommand(args: string[]): Promise<number> {
	const o = parse(args, {
		...HUB_OPTIONS,
		...BROKER_CLI_OPTIONS,
		...DASHBOARD_CLI_OPTIONS,
		speed: { type: "string", default: "30" },
		seed: { type: "string" },
		"real-clock": { type: "boolean", default: false },
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
	const log = createLogger(process.env.VIKNO_LOG_LEVEL ?? "warn");
	const clock = demoClock(centres[0], o["real-clock"] === true);
	const hub = await startHub({
		...hubBasics(o, centres),
		now: clock.now,
		host,
		log,
		allowAnonymous: true,
		broker,
		...dashboardSettings(o),
	});
	const manager = await demoManager(
		hub.users,
		centres.map((c) => c.id),
	);
	const registry = new DeviceRegistry(registryPath(o.data));
	const printers = await Promise.all(
		centres.map((centre) => demoPrinter(centre, hub, registry, o.data, (m) => log.warn(m), clock.now)),
	);
	const sims = await Promise.all(
		centres.map((centre, i) =>
			startSimulation({
				onAction: (a) => printers[i]?.onAction(a),
				centre,
				brokerUrl: hub.mqttUrl,
				clock: clock.now,
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
			`  sign in:    user ${manager.name}  password ${manager.password}  (a new password at every start)`,
			`  residents:  ${hub.httpUrl}/c/${first}  (widget: ${hub.httpUrl}/widget-demo?centre=${first})`,
			`  hall board: ${hub.httpUrl}/board/${first}`,
			`  console:    ${hub.httpUrl}/desk/${first}/${centres[0]?.windows[0]?.id ?? "w01"}  (a window's operator console; the simulator works the windows too)`,
			`  public API: ${hub.httpUrl}/api/public/v1/centres/${first}/wait`,
			...(printers[0]?.files.map((f) => `  tickets:    ${f}  (ESC/POS, as the terminal's printer gets them)`) ?? []),
			`  MQTT:       ${hub.mqttUrl}  (try: mosquitto_sub -p ${hub.mqttPort} -t 'vikno/v1/#' -v)`,
			`  data:       ${o.data}`,
			...(clock.note ? [`  clock:      ${clock.note}`] : []),
			`  simulated time runs ${speed}× faster than the clock. Ctrl+C stops.`,
		].join("\n"),
	);
	await untilSignal();
	await Promise.all(sims.map((s) => s.stop()));
	await hub.close();
	return 0;
}

/**
 * The demo's clock: the wall clock while the centre is open (or with `--real-clock`), else the wall
 * clock moved to 10:00 of the latest day the centre is open, running on from there.
 */
function demoClock(centre: Centre | undefined, real: boolean): { now: () => number; note?: string } {
	const wall = Date.now();
	if (real || !centre || isOpen(centre, wall)) return { now: Date.now };
	const start = latestOpenAt(centre, wall, 10 * 60);
	if (start === undefined) return { now: Date.now };
	const shift = start - wall;
	const day = localDay(start, centre.timeZone);
	return {
		now: () => Date.now() + shift,
		note: `the centre is closed now, so the demo runs from 10:00 of ${day}, a day it is open (--real-clock: the wall clock)`,
	};
}

/** The demo's own manager of every centre it runs, `demo`: made if absent, with a new password at every start. */
export const DEMO_USER = "demo";

async function demoManager(users: UserStore, centres: string[]): Promise<{ name: string; password: string }> {
	const password = newPassword();
	const hash = await hashPassword(password);
	if (!users.setHash(DEMO_USER, hash)) users.add({ name: DEMO_USER, role: "manager", centres, hash });
	return { name: DEMO_USER, password };
}
