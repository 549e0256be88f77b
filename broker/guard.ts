/**
 * A stream between a client's socket (TCP, TLS or WebSocket) and aedes. Inbound, it hands
 * aedes only complete packets that passed the frame checks (frames.ts), and only while fewer
 * than `window` of the client's publishes are being admitted (aedes handles all packets of one
 * read concurrently): that bounds the client's inbound QoS 1 window at about two windows. It
 * stops reading the socket while aedes is behind. Outbound, it never
 * makes aedes wait: if a client does not read and its socket buffer passes `maxOutboundBytes`,
 * the connection is closed as a slow consumer instead of stalling deliveries to everyone else.
 */
import { Duplex } from "node:stream";
import { type FrameProblem, FrameScanner } from "./frames.ts";
import type { DisconnectReason } from "./reasons.ts";

export interface GuardOptions {
	maxPacketBytes: number;
	window: number;
	maxOutboundBytes: number;
	remoteAddress: string;
}

/**
 * Why the guard closed a connection; the broker counts it under `reason` (a disconnect, or the
 * connect refusal `unsupported_protocol`).
 */
export class GuardError extends Error {
	constructor(
		readonly reason: DisconnectReason | "unsupported_protocol",
		message: string,
	) {
		super(message);
	}
}

export class GuardedStream extends Duplex {
	readonly remoteAddress: string;
	private readonly scanner: FrameScanner;
	private wanted = false;
	/** The socket was ended after a last packet (a CONNACK refusal): let it flush, then close. */
	private ending = false;
	/** Publishes of this client inside the broker's authorizePublish (ingest) right now. */
	private admitting = 0;

	constructor(
		private readonly socket: Duplex,
		private readonly opts: GuardOptions,
	) {
		// A high-water mark of one byte: the stream asks for the next slice only once aedes has
		// read the last one, so no more than two slices are ever between the socket and aedes.
		super({ allowHalfOpen: false, readableHighWaterMark: 1 });
		this.remoteAddress = opts.remoteAddress;
		this.scanner = new FrameScanner(opts.maxPacketBytes);
		socket.on("data", (chunk: Buffer) => {
			this.scanner.feed(chunk);
			this.pump();
		});
		socket.on("end", () => this.push(null));
		socket.on("error", (err) => this.destroy(err));
		socket.on("close", () => this.destroy());
	}

	/** Hand aedes the next slice of checked packets when it asked for more or has read the last. */
	private pump(): void {
		if (this.destroyed) return;
		// A _read call is owed a push: the stream does not ask again until it gets one.
		const room = this.opts.window - this.admitting;
		if (room > 0 && (this.wanted || this.readableLength === 0)) {
			const s = this.scanner.next(room);
			if (s && "reason" in s) {
				this.refuse(s);
				return;
			}
			if (s) {
				this.wanted = false;
				this.push(s.bytes);
			}
		}
		// Bound what waits here: at most one packet beyond the slices aedes has.
		if (this.scanner.buffered > this.opts.maxPacketBytes) this.socket.pause();
		else this.socket.resume();
	}

	private refuse(p: FrameProblem): void {
		if (p.connack !== undefined) {
			// MQTT-3.1.2-2: CONNACK with the return code, then close once it is written.
			this.ending = true;
			const socket = this.socket;
			socket.end(Buffer.from([0x20, 0x02, 0x00, p.connack]), () => socket.destroy());
		}
		this.destroy(new GuardError(p.reason, p.detail));
	}

	/** The broker started admitting a publish of this client. */
	admitStarted(): void {
		this.admitting++;
	}

	/** The broker finished admitting one: there may be room for the next packets. */
	admitEnded(): void {
		this.admitting--;
		if (this.admitting < this.opts.window) this.pump();
	}

	override _read(): void {
		this.wanted = true;
		this.pump();
	}

	override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
		this.socket.write(chunk);
		this.checkOutbound();
		cb();
	}

	override _writev(chunks: { chunk: Buffer }[], cb: (err?: Error | null) => void): void {
		// One write per corked batch (a packet is written in parts): over WebSocket that is one
		// frame per packet instead of three or four.
		this.socket.write(
			chunks.length === 1 ? (chunks[0] as { chunk: Buffer }).chunk : Buffer.concat(chunks.map((c) => c.chunk)),
		);
		this.checkOutbound();
		cb();
	}

	override _final(cb: (err?: Error | null) => void): void {
		this.socket.end();
		cb();
	}

	override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
		if (!this.ending) this.socket.destroy();
		cb(err);
	}

	private checkOutbound(): void {
		const queued = this.socket.writableLength;
		if (queued > this.opts.maxOutboundBytes)
			this.destroy(
				new GuardError(
					"slow_consumer",
					`${queued} bytes not read by the client (limit ${this.opts.maxOutboundBytes}); disconnected`,
				),
			);
	}
}
