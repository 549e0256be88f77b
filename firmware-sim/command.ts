/**
 * `vikno sim --config FILE --broker URL [--speed N] [--seed N] [--rate N]`: simulated nodes and
 * visitors of one centre against any MQTT 3.1.1 broker, until SIGINT or SIGTERM.
 */
import { parseArgs } from "node:util";
import { UsageError } from "../cli/options.ts";
import { untilSignal } from "../cli/signals.ts";
import { loadCentreFile } from "../config/load.ts";
import { type Simulation, startSimulation } from "./runner.ts";

const OPTIONS = {
	config: { type: "string" },
	broker: { type: "string" },
	speed: { type: "string", default: "30" },
	seed: { type: "string" },
	rate: { type: "string" },
} as const;

/** Resolves with the exit code: 0 after a signal, 1 when the broker cannot be reached. */
export async function simCommand(args: string[]): Promise<number> {
	const values = parse(args);
	if (!values.config)
		throw new UsageError("--config FILE is required (a centre layout, e.g. config/centres/demo.yaml)");
	if (!values.broker) throw new UsageError("--broker URL is required (e.g. mqtt://127.0.0.1:1883)");
	const speed = number(values.speed, "speed", (n) => n > 0 && n <= 10_000, "a number in (0, 10000]");
	const seed = number(values.seed, "seed", (n) => Number.isInteger(n) && n >= 0, "a whole number ≥ 0");
	const rate = number(values.rate, "rate", (n) => n >= 0 && n <= 10_000, "visitors per hour in [0, 10000]");

	const centre = loadCentreFile(values.config);
	const log = (message: string) => console.error(`vikno sim: ${message}`);
	let sim: Simulation;
	try {
		sim = await startSimulation({
			centre,
			brokerUrl: values.broker,
			...(speed === undefined ? {} : { speed }),
			...(seed === undefined ? {} : { seed }),
			...(rate === undefined ? {} : { hall: { arrivalsPerHour: rate } }),
			log,
		});
	} catch (e) {
		log(`${(e as Error).message} — is the broker running, and does it accept these nodes?`);
		return 1;
	}
	await untilSignal();
	await sim.stop();
	const { published, acked } = sim.stats();
	log(`${published} messages published, ${acked} acknowledged`);
	return 0;
}

function parse(args: string[]) {
	try {
		return parseArgs({ args, options: OPTIONS, allowPositionals: false, strict: true }).values;
	} catch (e) {
		throw new UsageError((e as Error).message);
	}
}

function number(value: string | undefined, name: string, ok: (n: number) => boolean, what: string): number | undefined {
	if (value === undefined) return undefined;
	const n = Number(value);
	if (value.trim() === "" || !ok(n)) throw new UsageError(`--${name} must be ${what}, got "${value}"`);
	return n;
}
