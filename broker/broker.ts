/**
 * The MQTT broker: aedes behind the transports (TCP, TLS, WebSocket), with thin hooks that
 * call the policy in acl.ts. The hub passes an `admit` hook that runs inside aedes'
 * authorizePublish, after the ACL and before the QoS 1 PUBACK, so an event is durable before
 * its sender is told it arrived; a refused publish never reaches it.
 */
import type { Server as HttpServer } from "node:http";
import type { Server } from "node:net";
import { Aedes, type AuthenticateError, type Client, type ConnectPacket, type PublishPacket } from "aedes";
import type { NodeRole } from "../core/centre.ts";
import { type CredentialCheck, canConnect, canPublish, canSubscribe } from "./acl.ts";
import { GuardError, GuardedStream } from "./guard.ts";
import { describe, type Identity } from "./identity.ts";
import { ConnectionLimiter, type ConnectionLimits, LOOPBACK } from "./limits.ts";
import { type BrokerLog, OnceLog } from "./onceLog.ts";
import {
	answerUnknownPubrec,
	markRedeliveries,
	type OutgoingStore,
	openPersistence,
	type PersistenceConfig,
} from "./persistence.ts";
import type { ConnectRefusal, DisconnectReason, PublishRefusal, SubscribeRefusal } from "./reasons.ts";
import { dropRefused } from "./refused.ts";
import type { DeviceRegistry } from "./registry.ts";
import { type Delivery, SessionGate } from "./sessionGate.ts";
import { attachWebSocket, CERT_USER, type Entry, listenTcp, listenTls, type TlsConfig } from "./transports.ts";

export interface Admission {
	/** Forward the message to subscribers (and keep it if retained). Rejected input is not forwarded. */
	forward: boolean;
	/**
	 * What to forward instead of the payload as received (ingest's cleaned copy: only the fields
	 * the contract knows). Absent: the payload goes on as it came.
	 */
	payload?: Buffer;
}

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

/** What the broker reports, for metrics. */
export interface BrokerObserver {
	clients?(connected: number): void;
	connectRefused?(reason: ConnectRefusal): void;
	publishRefused?(reason: PublishRefusal): void;
	subscribeRefused?(reason: SubscribeRefusal): void;
	disconnected?(reason: DisconnectReason): void;
	messageIn?(qos: number): void;
	messageOut?(qos: number): void;
}

export interface BrokerOptions {
	port: number;
	host: string;
	/** Called for every permitted node or anonymous publish and Will; reject to refuse (no PUBACK, disconnect). */
	admit: (packet: PublishPacket, client: Client | null, isWill: boolean) => Promise<Admission>;
	auth: AuthOptions;
	limits?: LimitOverrides;
	tls?: TlsConfig | undefined;
	/** Default: memory (nothing survives a restart). */
	persistence?: PersistenceConfig;
	observer?: BrokerObserver;
	log?: BrokerLog;
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
	/** Serve MQTT over WebSocket at `path` (default /mqtt) on an HTTP server. */
	attachWebSocket(http: HttpServer, path?: string): void;
	identityOf(client: Client): Identity | undefined;
	/** Deliveries held for a client whose session is not ready yet (sessionGate.ts). */
	heldFor(client: Client): number;
	close(): Promise<void>;
}

const silent: BrokerLog = { info() {}, warn() {}, error() {}, debug() {} };

export function resolveLimits(o: LimitOverrides = {}): BrokerLimits {
	return { ...DEFAULT_LIMITS, ...o, connections: { ...DEFAULT_LIMITS.connections, ...o.connections } };
}

/** An aedes error that is the client's fault, by the reason it is counted under (system errors are not). */
function disconnectReason(err: Error): DisconnectReason | "connect_timeout" | "unsupported_protocol" | undefined {
	if (err instanceof GuardError) return err.reason;
	if (/connect did not arrive in time/.test(err.message)) return "connect_timeout";
	if (/keep alive timeout/.test(err.message)) return "keepalive_timeout";
	if ((err as NodeJS.ErrnoException).code) return undefined;
	if (/connection closed|drain timeout/.test(err.message)) return undefined;
	return "protocol";
}

export async function startBroker(opts: BrokerOptions): Promise<RunningBroker> {
	const log = opts.log ?? silent;
	const refusals = new OnceLog(log);
	const now = opts.now ?? Date.now;
	const obs = opts.observer ?? {};
	const limits = resolveLimits(opts.limits);
	const { registry } = opts.auth;
	const policy = {
		allowAnonymous: opts.auth.allowAnonymous,
		maxKeepaliveS: limits.maxKeepaliveS,
		allowKeepaliveZero: limits.allowKeepaliveZero,
		nodeRole: opts.auth.nodeRole,
	};
	registry?.refresh();
	if (registry?.problem) log.error({ problem: registry.problem }, "credentials file unusable: devices are refused");

	const identities = new WeakMap<Client, Identity>();
	/** The hash a client authenticated against: a change (revoke, --replace) disconnects it. */
	const credentialHash = new WeakMap<Client, string>();
	const connects = new WeakMap<Client, ConnectPacket>();
	const gate = new SessionGate();
	// Set once aedes exists; authorizePublish runs only after that.
	let refuse: (packet: PublishPacket) => void = () => {};
	const address = (client: Client) => (client.conn as Partial<GuardedStream>).remoteAddress ?? "";

	const refuseConnect = (reason: ConnectRefusal, detail: string, fields: object) => {
		obs.connectRefused?.(reason);
		refusals.warn(
			`connect|${reason}|${JSON.stringify(fields)}`,
			{ reason, ...fields },
			`connection refused (${reason}): ${detail}`,
		);
	};

	async function checkCredentials(client: Client, username: string | undefined, password: Buffer | undefined) {
		const certUser = (client.conn as { [CERT_USER]?: string })[CERT_USER];
		if (!registry) return username === undefined ? ({ status: "none" } as const) : ({ status: "unknown" } as const);
		// A verified client certificate stands for its common name when no password is given.
		if (certUser && password === undefined && (username === undefined || username === certUser)) {
			const check = await registry.check(certUser, undefined, { certificate: true });
			return check;
		}
		return registry.check(username, password);
	}

	const persistence = await openPersistence(opts.persistence ?? { kind: "memory" });
	const aedes = await Aedes.createBroker({
		...persistence.options,
		connectTimeout: limits.connectTimeoutMs,
		queueLimit: limits.queueLimit,
		// The guard never lets a write wait for drain; a slow client is cut off there instead.
		drainTimeout: 0,
		preConnect(client, packet, callback) {
			gate.attach(client);
			connects.set(client, packet);
			callback(null, true);
		},
		authenticate(client, username, password, callback) {
			const packet = connects.get(client);
			connects.delete(client);
			const request = {
				clientId: packet?.clientId ?? client.id,
				clean: packet?.clean ?? true,
				keepalive: packet?.keepalive ?? 0,
				will: packet?.will ? { topic: packet.will.topic, retain: packet.will.retain === true } : undefined,
			};
			checkCredentials(client, username, password)
				.catch((e: Error): CredentialCheck => {
					log.error({ err: e.message }, "credential check failed");
					return { status: "error" };
				})
				.then((check) => {
					const d = canConnect(request, check, policy);
					if (!d.ok) {
						refuseConnect(d.reason, d.detail, { client: request.clientId, username, address: address(client) });
						const err = new Error(d.detail) as AuthenticateError;
						(err as { returnCode: number }).returnCode = d.returnCode;
						callback(err, null);
						return;
					}
					identities.set(client, d.identity);
					if (check.status === "ok") credentialHash.set(client, registry?.get(check.username)?.hash ?? "");
					const previous = (aedes as unknown as { clients: Record<string, Client> }).clients[client.id];
					if (previous && previous !== client) {
						obs.disconnected?.("takeover");
						log.info({ client: client.id }, "session taken over by a new connection (MQTT-3.1.4-2)");
					}
					callback(null, true);
				});
		},
		authorizePublish(client, packet, callback) {
			// aedes passes the client's own Will object when it publishes it (lib/client.js).
			const isWill = client !== null && packet === (client as Client & { will?: unknown }).will;
			const identity = client ? identities.get(client) : undefined;
			if (client) {
				if (!identity) return callback(new Error("not authenticated"));
				const d = canPublish(identity, packet.topic, packet);
				if (!d.ok) {
					// Acknowledged and dropped, as mosquitto does for MQTT 3.1.1: a device with a
					// durable outbox would otherwise resend the refused message forever.
					obs.publishRefused?.(d.reason);
					refusals.warn(
						`publish|${d.reason}|${client.id}|${packet.topic}`,
						{
							reason: "not_authorized",
							acl: d.reason,
							client: client.id,
							user: describe(identity),
							topic: packet.topic,
						},
						`publish refused (${d.reason}): ${d.detail}`,
					);
					refuse(packet);
					return callback(null);
				}
				obs.messageIn?.(packet.qos);
				// Services write the hub's derived state and commands: not events for ingest.
				if (identity.kind === "service") return callback(null);
			}
			const guard = client?.conn instanceof GuardedStream ? client.conn : undefined;
			guard?.admitStarted();
			opts.admit(packet, client, isWill).then(
				(admission) => {
					if (!admission.forward) refuse(packet);
					// aedes retains, queues and forwards this very packet object after the callback
					// (see refused.ts), so a replaced payload is what every subscriber gets.
					else if (admission.payload) packet.payload = admission.payload;
					guard?.admitEnded();
					callback(null);
				},
				(err: Error) => {
					guard?.admitEnded();
					callback(err);
				},
			);
		},
		authorizeSubscribe(client, sub, callback) {
			const identity = identities.get(client);
			if (!identity) return callback(new Error("not authenticated"));
			const d = canSubscribe(identity, sub.topic);
			if (d.ok) return callback(null, sub);
			obs.subscribeRefused?.(d.reason);
			refusals.warn(
				`subscribe|${client.id}|${sub.topic}`,
				{ reason: d.reason, client: client.id, user: describe(identity), filter: sub.topic },
				`subscription refused (${d.reason}): ${d.detail}`,
			);
			callback(null, null); // SUBACK 0x80 (MQTT 3.1.1 §3.9.3)
		},
		authorizeForward(_client, packet) {
			obs.messageOut?.(packet.qos);
			return packet;
		},
	});
	refuse = dropRefused(aedes);
	markRedeliveries<Delivery>((aedes as unknown as { persistence: OutgoingStore }).persistence, (client, packet) =>
		gate.replaying(client, packet),
	);
	aedes.on("clientReady", (client) => gate.ready(client));
	answerUnknownPubrec((aedes as unknown as { persistence: OutgoingStore }).persistence);
	const report = () => {
		obs.clients?.(aedes.connectedClients);
		opts.onClients?.(aedes.connectedClients);
	};
	aedes.on("client", report);
	aedes.on("clientDisconnect", report);
	const onError = (client: Client, err: Error) => {
		const reason = disconnectReason(err);
		if (reason === "connect_timeout" || reason === "unsupported_protocol")
			refuseConnect(reason, err.message, { address: address(client) });
		else if (reason) {
			obs.disconnected?.(reason);
			refusals.warn(
				`disconnect|${reason}|${client.id ?? address(client)}`,
				{ reason, client: client.id ?? undefined, address: address(client) },
				`connection closed (${reason}): ${err.message}`,
			);
		}
		opts.onClientError?.(client, err);
	};
	aedes.on("clientError", onError);
	aedes.on("connectionError", onError);

	const entry: Entry = {
		limiter: new ConnectionLimiter(limits.connections),
		guard: {
			maxPacketBytes: limits.maxPacketBytes,
			window: limits.inflightWindow,
			maxOutboundBytes: limits.maxOutboundBytes,
		},
		now,
		handshakeTimeoutMs: limits.connectTimeoutMs,
		refused: (reason, addr) => refuseConnect(reason, "before MQTT", { address: addr }),
		accept: (stream, req) => aedes.handle(stream, req),
	};
	const tcp = await listenTcp(entry, opts.port, opts.host);
	const tls = opts.tls ? await listenTls(entry, opts.tls, opts.host) : undefined;
	const sockets: { close(cb: () => void): void }[] = [];

	// Revocation without restart: when the file changes, disconnect whoever lost its credential.
	const poll = setInterval(() => {
		if (!registry?.refresh() || registry.problem) return;
		for (const client of Object.values((aedes as unknown as { clients: Record<string, Client> }).clients)) {
			const identity = identities.get(client);
			if (!identity || identity.kind === "anonymous") continue;
			const record = registry.get(identity.username);
			if (record && !record.revoked && record.hash === credentialHash.get(client)) continue;
			obs.disconnected?.("revoked");
			log.warn({ client: client.id, user: identity.username }, "credential revoked or replaced: disconnecting");
			client.close();
		}
	}, opts.auth.revocationPollMs ?? 1000);
	poll.unref();

	return {
		aedes,
		server: tcp.server,
		port: tcp.port,
		tlsPort: tls?.port,
		persistence: persistence.describe,
		attachWebSocket(http, path = "/mqtt") {
			sockets.push(attachWebSocket(entry, http, path));
		},
		identityOf: (client) => identities.get(client),
		heldFor: (client) => gate.heldFor(client),
		async close() {
			clearInterval(poll);
			await new Promise<void>((resolve) => aedes.close(() => resolve()));
			await Promise.all(
				[tcp.server, ...(tls ? [tls.server] : []), ...sockets].map(
					(s) => new Promise<void>((resolve) => s.close(() => resolve())),
				),
			);
			await persistence.close();
		},
	};
}
