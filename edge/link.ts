/**
 * The node's MQTT link. One MQTT.js client per connection, reconnected here with backoff, so
 * that what is in flight is known exactly: MQTT.js keeps its own queue in memory only, and the
 * outbox is the single source of what still has to go out.
 *
 * On every connection: the retained status (online) is published, `…/{node}/cmd/#` subscribed
 * unless the hub kept the session that holds it (CONNACK "session present" and acknowledged
 * before), and the outbox replayed from its oldest waiting event, in order, with QoS 1 and at most
 * `inflight` events awaiting PUBACK. An event leaves the outbox only on its PUBACK; whatever
 * was in flight when a connection dropped is sent again on the next one (the hub deduplicates
 * by id). The Last Will is the retained status with `online: false` (MQTT 3.1.1 §3.1.2.5).
 *
 * With `fallbackUrls` (several hubs of a city on one Redis) every new attempt after a failed or
 * dropped connection goes to the next address in turn: a node whose hub died is on another within
 * its reconnect delay, its session (Redis) and its outbox with it.
 */
import { readFileSync } from "node:fs";
import { connect, type IClientOptions, type MqttClient } from "mqtt";
import { CONNACK_TIMEOUT_MS, MAX_ATTEMPT, reconnectDelay } from "../core/backoff.ts";
import type { Log } from "../core/log.ts";
import type { Outbox } from "./outbox.ts";

export interface LinkOptions {
	url: string;
	/** Further brokers to try in turn (the same city's other hubs). */
	fallbackUrls?: readonly string[] | undefined;
	clientId: string;
	username?: string | undefined;
	password?: string | undefined;
	caFile?: string | undefined;
	keepaliveS: number;
	reconnectMinMs: number;
	reconnectMaxMs: number;
	inflight: number;
	/** Topic prefix of commands to this node: `vikno/v1/{centre}/{node}/cmd`. */
	commandPrefix: string;
	statusTopic: string;
	/** Payload of the retained status; called on every connect, for the will and the "online" one. */
	status: (online: boolean) => object;
	outbox: Outbox;
	log: Log;
	/** A message on `{commandPrefix}/{name}`, as received. */
	onCommand: (name: string, payload: Uint8Array) => void;
	/** The hub's state this node reads (a terminal: `vikno/v1/{centre}/$hub/live`), subscribed on every connection. */
	hubTopics?: readonly string[];
	/** A message on one of `hubTopics`, as received. */
	onHubState?: (topic: string, payload: Uint8Array) => void;
}

export class Link {
	private client: MqttClient | undefined;
	private generation = 0;
	private connected = false;
	/** `cmd/#` subscribed and acknowledged in the session the hub keeps (see the connect handler). */
	private commandsSubscribed = false;
	/** Highest sequence number sent on the current connection. */
	private cursor = 0;
	private inflight = 0;
	private attempt = 0;
	private retry: ReturnType<typeof setTimeout> | undefined;
	private closed = false;
	private readonly connectedWaiters = new Set<() => void>();
	private readonly urls: readonly string[];
	/** Index into `urls` of the address of the current (or next) attempt. */
	private which = 0;

	constructor(private readonly o: LinkOptions) {
		this.urls = [o.url, ...(o.fallbackUrls ?? [])];
	}

	/** The broker address of the current (or next) connection. */
	get url(): string {
		return this.urls[this.which] ?? this.o.url;
	}

	get isConnected(): boolean {
		return this.connected;
	}

	start(): void {
		this.open();
	}

	/** Something was appended to the outbox: send it if the window allows. */
	kick(): void {
		this.pump();
	}

	/** Publish the retained status now (on a timer, or when something in it changed). */
	publishStatus(): void {
		const c = this.client;
		if (!this.connected || !c) return;
		c.publish(this.o.statusTopic, JSON.stringify(this.o.status(true)), { qos: 1, retain: true });
	}

	/** Resolves once connected (for tests and tools). */
	whenConnected(): Promise<void> {
		if (this.connected) return Promise.resolve();
		return new Promise((resolve) => this.connectedWaiters.add(resolve));
	}

	/** Graceful stop: say offline (retained), then disconnect so the will is not sent. */
	async close(): Promise<void> {
		this.closed = true;
		if (this.retry) clearTimeout(this.retry);
		const c = this.client;
		this.client = undefined;
		if (!c) return;
		if (this.connected) {
			await new Promise<void>((resolve) => {
				const t = setTimeout(resolve, 2000);
				c.publish(this.o.statusTopic, JSON.stringify(this.o.status(false)), { qos: 1, retain: true }, () => {
					clearTimeout(t);
					resolve();
				});
			});
		}
		this.connected = false;
		await new Promise<void>((resolve) => c.end(false, {}, () => resolve()));
	}

	private open(): void {
		if (this.closed) return;
		const gen = ++this.generation;
		const opts: IClientOptions = {
			protocolVersion: 4,
			clientId: this.o.clientId,
			// A persistent session keeps the hub's answers (cmd/call) queued while the node is away.
			clean: false,
			keepalive: this.o.keepaliveS,
			reconnectPeriod: 0,
			connectTimeout: CONNACK_TIMEOUT_MS,
			will: {
				topic: this.o.statusTopic,
				payload: Buffer.from(JSON.stringify(this.o.status(false))),
				qos: 1,
				retain: true,
			},
		};
		if (this.o.username !== undefined) opts.username = this.o.username;
		if (this.o.password !== undefined) opts.password = this.o.password;
		if (this.o.caFile !== undefined) opts.ca = readFileSync(this.o.caFile);
		const url = this.url;
		const c = connect(url, opts);
		this.client = c;
		c.on("connect", (connack) => {
			if (gen !== this.generation) return;
			this.connected = true;
			this.attempt = 0;
			this.cursor = 0;
			this.inflight = 0;
			this.o.log.info({ url, buffered: this.o.outbox.depth }, "connected to the hub");
			this.publishStatus();
			// The commands' subscription lives in the hub's session: subscribed again only when the
			// session is new (CONNACK without "session present") or this process has not yet seen it
			// acknowledged. A restarted hub's thousands of nodes come back without a SUBSCRIBE each.
			if (!connack.sessionPresent) this.commandsSubscribed = false;
			if (!this.commandsSubscribed)
				c.subscribe(`${this.o.commandPrefix}/#`, { qos: 1 }, (err, granted) => {
					if (gen === this.generation && !err && granted?.[0] && granted[0].qos !== 128) this.commandsSubscribed = true;
				});
			// The hub's figures (QoS 0, retained): subscribed on every connection, so the latest are sent again.
			for (const t of this.o.hubTopics ?? []) c.subscribe(t, { qos: 0 });
			for (const w of this.connectedWaiters) w();
			this.connectedWaiters.clear();
			this.pump();
		});
		c.on("message", (topic, payload) => {
			if (gen !== this.generation) return;
			if (this.o.hubTopics?.includes(topic)) {
				this.o.onHubState?.(topic, payload);
				return;
			}
			// Checked by the node against the command's schema (core/commands.ts), not here.
			this.o.onCommand(topic.slice(this.o.commandPrefix.length + 1), payload);
		});
		c.on("error", (e) => {
			if (gen === this.generation) this.o.log.debug({ err: e.message }, "mqtt error");
		});
		c.on("close", () => {
			if (gen !== this.generation) return;
			this.drop(c);
		});
	}

	private drop(c: MqttClient): void {
		if (this.connected) this.o.log.warn({ buffered: this.o.outbox.depth }, "connection to the hub lost");
		this.connected = false;
		this.generation++;
		c.removeAllListeners("connect");
		c.on("error", () => {});
		c.end(true);
		if (this.closed) return;
		this.which = (this.which + 1) % this.urls.length;
		const delay = reconnectDelay(this.attempt, this.o.reconnectMinMs, this.o.reconnectMaxMs, Math.random);
		this.attempt = Math.min(this.attempt + 1, MAX_ATTEMPT);
		this.retry = setTimeout(() => this.open(), delay);
	}

	private pump(): void {
		const c = this.client;
		if (!this.connected || !c) return;
		const gen = this.generation;
		while (this.inflight < this.o.inflight) {
			const e = this.o.outbox.nextAfter(this.cursor);
			if (!e) return;
			this.cursor = e.seq;
			this.inflight++;
			c.publish(e.topic, e.payload, { qos: 1 }, (err) => {
				if (gen !== this.generation) return;
				this.inflight--;
				if (!err) this.o.outbox.ack(e.seq);
				this.pump();
			});
		}
	}
}
