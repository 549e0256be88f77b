/**
 * A fleet of simulated nodes for scale runs: thousands of MQTT connections in one process, each
 * a node with its real credential, behaving on the wire as an edge node does (edge/link.ts): a
 * persistent session (clean=false), its retained `status` also its Last Will, `…/cmd/#`
 * subscribed at QoS 1 (again only when the hub's session is new), and a heartbeat (retained `status`, QoS 1, a fresh UUIDv7 id) every
 * `heartbeatS`. Connections are opened at `ratePerS`; a lost connection is retried as the edge
 * node retries it (core/backoff.ts: 0.25–0.5 s, then doubling to 7.5–15 s; a CONNACK awaited
 * 30 s), so a restarted hub gets the crowd back as the real fleet would send it.
 *
 * One timer drives every node's heartbeat (node i beats at second i mod heartbeatS of each
 * period) and its own events (`eventsPerHour`, drawn each second), so the load is spread evenly
 * and the fleet costs no timer per node. `burst()` is the opening at 9:00: every node's event at
 * once. Faults (faults.ts) are injected as asked and counted in `stats().faults`, so a test can
 * say exactly what the hub must have stored, refused and corrected.
 */
import mqtt, { type MqttClient } from "mqtt";
import { v7 as uuidv7 } from "uuid";
import { CONNACK_TIMEOUT_MS, MAX_ATTEMPT, reconnectDelay } from "../core/backoff.ts";
import { mulberry32, type Rng } from "../core/stats.ts";
import { eventTopic } from "../core/topic.ts";
import {
	type FleetFaults,
	type FleetRole,
	MALFORMED,
	type Malformed,
	malformedMessage,
	roleEvent,
	roleOf,
	skewEffect,
} from "./faults.ts";
import { SIM_VERSION } from "./sim-node.ts";

export interface FleetNode {
	centre: string;
	node: string;
	username: string;
	password: string;
	/** The broker this node talks to (`mqtt://127.0.0.1:PORT`). */
	url: string;
	/** What it sends (default: from its id, faults.ts `roleOf`). */
	role?: FleetRole;
}

export interface FleetOptions {
	nodes: readonly FleetNode[];
	/** New connections per second while the fleet comes up (default 1000). */
	ratePerS?: number;
	/** Seconds between two heartbeats of a node (default 30); 0: none. */
	heartbeatS?: number;
	/** MQTT keep-alive, s (default 60: the heartbeat keeps the connection busy anyway). */
	keepaliveS?: number;
	/**
	 * A lost connection is retried as the edge node retries it (edge/link.ts, core/backoff.ts):
	 * after `reconnectMinMs` doubling to `reconnectMaxMs`, half of it drawn (the edge node's
	 * defaults: 500 and 15 000 ms); a CONNACK awaited as long as the edge node waits for it (CONNACK_TIMEOUT_MS).
	 */
	reconnectMinMs?: number;
	reconnectMaxMs?: number;
	/** Each node's own events per hour (ratings, tickets, door counts by its role; default 0). */
	eventsPerHour?: number;
	faults?: FleetFaults;
	/** Seed of the draws (events, faults, which nodes are skewed); default 1. */
	seed?: number;
	clock?: () => number;
}

/** What the fleet did on purpose, so a test knows what the hub must have done. */
export interface FaultCounts {
	/** Events sent a second time with the same bytes. */
	duplicates: number;
	/** Events sent after newer ones of their node. */
	reordered: number;
	/** Malformed messages sent, by the reason the hub gives. */
	malformed: Record<Malformed, number>;
	/** Messages (events and heartbeats) sent with a clock ahead beyond the hub's tolerance, and too far behind. */
	ahead: number;
	tooOld: number;
	/** Connections broken (no DISCONNECT). */
	severed: number;
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
	/** Heartbeats the hub must keep (not from a clock too far behind). */
	heartbeatsKept: number;
	errors: number;
	/** The client errors by kind: the error's code (ECONNRESET, a CONNACK's return code) or its message. */
	errorKinds: Record<string, number>;
	/** The ids of acknowledged heartbeats, when asked for (`keepIds`). */
	ackedIds?: string[];
	/** Distinct events handed to the clients (each once, however often it is sent), and those acknowledged. */
	events: number;
	eventsAcked: number;
	/** Messages sent on purpose besides (duplicates, malformed) and those acknowledged. */
	extra: number;
	extraAcked: number;
	/** Events held back for the out-of-order fault, not yet sent. */
	held: number;
	faults: FaultCounts;
}

/** An event of a node: its topic and bytes as sent, every time it is sent. */
interface Sent {
	id: string;
	topic: string;
	payload: Buffer;
}

/** One node's state besides its client. */
interface NodeState {
	role: FleetRole;
	skewMs: number;
	/** Events made so far (ticket numbers, the order of malformed kinds). */
	made: number;
	/** The id of its last event sent. */
	lastId: string | undefined;
	/** Held back (out of order): each with how many of the node's later events still go first. */
	held: { event: Sent; after: number }[];
	/** Sent, to be sent again after the node's next event (duplicates). */
	again: Sent[];
}

export class Fleet {
	private readonly clients: (MqttClient | undefined)[];
	private readonly isUp: boolean[];
	/** 1 where the node's `cmd/#` subscription was acknowledged in the session the hub keeps. */
	private readonly subscribed: Uint8Array;
	/** Each node's failed attempts since it was last connected (its back-off). */
	private readonly attempts: number[];
	private connectedNow = 0;
	private connacks = 0;
	private heartbeats = 0;
	private acked = 0;
	private errors = 0;
	private readonly errorKinds: Record<string, number> = {};
	private readonly ids: string[] | undefined;
	private ticker: NodeJS.Timeout | undefined;
	private second = 0;
	private readonly startedAt: number;
	private readonly clock: () => number;
	private stopped = false;
	private readonly random: Rng;
	private readonly state: NodeState[];
	private events = 0;
	private heartbeatsKept = 0;
	private eventsAcked = 0;
	private extra = 0;
	private extraAcked = 0;
	private readonly faults: FaultCounts = {
		duplicates: 0,
		reordered: 0,
		malformed: Object.fromEntries(MALFORMED.map((m) => [m, 0])) as Record<Malformed, number>,
		ahead: 0,
		tooOld: 0,
		severed: 0,
	};
	private readonly eventIds: string[] | undefined;

	constructor(
		private readonly o: FleetOptions,
		keepIds = false,
	) {
		this.clients = new Array(o.nodes.length).fill(undefined);
		this.isUp = new Array(o.nodes.length).fill(false);
		this.subscribed = new Uint8Array(o.nodes.length);
		this.attempts = new Array(o.nodes.length).fill(0);
		this.clock = o.clock ?? Date.now;
		this.startedAt = this.clock();
		this.ids = keepIds ? [] : undefined;
		this.eventIds = keepIds ? [] : undefined;
		this.random = mulberry32(o.seed ?? 1);
		const skews = o.faults?.skews ?? [];
		this.state = o.nodes.map((n) => {
			// One draw per node: the skews' shares are consecutive ranges of it.
			let draw = this.random();
			let skewMs = 0;
			for (const s of skews) {
				if (draw < s.share) {
					skewMs = s.ms;
					break;
				}
				draw -= s.share;
			}
			return { role: n.role ?? roleOf(n.node), skewMs, made: 0, lastId: undefined, held: [], again: [] };
		});
	}

	/** The fleet's nodes, in the order of `skews()`. */
	nodeList(): readonly FleetNode[] {
		return this.o.nodes;
	}

	/** The nodes' clock offsets, ms (0 for a node with a right clock). */
	skews(): number[] {
		return this.state.map((s) => s.skewMs);
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
		const perHour = this.o.eventsPerHour ?? 0;
		if ((period > 0 || perHour > 0) && !this.ticker)
			this.ticker = setInterval(() => {
				const second = this.second++;
				if (period > 0) this.beat(second % period);
				if (perHour > 0) this.tick(perHour / 3600);
			}, 1000);
	}

	stats(): FleetStats {
		return {
			nodes: this.o.nodes.length,
			connected: this.connectedNow,
			connacks: this.connacks,
			heartbeats: this.heartbeats,
			heartbeatsAcked: this.acked,
			errors: this.errors,
			errorKinds: { ...this.errorKinds },
			...(this.ids ? { ackedIds: [...this.ids] } : {}),
			heartbeatsKept: this.heartbeatsKept,
			events: this.events,
			eventsAcked: this.eventsAcked,
			extra: this.extra,
			extraAcked: this.extraAcked,
			held: this.state.reduce((n, s) => n + s.held.length, 0),
			faults: structuredClone(this.faults),
		};
	}

	/** The ids of the events the hub must store (with `keepIds`: all but those from a clock too far behind). */
	eventIdList(): string[] {
		return [...(this.eventIds ?? [])];
	}

	/**
	 * `perNode` events from every node now (the opening at 9:00 when `perNode` is 1), whether
	 * connected or not: a node's client keeps what it cannot send yet.
	 */
	burst(perNode = 1): void {
		for (let k = 0; k < perNode; k++) for (let i = 0; i < this.clients.length; i++) this.event(i);
	}

	/** Send what the faults still hold: events held back and repeats not yet sent. */
	flush(): void {
		for (let i = 0; i < this.state.length; i++) {
			const s = this.state[i] as NodeState;
			for (const h of s.held.splice(0)) this.send(i, h.event, "event");
			for (const a of s.again.splice(0)) this.repeat(i, a);
		}
	}

	/**
	 * A disconnect storm: break the connections of `share` of the connected nodes now, without a
	 * DISCONNECT, as a failing access point does; each comes back by itself after its back-off
	 * (0.25–0.5 s at first).
	 */
	sever(share: number): number {
		let n = 0;
		for (let i = 0; i < this.clients.length; i++) {
			const c = this.clients[i];
			if (!c || !this.isUp[i] || this.random() >= share) continue;
			c.stream?.destroy();
			n++;
		}
		this.faults.severed += n;
		return n;
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
			// Reconnected below, with the edge node's back-off (MQTT.js retries at a fixed period).
			reconnectPeriod: 0,
			connectTimeout: CONNACK_TIMEOUT_MS,
			// A fresh Will per connection: a reused id would be dropped as a repeat (sim-node.ts).
			will: { topic: statusTopic, payload: this.status(false), qos: 1, retain: true },
		});
		c.on("connect", (connack) => {
			this.connacks++;
			this.attempts[i] = 0;
			if (!this.isUp[i]) this.connectedNow++;
			this.isUp[i] = true;
			// As the edge node (edge/link.ts): subscribed again only when the hub's session is new or
			// the subscription was not yet acknowledged.
			if (!connack.sessionPresent) this.subscribed[i] = 0;
			if (!this.subscribed[i])
				c.subscribe(`vikno/v1/${n.centre}/${n.node}/cmd/#`, { qos: 1 }, (err, granted) => {
					if (!err && granted?.[0] && granted[0].qos !== 128) this.subscribed[i] = 1;
				});
			this.heartbeat(i);
		});
		c.on("close", () => {
			if (this.isUp[i]) this.connectedNow--;
			this.isUp[i] = false;
			if (c.options.will) c.options.will.payload = this.status(false);
			if (this.stopped) return;
			const attempt = this.attempts[i] ?? 0;
			this.attempts[i] = Math.min(attempt + 1, MAX_ATTEMPT);
			const delay = reconnectDelay(attempt, this.o.reconnectMinMs ?? 500, this.o.reconnectMaxMs ?? 15_000, Math.random);
			setTimeout(() => {
				// The same stores: reconnect() would otherwise start empty ones and drop the publishes in flight.
				if (!this.stopped && !c.connected && !c.disconnecting)
					c.reconnect({ incomingStore: c.incomingStore, outgoingStore: c.outgoingStore });
			}, delay).unref();
		});
		c.on("error", (err: Error & { code?: string | number }) => {
			this.errors++;
			const kind = String(err.code ?? err.message);
			this.errorKinds[kind] = (this.errorKinds[kind] ?? 0) + 1;
		});
		return c;
	}

	private beat(slot: number): void {
		const period = this.o.heartbeatS ?? 30;
		for (let i = slot; i < this.clients.length; i += period) if (this.isUp[i]) this.heartbeat(i);
	}

	/** Each node's event this second with chance `p`. */
	private tick(p: number): void {
		for (let i = 0; i < this.clients.length; i++) if (this.clients[i] && this.random() < p) this.event(i);
	}

	/** A node's next event, with the faults asked for. */
	private event(i: number): void {
		const n = this.o.nodes[i];
		const s = this.state[i];
		if (!n || !s || !this.clients[i]) return;
		const faults = this.o.faults ?? {};
		const e = roleEvent(s.role, s.made++, this.random);
		const ts = this.nodeTime(i);
		const id = uuidv7();
		const event: Sent = {
			id,
			topic: eventTopic(n.centre, n.node, e.kind),
			payload: Buffer.from(JSON.stringify({ id, ts, ...e.data })),
		};
		const effect = this.stamped(s.skewMs);
		this.events++;
		if (effect !== "too_old") this.eventIds?.push(id);
		const repeats = s.again.splice(0);
		if (faults.outOfOrder && this.random() < faults.outOfOrder) {
			s.held.push({ event, after: 1 + Math.floor(this.random() * 3) });
			this.faults.reordered++;
		} else {
			this.send(i, event, "event");
			for (const h of [...s.held]) {
				if (--h.after > 0) continue;
				s.held.splice(s.held.indexOf(h), 1);
				this.send(i, h.event, "event");
			}
			if (faults.duplicates && this.random() < faults.duplicates) s.again.push(event);
		}
		for (const r of repeats) this.repeat(i, r);
		if (faults.malformed && s.lastId && this.random() < faults.malformed) {
			const kind = MALFORMED[s.made % MALFORMED.length] as Malformed;
			const m = malformedMessage(kind, { ...n, role: s.role }, uuidv7(), this.nodeTime(i), s.lastId);
			// Only a well-formed message is placed in time: a reused id from a clock too far behind is refused as too old.
			if (kind !== "id_reused" || this.stamped(s.skewMs) !== "too_old") this.faults.malformed[kind]++;
			this.send(i, { id: "", ...m }, "extra");
		}
	}

	/** An event sent again: placed in time again (an ahead one corrected again, a too old one refused again). */
	private repeat(i: number, r: Sent): void {
		if (this.stamped(this.state[i]?.skewMs ?? 0) !== "too_old") this.faults.duplicates++;
		this.send(i, r, "extra");
	}

	private send(i: number, m: Sent, as: "event" | "extra"): void {
		const c = this.clients[i];
		const s = this.state[i];
		if (!c || !s) return;
		if (as === "event") s.lastId = m.id;
		else this.extra++;
		c.publish(m.topic, m.payload, { qos: 1 }, (err) => {
			if (err) return;
			if (as === "event") this.eventsAcked++;
			else this.extraAcked++;
		});
	}

	/** A well-formed message stamped by a node's clock, counted by what the hub will make of it (core/clock.ts). */
	private stamped(skewMs: number): "kept" | "ahead" | "too_old" {
		const effect = skewEffect(skewMs);
		if (effect === "ahead") this.faults.ahead++;
		else if (effect === "too_old") this.faults.tooOld++;
		return effect;
	}

	/** A node's clock. */
	private nodeTime(i: number): number {
		return this.clock() + (this.state[i]?.skewMs ?? 0);
	}

	private heartbeat(i: number): void {
		const c = this.clients[i];
		const n = this.o.nodes[i];
		if (!c || !n) return;
		const id = uuidv7();
		this.heartbeats++;
		if (this.stamped(this.state[i]?.skewMs ?? 0) !== "too_old") this.heartbeatsKept++;
		c.publish(eventTopic(n.centre, n.node, "status"), this.status(true, id, i), { qos: 1, retain: true }, (err) => {
			if (err) return;
			this.acked++;
			this.ids?.push(id);
		});
	}

	private status(online: boolean, id = uuidv7(), i = -1): Buffer {
		const ts = this.clock() + (this.state[i]?.skewMs ?? 0);
		return Buffer.from(
			JSON.stringify({
				id,
				ts,
				online,
				version: SIM_VERSION,
				uptimeS: Math.floor((this.clock() - this.startedAt) / 1000),
				buffered: 0,
			}),
		);
	}
}
