/**
 * Publishes a simulated timeline through a real MQTT broker, one client per node as in a real
 * centre, with `ts` = the simulated instant of each action, as fast as the broker acknowledges.
 * A hub behind the broker then lives through a simulated week in seconds.
 *
 * Order: MQTT keeps one client's QoS 1 messages in order (MQTT 3.1.1 §4.6), but not messages of
 * different clients. With `ordered` (the default) a node publishes only once every message of
 * the other nodes has been acknowledged, so the hub receives the timeline in its exact order
 * (a ticket is issued before a window calls it); runs of one node's messages still pipeline.
 */
import type { Centre } from "../core/centre.ts";
import type { Action } from "./hall.ts";
import { SimNode } from "./sim-node.ts";

export interface ReplayOptions {
	/** The centre (or centres) the actions belong to; every node of them gets a connection. */
	centre: Centre | readonly Centre[];
	brokerUrl: string;
	/** In time order. Actions without `centre` belong to the first centre. */
	actions: readonly (Action & { centre?: string })[];
	/** Keep the timeline's order across nodes (see above); default true. */
	ordered?: boolean;
	/** At most this many messages awaiting PUBACK; default 1000. */
	maxInFlight?: number;
	/**
	 * Called with each action just before it is published: a hub the timeline is replayed into can
	 * set its clock to the action's `at`, so every event arrives at (or after) the time it happened.
	 */
	onPublish?: (action: Action & { centre?: string }) => void;
	/** Called with (acknowledged, total) about every 1 % and at the end. */
	onProgress?: (done: number, total: number) => void;
	credentials?: (centre: string, node: string) => { username: string; password: string } | undefined;
	log?: (message: string) => void;
}

export interface ReplayResult {
	/** Actions published and acknowledged (statuses not included). */
	published: number;
	wallMs: number;
	perSecond: number;
}

export async function replayTimeline(options: ReplayOptions): Promise<ReplayResult> {
	const centres: readonly Centre[] = Array.isArray(options.centre) ? options.centre : [options.centre as Centre];
	const first = centres[0];
	if (!first) throw new Error("replayTimeline needs at least one centre");
	const { actions, log } = options;
	const ordered = options.ordered ?? true;
	const maxInFlight = Math.max(1, options.maxInFlight ?? 1000);

	// The nodes' clock is the timeline's: statuses say the node came online at the first action.
	let simNow = actions[0]?.at ?? Date.now();
	const keyOf = (centre: string, node: string) => `${centre}/${node}`;
	const known = new Set(centres.flatMap((c) => c.nodes.map((n) => keyOf(c.id, n.id))));
	for (const a of actions) {
		if (!known.has(keyOf(a.centre ?? first.id, a.node)))
			throw new Error(`action of unknown node "${a.node}" in centre "${a.centre ?? first.id}"`);
	}

	const results = await Promise.allSettled(
		centres.flatMap((c) =>
			c.nodes.map((n) =>
				SimNode.connect({
					brokerUrl: options.brokerUrl,
					centre: c.id,
					node: n.id,
					clock: () => simNow,
					clientPrefix: "replay",
					...options.credentials?.(c.id, n.id),
					...(log ? { log } : {}),
				}).then((node) => [keyOf(c.id, n.id), node] as const),
			),
		),
	);
	const nodes = new Map<string, SimNode>();
	for (const r of results) if (r.status === "fulfilled") nodes.set(r.value[0], r.value[1]);
	const failed = results.find((r) => r.status === "rejected");
	if (failed) {
		await Promise.all([...nodes.values()].map((n) => n.stop()));
		throw failed.reason;
	}

	const started = Date.now();
	const total = actions.length;
	const every = Math.max(1, Math.floor(total / 100));
	let inFlight = 0;
	let done = 0;
	let lastNode: SimNode | undefined;
	let error: Error | undefined;
	let wake: (() => void) | undefined;
	const settled = () => {
		inFlight--;
		const w = wake;
		wake = undefined;
		w?.();
	};
	const acked = () => new Promise<void>((resolve) => (wake = resolve));

	try {
		for (const a of actions) {
			const node = nodes.get(keyOf(a.centre ?? first.id, a.node)) as SimNode;
			while (!error && inFlight > 0 && (inFlight >= maxInFlight || (ordered && node !== lastNode))) await acked();
			if (error) break;
			lastNode = node;
			simNow = Math.max(simNow, a.at);
			options.onPublish?.(a);
			inFlight++;
			node.publish(a.kind, a.data, a.at).then(
				() => {
					done++;
					if (done % every === 0 || done === total) options.onProgress?.(done, total);
					settled();
				},
				(e: Error) => {
					error ??= new Error(`${a.node}: ${a.kind} at ${new Date(a.at).toISOString()} not published: ${e.message}`);
					settled();
				},
			);
		}
		while (inFlight > 0) await acked();
		if (error) throw error;
	} finally {
		await Promise.all([...nodes.values()].map((n) => n.stop()));
	}
	const wallMs = Date.now() - started;
	return { published: done, wallMs, perSecond: Math.round((done / Math.max(wallMs, 1)) * 1000) };
}
