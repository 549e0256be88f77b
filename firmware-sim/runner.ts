/**
 * Runs a simulated hall against a real MQTT broker: one MQTT client per node of the centre,
 * a tick loop that moves simulated time `speed` times faster than the wall clock and publishes
 * what the hall did, and a clean stop.
 *
 * Visitors come around the clock unless `hall.followHours` is set; events carry the wall clock
 * (or `clock`) as `ts`, as a real node's would. For simulated time on the wire, see `replay.ts`.
 */
import type { Centre } from "../core/centre.ts";
import type { HallSettings } from "./behaviour.ts";
import { type Action, createHall } from "./hall.ts";
import { SimNode } from "./sim-node.ts";

export interface SimulationOptions {
	centre: Centre;
	brokerUrl: string;
	/** Simulated seconds per wall-clock second. */
	speed?: number;
	/** Seed of the hall's random generator; the same seed gives the same sequence of events. */
	seed?: number;
	/** Overrides of the hall's behaviour (arrival rate, opening hours, shares, timings). */
	hall?: Partial<HallSettings>;
	/** Simulated epoch ms the hall starts at (e.g. a Monday 08:55); `clock()` by default. */
	startAt?: number;
	/** The nodes' clock for `ts` (the demo's, shifted to an open hour); the wall clock by default. */
	clock?: () => number;
	/** Per-node credentials, when the broker asks for them. */
	credentials?: (node: string) => { username: string; password: string } | undefined;
	/** Wall-clock ms between ticks. */
	tickMs?: number;
	/** Wall-clock ms between status refreshes (uptime). */
	statusEveryMs?: number;
	log?: (message: string) => void;
	/** Each event as a node is about to publish it (the demo's terminal prints its tickets here). */
	onAction?: (a: Action) => void;
}

export interface Simulation {
	/** Publishes `online: false` for every node, disconnects them and stops the clock. */
	stop(): Promise<void>;
	/** Messages published (events and statuses), and those the broker acknowledged. */
	stats(): { published: number; acked: number };
}

export async function startSimulation(options: SimulationOptions): Promise<Simulation> {
	const { centre, brokerUrl, log } = options;
	const speed = options.speed ?? 30;
	const seed = options.seed ?? Date.now() >>> 0;
	if (!(speed > 0)) throw new Error(`speed must be a positive number, got ${speed}`);

	const results = await Promise.allSettled(
		centre.nodes.map((n) =>
			SimNode.connect({
				brokerUrl,
				centre: centre.id,
				node: n.id,
				...options.credentials?.(n.id),
				...(log ? { log } : {}),
				...(options.clock ? { clock: options.clock } : {}),
			}),
		),
	);
	const nodes = new Map<string, SimNode>();
	for (const r of results) if (r.status === "fulfilled") nodes.set(r.value.id, r.value);
	const failed = results.find((r) => r.status === "rejected");
	if (failed) {
		await Promise.all([...nodes.values()].map((n) => n.stop()));
		throw failed.reason;
	}

	const wallStart = Date.now();
	const simStart = options.startAt ?? options.clock?.() ?? wallStart;
	const simNow = () => simStart + (Date.now() - wallStart) * speed;
	const hall = createHall(centre, { ...options.hall, seed, startMs: simStart });
	log?.(`simulating ${centre.id}: ${nodes.size} nodes on ${brokerUrl}, speed ${speed}×, seed ${seed}`);

	const publish = (a: Action) => {
		const node = nodes.get(a.node);
		if (!node) return;
		options.onAction?.(a);
		node.publish(a.kind, a.data).catch((e: Error) => log?.(`${a.node}: ${a.kind} not published: ${e.message}`));
	};
	let lastStatus = wallStart;
	const statusEveryMs = options.statusEveryMs ?? 60_000;
	const tick = () => {
		for (const a of hall.advance(simNow())) publish(a);
		if (Date.now() - lastStatus >= statusEveryMs) {
			lastStatus = Date.now();
			for (const n of nodes.values()) n.heartbeat().catch(() => undefined);
		}
	};
	const timer = setInterval(tick, options.tickMs ?? 200);

	let stopping: Promise<void> | undefined;
	return {
		stop() {
			stopping ??= (async () => {
				clearInterval(timer);
				await Promise.all([...nodes.values()].map((n) => n.stop()));
				log?.(`simulation of ${centre.id} stopped`);
			})();
			return stopping;
		},
		stats() {
			let published = 0;
			let acked = 0;
			for (const n of nodes.values()) {
				published += n.published;
				acked += n.acked;
			}
			return { published, acked };
		},
	};
}
