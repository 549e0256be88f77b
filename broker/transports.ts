/**
 * The ways in: MQTT over TCP, over TLS, and over WebSocket at `/mqtt` on an HTTP server.
 * Each admits the socket through the connection limiter first, then hands aedes a guarded
 * stream (guard.ts). Nothing here decides who may do what.
 */
import { once } from "node:events";
import { readFileSync } from "node:fs";
import type { Server as HttpServer, IncomingMessage } from "node:http";
import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { createServer as createTlsServer, type TLSSocket } from "node:tls";
import { createWebSocketStream, WebSocketServer } from "ws";
import { GuardedStream, type GuardOptions } from "./guard.ts";
import type { ConnectionLimiter } from "./limits.ts";
import type { ConnectRefusal } from "./reasons.ts";

export interface TlsConfig {
	/** Default 8883; 0 = any free port. */
	port?: number;
	certFile: string;
	keyFile: string;
	/** CA bundle that signs client certificates (needed for clientCerts). */
	caFile?: string;
	/**
	 * `optional`: a client may present a certificate signed by caFile; a verified one whose
	 * common name is a device's user name (centre/node) logs it in without a password.
	 * `required`: the TLS handshake fails without such a certificate.
	 */
	clientCerts?: "off" | "optional" | "required";
}

export interface Entry {
	limiter: ConnectionLimiter;
	guard: Omit<GuardOptions, "remoteAddress">;
	now: () => number;
	/** A connection refused before MQTT: counted and logged by the broker. */
	refused(reason: ConnectRefusal, address: string): void;
	/** A guarded connection ready for aedes. */
	accept(stream: GuardedStream, req?: IncomingMessage): void;
	/** Milliseconds a TLS handshake may take. */
	handshakeTimeoutMs: number;
}

/** The common name of a verified client certificate (set on the guarded stream for authenticate). */
export const CERT_USER = Symbol("vikno.certUser");

function admitted(entry: Entry, socket: Socket, address = socket.remoteAddress ?? ""): boolean {
	const verdict = entry.limiter.admit(address, entry.now());
	if (!verdict.ok) {
		entry.refused(verdict.reason, address);
		socket.destroy();
		return false;
	}
	socket.once("close", () => entry.limiter.release(address));
	return true;
}

function wrap(entry: Entry, socket: Duplex, address: string): GuardedStream {
	return new GuardedStream(socket, { ...entry.guard, remoteAddress: address });
}

/**
 * Connections the kernel completes and queues until the broker accepts them. Node asks for 511;
 * when a restarted hub's nodes all come back at once, a queue that short overflows, the kernel
 * drops their handshakes and each waits for its SYN to be sent again (1, 3, 7, 15 s later…).
 * The kernel caps it at `net.core.somaxconn` (4 096 on current kernels).
 */
const LISTEN_BACKLOG = 4096;

async function listen(server: Server, port: number, host: string): Promise<number> {
	server.listen({ port, host, backlog: LISTEN_BACKLOG });
	await once(server, "listening");
	return (server.address() as AddressInfo).port;
}

export async function listenTcp(entry: Entry, port: number, host: string): Promise<{ server: Server; port: number }> {
	// noDelay: without it Nagle + delayed ACK stall small messages by ~40 ms.
	const server = createServer({ noDelay: true }, (socket) => {
		if (!admitted(entry, socket)) return;
		socket.setKeepAlive(true, 60_000);
		entry.accept(wrap(entry, socket, socket.remoteAddress ?? ""));
	});
	return { server, port: await listen(server, port, host) };
}

export async function listenTls(entry: Entry, cfg: TlsConfig, host: string): Promise<{ server: Server; port: number }> {
	const clientCerts = cfg.clientCerts ?? "off";
	if (clientCerts !== "off" && !cfg.caFile) throw new Error("TLS client certificates need a CA file (caFile)");
	const server = createTlsServer({
		cert: readFileSync(cfg.certFile),
		key: readFileSync(cfg.keyFile),
		...(cfg.caFile ? { ca: readFileSync(cfg.caFile) } : {}),
		requestCert: clientCerts !== "off",
		rejectUnauthorized: clientCerts === "required",
		handshakeTimeout: entry.handshakeTimeoutMs,
		minVersion: "TLSv1.2",
		noDelay: true,
	});
	// Limits apply to the raw socket, before any handshake work is spent on it.
	server.on("connection", (socket: Socket) => {
		admitted(entry, socket);
	});
	server.on("secureConnection", (socket: TLSSocket) => {
		socket.setKeepAlive(true, 60_000);
		const stream = wrap(entry, socket, socket.remoteAddress ?? "");
		if (socket.authorized) {
			const cn = socket.getPeerCertificate()?.subject?.CN;
			if (typeof cn === "string") Object.assign(stream, { [CERT_USER]: cn });
		}
		entry.accept(stream);
	});
	server.on("tlsClientError", () => {});
	return { server, port: await listen(server, cfg.port ?? 8883, host) };
}

/**
 * MQTT over WebSocket (subprotocol `mqtt`) at `path` on an existing HTTP server. `clientAddress`
 * says whose connection an upgrade is (behind a trusted reverse proxy: the address it forwarded),
 * for the per-address limits and the logs; by default the socket's peer.
 */
export function attachWebSocket(
	entry: Entry,
	http: HttpServer,
	path: string,
	clientAddress: (req: IncomingMessage, peer: string) => string = (_req, peer) => peer,
): WebSocketServer {
	const wss = new WebSocketServer({
		noServer: true,
		// One WebSocket message may carry one packet or more; the guard checks each packet's size.
		maxPayload: entry.guard.maxPacketBytes + 16,
		handleProtocols: (protocols) => (protocols.has("mqtt") ? "mqtt" : protocols.has("mqttv3.1") ? "mqttv3.1" : false),
	});
	http.on("upgrade", (req: IncomingMessage, socket: Socket, head: Buffer) => {
		const url = new URL(req.url ?? "/", "http://x");
		if (url.pathname !== path) {
			if (http.listenerCount("upgrade") === 1) socket.destroy();
			return;
		}
		const address = clientAddress(req, socket.remoteAddress ?? "");
		if (!admitted(entry, socket, address)) return;
		wss.handleUpgrade(req, socket, head, (ws) => {
			const stream = createWebSocketStream(ws);
			entry.accept(wrap(entry, stream, address), req);
		});
	});
	return wss;
}
