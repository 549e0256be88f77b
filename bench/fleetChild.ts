/**
 * One load-generator process of the connections bench (bench/city.ts forks several, each under
 * the open-files limit): a `Fleet` of simulated nodes, reporting over IPC every second what it
 * holds and what it costs itself — its CPU (process.cpuUsage) and RSS — so the generator is never
 * the hidden bottleneck. Messages in: `start` (the fleet's options), `beat` (one heartbeat from
 * every connected node), `burst` (one event from every node: the opening), `stop`. Out: `stats`,
 * and `stopped` before it exits.
 */
import { Fleet, type FleetOptions, type FleetStats } from "../firmware-sim/fleet.ts";

export type ToFleet =
	| { type: "start"; options: FleetOptions; keepIds?: boolean }
	| { type: "beat" }
	| { type: "burst" }
	| { type: "stop" };

/** The fleet's counts (firmware-sim/fleet.ts `FleetStats`), with what the process costs. */
export type FleetReport = FleetStats & {
	type: "stats" | "stopped";
	/** CPU time of this process since it started, ms (user + system). */
	cpuMs: number;
	rssMb: number;
};

let fleet: Fleet | undefined;
let keepIds = false;

function report(type: FleetReport["type"]): void {
	if (!fleet || !process.send) return;
	const cpu = process.cpuUsage();
	const stats = fleet.stats();
	if (!keepIds || type !== "stopped") delete stats.ackedIds;
	const r: FleetReport = {
		type,
		...stats,
		cpuMs: Math.round((cpu.user + cpu.system) / 1000),
		rssMb: Math.round(process.memoryUsage.rss() / 1048576),
	};
	process.send(r);
}

const timer = setInterval(() => report("stats"), 1000);

process.on("message", (m: ToFleet) => {
	if (m.type === "start") {
		keepIds = m.keepIds === true;
		fleet = new Fleet(m.options, keepIds);
		void fleet.open();
	} else if (m.type === "beat") fleet?.beatAll();
	else if (m.type === "burst") fleet?.burst();
	else if (m.type === "stop") {
		clearInterval(timer);
		void (fleet?.stop() ?? Promise.resolve()).then(() => {
			report("stopped");
			process.disconnect?.();
			process.exit(0);
		});
	}
});
// The parent gone (a failed run): end at once, the sockets with the process.
process.on("disconnect", () => process.exit(0));
