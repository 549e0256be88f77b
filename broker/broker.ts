/**
 * The MQTT broker: aedes behind the transports (TCP, TLS, WebSocket), with thin hooks (one file
 * each in hooks/, in the aedes style, around a shared table of clients) that call the policy in
 * acl.ts. The hub passes an `admit` hook that runs inside aedes' authorizePublish, after the ACL
 * and before the QoS 1 PUBACK, so an event is durable before its sender is told it arrived; a
 * refused publish never reaches it.
 */

import type { Server as HttpServer, IncomingMessage } from "node:http";
import type { Server } from "node:net";
import { Aedes, type Client } from "aedes";
import type { NodeRole } from "../core/centre.ts";
import { type Log, silentLog } from "../core/log.ts";
import { OnceLog } from "../core/onceLog.ts";
import { ClientTable } from "./clients.ts";
import { ConnectTurns } from "./connectTurns.ts";
import { authenticate, preConnect } from "./hooks/connect.ts";
import { type BrokerObserver, type HookContext, refuseConnect } from "./hooks/context.ts";
import { onClientError } from "./hooks/errors.ts";
import { type Admission, type Admit, authorizePublish } from "./hooks/publish.ts";
import { watchRevocations } from "./hooks/revocation.ts";
import { authorizeForward, authorizeSubscribe } from "./hooks/subscribe.ts";
import type { Identity } from "./identity.ts";
import { ConnectionLimiter, type ConnectionLimits, LOOPBACK } from "./limits.ts";
import {
	answerUnknownPubrec,
	markRedeliveries,
	type OutgoingStore,
	openPersistence,
	type PersistenceConfig,
} from "./persistence.ts";
import { dropRefused } from "./refused.ts";
import type { DeviceRegistry } from "./registry.ts";
import { type Delivery, SessionGate } from "./sessionGate.ts";
import { attachWebSocket, type Entry, listenTcp, listenTls, type TlsConfig } from "./transports.ts";

export type { Admission, Admit, BrokerObserver };

export interface BrokerLimits {
	/** Largest MQTT packet a client may send, bytes (fixed header excluded). */
	maxPacketBytes: number;
	/** Packets of one client handled at once: its inbound QoS 1 window. */
	inflightWindow: number;
	/** Bytes a client may leave unread before it is disconnected as a slow consumer. */
	maxOutboundBytes: number;
	/** Largest keep-alive accepted, seconds. */
	maxKeepaliveS: number;
	/** Accept keep-alive 0 (none); refused by default (docs/broker.md). */
	allowKeepaliveZero: boolean;
	/** Time for the CONNECT (and the TLS handshake) after the socket opens. */
	connectTimeoutMs: number;
	/** Packets a client may send before its CONNACK. */
	queueLimit: number;
	/** Clients between CONNECT and CONNACK at once; the others wait their turn (connectTurns.ts). */
	maxConnecting: number;
	/** A client waiting longer than this for its turn has its connection closed (busy), ms. */
	maxConnectWaitMs: number;
	connections: ConnectionLimits;
}

export const DEFAULT_LIMITS: BrokerLimits = {
	maxPacketBytes: 256 * 1024,
	inflightWindow: 256,
	maxOutboundBytes: 4 * 1024 * 1024,
	maxKeepaliveS: 3600,
	allowKeepaliveZero: false,
	connectTimeoutMs: 5_000,
	queueLimit: 42,
	maxConnecting: 1024,
	maxConnectWaitMs: 5_000,
	connections: {
		maxConnections: 10_000,
		maxPerAddress: 256,
		attemptsPerSecond: 20,
		attemptsBurst: 100,
		exempt: LOOPBACK,
	},
};

export type LimitOverrides = Partial<Omit<BrokerLimits, "connections">> & { connections?: Partial<ConnectionLimits> };

export interface AuthOptions {
	/** Device and service credentials; without one only anonymous clients (if allowed) connect. */
	registry?: DeviceRegistry | undefined;
	allowAnonymous: boolean;
	/** The role of a configured node, or undefined when the hub does not know it. */
	nodeRole: (centre: string, node: string) => NodeRole | undefined;
	/** How often the credentials file is checked for revocations, ms (default 1000). */
	revocationPollMs?: number;
}

export interface BrokerOptions {
	port: number;
	host: string;
	/** Called for every permitted node or anonymous publish and Will; reject to refuse (no PUBACK, disconnect). */
	admit: Admit;
	auth: AuthOptions;
	limits?: LimitOverrides;
	tls?: TlsConfig | undefined;
	/** Default: memory (nothing survives a restart). */
	persistence?: PersistenceConfig;
	observer?: BrokerObserver;
	log?: Log;
	now?: () => number;
	/** @deprecated use observer.clients */
	onClients?: (connected: number) => void;
	onClientError?: (client: Client, error: Error) => void;
}

/** What a hub's operator configures about its broker (HubOptions.broker). */
export interface BrokerSettings {
	limits?: LimitOverrides;
	tls?: TlsConfig;
	/** Default for a hub: LevelDB under DATA/mqtt-sessions. */
	persistence?: PersistenceConfig;
	/** Path of MQTT over WebSocket on the HTTP server (default /mqtt); false: none. */
	websocketPath?: string | false;
	revocationPollMs?: number;
}

export interface RunningBroker {
	aedes: Aedes;
	server: Server;
	port: number;
	tlsPort: number | undefined;
	persistence: string;
	/**
	 * Serve MQTT over WebSocket at `path` (default /mqtt) on an HTTP server; `clientAddress` tells
	 * a client's address behind a trusted proxy (transports.ts).
	 */
	attachWebSocket(
		http: HttpServer,
		path?: string,
		clientAddress?: (req: IncomingMessage, peer: string) => string,
	): void;
	identityOf(client: Client): Identity | undefined;
	/** Deliveries held for a client whose session is not ready yet (sessionGate.ts). */
	heldFor(client: Client): number;
	close(): Promise<void>;
}

/** A refusal of the same client, topic and reason is logged again after this long. */
const REFUSAL_LOG_INTERVAL_MS = 10 * 60_000;

export function resolveLimits(o: LimitOverrides = {}): BrokerLimits {
	return { ...DEFAULT_LIMITS, ...o, connections: { ...DEFAULT_LIMITS.connections, ...o.connections } };
}

export async function startBroker(opts: BrokerOptions): Promise<RunningBroker> {
	const log = opts.log ?? silentLog;
	const limits = resolveLimits(opts.limits);
	const { registry } = opts.auth;
	registry?.refresh();
	if (registry?.problem) log.error({ problem: registry.problem }, "credentials file unusable: devices are refused");

	let aedes: Aedes | undefined;
	const gate = new SessionGate();
	const obs = opts.observer ?? {};
	const refusals = new OnceLog(log, { intervalMs: REFUSAL_LOG_INTERVAL_MS, now: opts.now ?? Date.now });
	const ctx: HookContext = {
		clients: new ClientTable(() => aedes),
		registry,
		policy: {
			allowAnonymous: opts.auth.allowAnonymous,
			maxKeepaliveS: limits.maxKeepaliveS,
			allowKeepaliveZero: limits.allowKeepaliveZero,
			nodeRole: opts.auth.nodeRole,
		},
		log,
		refusals,
		obs,
		refuseConnect: refuseConnect({ obs, refusals }),
		turns: new ConnectTurns(
			limits.maxConnecting,
			limits.maxConnectWaitMs,
			performance.now.bind(performance),
			obs.connectTurns,
		),
		// Set once aedes exists; authorizePublish runs only after that.
		refuse: () => {},
	};

	const persistence = await openPersistence(opts.persistence ?? { kind: "memory" });
	const broker = await Aedes.createBroker({
		...persistence.options,
		connectTimeout: limits.connectTimeoutMs,
		queueLimit: limits.queueLimit,
		// The guard never lets a write wait for drain; a slow client is cut off there instead.
		drainTimeout: 0,
		preConnect: preConnect(ctx, gate),
		authenticate: authenticate(ctx),
		authorizePublish: authorizePublish(ctx, opts.admit),
		authorizeSubscribe: authorizeSubscribe(ctx),
		authorizeForward: authorizeForward(ctx),
	});
	aedes = broker;
	dropClosedRegistrations(broker);
	(ctx as { refuse: HookContext["refuse"] }).refuse = dropRefused(broker);
	const store = (broker as unknown as { persistence: OutgoingStore }).persistence;
	markRedeliveries<Delivery>(store, (client, packet) => gate.replaying(client, packet));
	broker.on("clientReady", (client) => {
		ctx.turns.done(client);
		gate.ready(client);
	});
	answerUnknownPubrec(store);
	const report = () => {
		obs.clients?.(broker.connectedClients);
		opts.onClients?.(broker.connectedClients);
	};
	broker.on("client", report);
	broker.on("clientDisconnect", report);
	const onError = onClientError(ctx, opts.onClientError);
	broker.on("clientError", onError);
	broker.on("connectionError", onError);

	const entry: Entry = {
		limiter: new ConnectionLimiter(limits.connections),
		guard: {
			maxPacketBytes: limits.maxPacketBytes,
			window: limits.inflightWindow,
			maxOutboundBytes: limits.maxOutboundBytes,
		},
		now: opts.now ?? Date.now,
		handshakeTimeoutMs: limits.connectTimeoutMs,
		refused: (reason, addr) => ctx.refuseConnect(reason, "before MQTT", { address: addr }),
		accept: (stream, req) => broker.handle(stream, req),
	};
	// A port in use: close what is open (the session store's lock among it), so the same data dir
	// can be opened again, by this process or the next.
	let tcp: Awaited<ReturnType<typeof listenTcp>> | undefined;
	let tls: Awaited<ReturnType<typeof listenTls>> | undefined;
	try {
		tcp = await listenTcp(entry, opts.port, opts.host);
		tls = opts.tls ? await listenTls(entry, opts.tls, opts.host) : undefined;
	} catch (err) {
		await new Promise<void>((resolve) => broker.close(() => resolve()));
		if (tcp) await new Promise<void>((resolve) => tcp?.server.close(() => resolve()));
		await persistence.close();
		throw err;
	}
	const listening = tcp;
	const sockets: { close(cb: () => void): void }[] = [];
	const stopWatching = watchRevocations(ctx, opts.auth.revocationPollMs ?? 1000);

	return {
		aedes: broker,
		server: listening.server,
		port: listening.port,
		tlsPort: tls?.port,
		persistence: persistence.describe,
		attachWebSocket(http, path = "/mqtt", clientAddress) {
			sockets.push(attachWebSocket(entry, http, path, clientAddress));
		},
		identityOf: (client) => ctx.clients.identity(client),
		heldFor: (client) => gate.heldFor(client),
		async close() {
			stopWatching();
			await new Promise<void>((resolve) => broker.close(() => resolve()));
			await Promise.all(
				[listening.server, ...(tls ? [tls.server] : []), ...sockets].map(
					(s) => new Promise<void>((resolve) => s.close(() => resolve())),
				),
			);
			await persistence.close();
		},
	};
}

/**
 * A client whose connection closed while aedes was still connecting it (a node that gave up
 * waiting for its CONNACK) is not registered. aedes would register it anyway once its session was
 * restored: closed, it stayed in `broker.clients` for good, with the subscriptions restored after
 * its close and the Will stored for it, counted as connected; the node's next connection then took
 * over this dead one and published its Will ("offline" for a node that is back). Here what was
 * restored after the close is undone instead: the subscriptions in memory (the persistent session
 * keeps them in the store) and the stored Will.
 */
function dropClosedRegistrations(broker: Aedes): void {
	type Restored = Client & {
		closed?: boolean;
		subscriptions: Record<string, { func?: unknown }>;
		will?: unknown;
	};
	const b = broker as unknown as {
		registerClient(client: Client): void;
		unsubscribe(topic: string, func: unknown, done: () => void): void;
		persistence: { delWill(client: { id: string; brokerId: string }): Promise<unknown> };
		id: string;
	};
	const register = b.registerClient.bind(broker);
	b.registerClient = (client) => {
		const c = client as Restored;
		if (!c.closed) {
			register(client);
			return;
		}
		for (const [topic, sub] of Object.entries(c.subscriptions)) b.unsubscribe(topic, sub.func, () => {});
		c.subscriptions = {};
		if (c.will) {
			c.will = null;
			b.persistence.delWill({ id: c.id, brokerId: b.id }).then(
				() => {},
				() => {},
			);
		}
	};
}
