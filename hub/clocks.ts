/**
 * The clocks of the nodes, as the hub sees them: every event placed on the hub's time line by the
 * policy of core/clock.ts (`vikno_clock_corrections_total`), and each node's offset measured from
 * its recent statuses, which it publishes live, never from its outbox
 * (`vikno_node_clock_offset_seconds`).
 */
import { type ClockPolicy, DEFAULT_CLOCK_POLICY, offsetOf, type Stamped, stamp } from "../core/clock.ts";
import type { WireEvent } from "../core/contract.ts";
import type { Metrics } from "./metrics.ts";

/** Statuses a node's offset is taken from. */
const SAMPLES = 5;

export class NodeClocks {
	private readonly samples = new Map<string, number[]>();

	constructor(
		private readonly metrics: Metrics,
		private readonly policy: ClockPolicy = DEFAULT_CLOCK_POLICY,
	) {}

	/**
	 * The event's time on the hub's time line; a node's status is also a sample of its clock (not
	 * for a Last Will, which the broker sends with the payload written at connect: ingest stamps
	 * that one with its arrival and does not ask).
	 */
	place(e: WireEvent, arrival: number): Stamped {
		const key = `${e.centre}/${e.node}`;
		if (e.kind === "status") {
			const list = this.samples.get(key) ?? [];
			list.push(e.data.ts - arrival);
			if (list.length > SAMPLES) list.shift();
			this.samples.set(key, list);
			this.metrics.clockOffset.set({ centre: e.centre, node: e.node }, (offsetOf(list) ?? 0) / 1000);
		}
		const placed = stamp(e.data.ts, arrival, this.policy);
		if (placed.ok && placed.ahead) this.metrics.clockCorrections.inc({ reason: "ahead" });
		return placed;
	}

	/** The node's clock minus the hub's, ms, as last measured. */
	offset(centre: string, node: string): number | undefined {
		return offsetOf(this.samples.get(`${centre}/${node}`) ?? []);
	}
}
