/**
 * A fleet of simulated nodes for scale runs: thousands of MQTT connections in one process, each
 * a node with its real credential, behaving on the wire as an edge node does (edge/link.ts): a
 * persistent session (clean=false), its retained `status` also its Last Will, `…/cmd/#`
 * subscribed at QoS 1, and a heartbeat (retained `status`, QoS 1, a fresh UUIDv7 id) every
 * `heartbeatS`. Connections are opened at `ratePerS`; a lost connection is retried after
 * 1–2 s (spread, so a restarted hub gets the crowd back as a burst, not all in one millisecond).
 *
 * One timer drives every node's heartbeat (node i beats at second i mod heartbeatS of each
 * period), so the load is spread evenly and the fleet costs no timer per node.
 */
import mqtt, { type MqttClient } from "mqtt";
import { v7 as uuidv7 } from "uuid";
import { eventTopic } from "../core/topic.ts";
import { SIM_VERSION } from "./sim-node.ts";

export interface FleetNode {
	centre: string;
	node: string;
	username: string;
	password: string;
	/** The broker this node talks to (`mqtt://127.0.0.1:PORT`). */
	url: string;
}

export interface FleetOptions {
	nodes: readonly FleetNode[];
	/** New connections per second while the fleet comes up (default 1000). */
	ratePerS?: number;
	/** Seconds between two heartbeats of a node (default 30); 0: none. */
	heartbeatS?: number;
	/** MQTT keep-alive, s (default 60: the heartbeat keeps the connection busy anyway). */
	keepaliveS?: number;
	clock?: () => number;
}

export interface FleetStats {
	nodes: number;
	/** Connected now. */
	connected: number;
	/** CONNACKs received in all, first connections and reconnections. */
	connacks: number;
	/** Heartbeats handed to the clients, and those the broker acknowledged (PUBACK). */
	heartbeats: number;
	heartbeatsAcked: number;
	errors: number;
	/** The ids of acknowledged heartbeats, when asked for (`keepIds`). */
	ackedIds?: string[];
}

export class Fleet {
	private readonly clients: (MqttClient | undefined)[];
	private readonly isUp: boolean[];
	private connectedNow = 0;
	private connacks = 0;
	private heartbeats = 0;
	private acked = 0;
	private errors = 0;
	private readonly ids: string[] | undefined;
	private ticker: NodeJS.Timeout | undefined;
	private second = 0;
	private readonly startedAt: number;
	private readonly clock: () => number;
	private stopped = false;

	constructor(
		private readonly o: FleetOptions,
		keepIds = false,
	) {
		this.clients = new Array(o.nodes.length).fill(undefined);
		this.isUp = new Array(o.nodes.length).fill(false);
		this.clock = o.clock ?? Date.now;
		this.startedAt = this.clock();
		this.ids = keepIds ? [] : undefined;
	}

	/** Open every connection at the fleet's rate; resolves once all are opened (not yet connected). */
	async open(): Promise<void> {
		const rate = this.o.ratePerS ?? 1000;
		const start = performance.now();
		for (let i = 0; i < this.o.nodes.length && !this.stopped; i++) {
			const due = start + (i * 1000) / rate;
			const wait = due - performance.now();
			if (wait > 1) await new Promise((r) => setTimeout(r, wait));
			this.clients[i] = this.connect(i);
		}
		const period = this.o.heartbeatS ?? 30;
		if (period > 0 && !this.ticker) this.ticker = setInterval(() => this.beat(period), 1000);
	}

	stats(): FleetStats {
		return {
			nodes: this.o.nodes.length,
			connected: this.connectedNow,
			connacks: this.connacks,
			heartbeats: this.heartbeats,
			heartbeatsAcked: this.acked,
			errors: this.errors,
			...(this.ids ? { ackedIds: [...this.ids] } : {}),
		};
	}

	/** One heartbeat from every connected node now (a test's way to send a known set). */
	beatAll(): void {
		for (let i = 0; i < this.clients.length; i++) if (this.isUp[i]) this.heartbeat(i);
	}

	/** End every connection: a clean DISCONNECT where connected (no Will), then the socket. */
	async stop(): Promise<void> {
		this.stopped = true;
		if (this.ticker) clearInterval(this.ticker);
		await Promise.all(
			this.clients.map((c) => (c ? new Promise<void>((resolve) => c.end(false, {}, () => resolve())) : undefined)),
		);
		this.connectedNow = 0;
	}

	private connect(i: number): MqttClient {
		const n = this.o.nodes[i] as FleetNode;
		const statusTopic = eventTopic(n.centre, n.node, "status");
		const c = mqtt.connect(n.url, {
			protocolVersion: 4,
			clientId: n.username,
			username: n.username,
			password: n.password,
			clean: false,
			keepalive: this.o.keepaliveS ?? 60,
			reconnectPeriod: 1000 + Math.floor(Math.random() * 1000),
			connectTimeout: 30_000,
			// A fresh Will per connection: a reused id would be dropped as a repeat (sim-node.ts).
			will: { topic: statusTopic, payload: this.status(false), qos: 1, retain: true },
		});
		c.on("connect", () => {
			this.connacks++;
			if (!this.isUp[i]) this.connectedNow++;
			this.isUp[i] = true;
			c.subscribe(`vikno/v1/${n.centre}/${n.node}/cmd/#`, { qos: 1 });
			this.heartbeat(i);
		});
		c.on("close", () => {
			if (this.isUp[i]) this.connectedNow--;
			this.isUp[i] = false;
			if (c.options.will) c.options.will.payload = this.status(false);
		});
		c.on("error", () => {
			this.errors++;
		});
		return c;
	}

	private beat(period: number): void {
		const slot = this.second++ % period;
		for (let i = slot; i < this.clients.length; i += period) if (this.isUp[i]) this.heartbeat(i);
	}

	private heartbeat(i: number): void {
		const c = this.clients[i];
		const n = this.o.nodes[i];
		if (!c || !n) return;
		const id = uuidv7();
		this.heartbeats++;
		c.publish(eventTopic(n.centre, n.node, "status"), this.status(true, id), { qos: 1, retain: true }, (err) => {
			if (err) return;
			this.acked++;
			this.ids?.push(id);
		});
	}

	private status(online: boolean, id = uuidv7()): Buffer {
		const ts = this.clock();
		return Buffer.from(
			JSON.stringify({
				id,
				ts,
				online,
				version: SIM_VERSION,
				uptimeS: Math.floor((ts - this.startedAt) / 1000),
				buffered: 0,
			}),
		);
	}
}
