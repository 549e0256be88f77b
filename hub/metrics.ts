/** Prometheus metrics of one hub (its own registry, so several hubs can live in one process). */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { CalibrationSummary } from "../core/calibration.ts";
import { REJECT_REASON_NAMES } from "../core/reasons.ts";

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics(opts: { defaults?: boolean } = {}) {
	const registry = new Registry();
	if (opts.defaults) collectDefaultMetrics({ register: registry, prefix: "vikno_process_" });
	const messages = new Counter({
		name: "vikno_messages_total",
		help: "MQTT messages seen by ingest, by result (accepted, duplicate, rejected) and rejection reason",
		labelNames: ["result", "reason"] as const,
		registers: [registry],
	});
	// Zero series for every label, so dashboards and alerts see the metric before the first error.
	messages.inc({ result: "accepted", reason: "" }, 0);
	messages.inc({ result: "duplicate", reason: "" }, 0);
	for (const reason of REJECT_REASON_NAMES) messages.inc({ result: "rejected", reason }, 0);

	const anomalySource: { read: () => Iterable<{ centre: string; reason: string; n: number }> } = { read: () => [] };
	new Gauge({
		name: "vikno_queue_anomalies",
		help: "Today's queue events that did not fit a ticket's course, by centre and reason (docs/errors.md)",
		labelNames: ["centre", "reason"] as const,
		registers: [registry],
		collect() {
			for (const { centre, reason, n } of anomalySource.read()) this.set({ centre, reason }, n);
		},
	});

	// Each configured node up or not, each centre open or not: what Prometheus' rule for an offline
	// device needs (deploy/prometheus/vikno.rules.yml), read at each scrape.
	const hallSource: {
		nodes: () => Iterable<{ centre: string; node: string; up: boolean }>;
		open: () => Iterable<{ centre: string; open: boolean }>;
	} = { nodes: () => [], open: () => [] };
	new Gauge({
		name: "vikno_node_up",
		help: "1 while a configured node's latest status (or Last Will) says online, else 0 (also never heard of)",
		labelNames: ["centre", "node"] as const,
		registers: [registry],
		collect() {
			for (const { centre, node, up } of hallSource.nodes()) this.set({ centre, node }, up ? 1 : 0);
		},
	});
	new Gauge({
		name: "vikno_centre_open",
		help: "1 while the centre is open by its opening hours, else 0",
		labelNames: ["centre"] as const,
		registers: [registry],
		collect() {
			for (const { centre, open } of hallSource.open()) this.set({ centre }, open ? 1 : 0);
		},
	});

	// How the wait estimate's ranges held, per centre and service (`*`: the whole centre), read at
	// each scrape from the hub's calibration (core/calibration.ts).
	const estimateSource: {
		read: () => Iterable<{ centre: string; service: string; summary: CalibrationSummary }>;
	} = { read: () => [] };
	const perService = ["centre", "service"] as const;
	new Gauge({
		name: "vikno_estimate_coverage",
		help: "Share of the last (up to 200) called tickets whose real wait fell inside the range shown at their issue",
		labelNames: perService,
		registers: [registry],
		collect() {
			for (const { centre, service, summary } of estimateSource.read())
				if (summary.coverage !== null) this.set({ centre, service }, summary.coverage);
		},
	});
	new Gauge({
		name: "vikno_estimate_bias_minutes",
		help: "Mean of real wait minus the estimate shown at issue over the same tickets, minutes (positive: optimistic)",
		labelNames: perService,
		registers: [registry],
		collect() {
			for (const { centre, service, summary } of estimateSource.read())
				if (summary.biasMin !== null) this.set({ centre, service }, summary.biasMin);
		},
	});
	new Gauge({
		name: "vikno_estimate_calibration_tickets",
		help: "Called tickets the estimate coverage and bias are over (at most 200 per service)",
		labelNames: perService,
		registers: [registry],
		collect() {
			for (const { centre, service, summary } of estimateSource.read()) this.set({ centre, service }, summary.tickets);
		},
	});
	new Gauge({
		name: "vikno_estimate_correction",
		help: "The range correction applied now: bound low or high scales that half-width of the simulated range (1 = unchanged), median moves the estimate by that many half-widths",
		labelNames: ["centre", "service", "bound"] as const,
		registers: [registry],
		collect() {
			for (const { centre, service, summary } of estimateSource.read())
				for (const [bound, value] of Object.entries(summary.correction)) this.set({ centre, service, bound }, value);
		},
	});
	new Gauge({
		name: "vikno_estimate_offset_minutes",
		help: "Minutes added to the estimate's median on top of the correction, learnt from the mean of real − shown (drives the bias to 0)",
		labelNames: perService,
		registers: [registry],
		collect() {
			for (const { centre, service, summary } of estimateSource.read())
				this.set({ centre, service }, summary.offsetMin);
		},
	});

	return {
		registry,
		messages,
		/** Set by the hub: the estimate calibration of every centre, read at each scrape. */
		estimateSource,
		/** Set by the hub: the nodes' and centres' state, read at each scrape. */
		hallSource,
		clients: new Gauge({
			name: "vikno_mqtt_clients_connected",
			help: "MQTT clients connected to the broker",
			registers: [registry],
		}),
		ingestLag: new Histogram({
			name: "vikno_ingest_lag_seconds",
			help: "Hub receive time minus the event's edge time",
			buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30, 300, 3600],
			registers: [registry],
		}),
		storeWrite: new Histogram({
			name: "vikno_store_write_seconds",
			help: "Time to make one batch of events durable in the store",
			buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1],
			labelNames: ["store"] as const,
			registers: [registry],
		}),
		storeBatch: new Histogram({
			name: "vikno_store_batch_events",
			help: "Events per durable store batch (group commit)",
			buckets: [1, 2, 5, 10, 50, 100, 500, 1000],
			registers: [registry],
		}),
		storeLag: new Histogram({
			name: "vikno_store_lag_seconds",
			help: "Per batch written to the store: from receipt at the hub of its oldest event until the batch is in the store (spooled events wait longer)",
			buckets: [0.001, 0.01, 0.1, 0.5, 1, 5, 30, 300, 3600],
			registers: [registry],
		}),
		spoolDepth: new Gauge({
			name: "vikno_spool_depth",
			help: "Accepted events in the hub's local spool, not yet in the store",
			registers: [registry],
		}),
		storeRefused: new Counter({
			name: "vikno_store_refused_total",
			help: "Events the store refused for good (kept in the spool's dead letters)",
			registers: [registry],
		}),
		clockOffset: new Gauge({
			name: "vikno_node_clock_offset_seconds",
			help: "A node's clock minus the hub's, from its recent statuses (core/clock.ts)",
			labelNames: ["centre", "node"] as const,
			registers: [registry],
		}),
		clockCorrections: new Counter({
			name: "vikno_clock_corrections_total",
			help: "Events whose time was set back to their arrival, being ahead of it by more than the tolerance (reason ahead)",
			labelNames: ["reason"] as const,
			registers: [registry],
		}),
		/** Set by the hub: today's queue anomalies per centre, read at each scrape. */
		anomalySource,
		deadLetters: new Gauge({
			name: "vikno_dead_letters",
			help: "Events kept in the spool's dead letters: refused by the store, or unstorable at ingest",
			registers: [registry],
		}),
		ratingBursts: new Counter({
			name: "vikno_rating_burst_total",
			help: "Ratings past the hub's bound per window and minute, stored and counted as extra presses",
			registers: [registry],
		}),
		nodeRateDelayed: new Counter({
			name: "vikno_node_rate_delayed_total",
			help: "Messages of a device over its rate whose admission (and PUBACK) was delayed, not refused",
			registers: [registry],
		}),
		nodeRateDelay: new Counter({
			name: "vikno_node_rate_delay_seconds_total",
			help: "Total time messages were held back by the per-device rate",
			registers: [registry],
		}),
		storeErrors: new Counter({
			name: "vikno_store_errors_total",
			help: "Failed store writes (the events stay in the spool and are retried)",
			registers: [registry],
		}),
	};
}
