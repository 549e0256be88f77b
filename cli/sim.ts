/**
 * `vikno sim`: simulated nodes and visitors of one or more centres.
 *
 *   vikno sim --config FILE… --broker URL [--speed N] [--seed N] [--rate N] [--follow-hours] [--start TIME]
 *       live: against any MQTT 3.1.1 broker, until SIGINT or SIGTERM
 *   vikno sim --week --config FILE… [--start DAY] [--days N] [--seed N] [--rate N]
 *                    [--out FILE] [--timeline FILE] [--broker URL]
 *       accelerated: a week in simulated time (see week-command.ts)
 */
import { parseArgs } from "node:util";
import { loadCentreFile } from "../config/load.ts";
import { DEFAULT_TIME_ZONE } from "../core/centre.ts";
import { instantOf, isDate } from "../core/time.ts";
import { type Simulation, startSimulation } from "../firmware-sim/runner.ts";
import { centreSeed } from "../firmware-sim/week.ts";
import { UsageError } from "./options.ts";
import { untilSignal } from "./signals.ts";
import { weekCommand } from "./simWeek.ts";

/** Resolves with the exit code: 0 after a signal or a finished week, 1 when the broker cannot be reached. */
export async function simCommand(args: string[]): Promise<number> {
	const values = parseSimArgs(args);
	if (!values.config?.length)
		throw new UsageError("--config FILE is required (a centre layout, e.g. config/centres/demo.yaml)");
	const seed = number(values.seed, "seed", (n) => Number.isInteger(n) && n >= 0 && n < 2 ** 32, "a whole number ≥ 0");
	const rate = number(values.rate, "rate", (n) => n >= 0 && n <= 10_000, "visitors per hour in [0, 10000]");
	const centres = values.config.map((f) => loadCentreFile(f));
	if (values.week) {
		const days = number(values.days, "days", (n) => Number.isInteger(n) && n >= 1 && n <= 366, "a whole number 1..366");
		return weekCommand({
			centres,
			seed,
			rate,
			days,
			start: values.start,
			out: values.out,
			timeline: values.timeline,
			broker: values.broker,
		});
	}
	for (const only of ["days", "out", "timeline"] as const)
		if (values[only] !== undefined) throw new UsageError(`--${only} goes with --week`);
	if (!values.broker) throw new UsageError("--broker URL is required (e.g. mqtt://127.0.0.1:1883)");
	const speed = number(values.speed, "speed", (n) => n > 0 && n <= 10_000, "a number in (0, 10000]");
	const startAt =
		values.start === undefined ? undefined : instant(values.start, centres[0]?.timeZone ?? DEFAULT_TIME_ZONE);

	const log = (message: string) => console.error(`vikno sim: ${message}`);
	const sims: Simulation[] = [];
	try {
		for (const centre of centres) {
			sims.push(
				await startSimulation({
					centre,
					brokerUrl: values.broker,
					...(speed === undefined ? {} : { speed }),
					// Several centres from one seed: each its own hall, as in the accelerated mode.
					...(seed === undefined ? {} : { seed: centres.length > 1 ? centreSeed(seed, centre.id) : seed }),
					...(startAt === undefined ? {} : { startAt }),
					hall: {
						...(rate === undefined ? {} : { arrivalsPerHour: rate }),
						followHours: values["follow-hours"] === true,
					},
					log,
				}),
			);
		}
	} catch (e) {
		await Promise.all(sims.map((s) => s.stop()));
		log(`${(e as Error).message} — is the broker running, and does it accept these nodes?`);
		return 1;
	}
	await untilSignal();
	await Promise.all(sims.map((s) => s.stop()));
	let published = 0;
	let acked = 0;
	for (const s of sims) {
		published += s.stats().published;
		acked += s.stats().acked;
	}
	log(`${published} messages published, ${acked} acknowledged`);
	return 0;
}

const OPTIONS = {
	config: { type: "string", multiple: true },
	broker: { type: "string" },
	speed: { type: "string", default: "30" },
	seed: { type: "string" },
	rate: { type: "string" },
	"follow-hours": { type: "boolean" },
	start: { type: "string" },
	week: { type: "boolean" },
	days: { type: "string" },
	out: { type: "string" },
	timeline: { type: "string" },
} as const;

function parseSimArgs(args: string[]) {
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

/** "2025-03-10T08:55" (or "2025-03-10", or with seconds) in the centre's local time → epoch ms. */
function instant(value: string, timeZone: string): number {
	const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(value);
	const [h, min, s] = [m?.[2], m?.[3], m?.[4]].map((x) => Number(x ?? 0)) as [number, number, number];
	if (!m?.[1] || !isDate(m[1]) || h > 23 || min > 59 || s > 59)
		throw new UsageError(`--start must be a local date and time such as 2025-03-10T08:55, got "${value}"`);
	return instantOf(m[1], h * 60 + min + s / 60, timeZone);
}
