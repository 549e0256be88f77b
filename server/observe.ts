/**
 * What `/metrics` reads from the hub's state at each scrape: today's queue anomalies, each
 * configured node up or not, each centre open or not, how the estimates' ranges held
 * (hub/metrics.ts declares the gauges).
 */
import type { CentreIndex } from "../core/centre.ts";
import { anomalies } from "../core/ticketLedger.ts";
import type { Insights } from "../hub/insights.ts";
import type { LiveHub } from "../hub/liveHub.ts";
import type { Metrics } from "../hub/metrics.ts";

export function observeHalls(
	metrics: Metrics,
	centres: ReadonlyMap<string, CentreIndex>,
	live: LiveHub,
	insights: Insights,
): void {
	metrics.anomalySource.read = function* () {
		for (const id of centres.keys()) {
			const state = live.state(id);
			if (state) for (const [reason, n] of Object.entries(anomalies(state.tickets))) yield { centre: id, reason, n };
		}
	};
	metrics.hallSource.nodes = function* () {
		for (const [id, index] of centres) {
			const state = live.state(id);
			for (const n of index.centre.nodes) yield { centre: id, node: n.id, up: state?.nodes.get(n.id)?.online === true };
		}
	};
	metrics.estimateSource.read = function* () {
		for (const id of centres.keys()) for (const c of insights.calibrationOf(id)) yield { centre: id, ...c };
	};
	metrics.hallSource.open = function* () {
		for (const id of centres.keys()) yield { centre: id, open: insights.opening(id)?.open === true };
	};
}
