/**
 * At most `max` clients between their CONNECT and their CONNACK at once; the others wait their
 * turn in the order they came, for at most `maxWaitMs`: one that waited longer has its connection
 * closed when its turn comes (hooks/connect.ts), and tries again as after any lost connection.
 *
 * Why: after a hub restart every node reconnects within a second or two. Taken all at once, each
 * connection's session restore (Redis round trips, its Will, its subscriptions) advances a little
 * at a time among thousands of others, so all of them finish late — later than the nodes wait for
 * a CONNACK (MQTT.js: 30 s) once there are more than about 30 s of work. Every node then gives up,
 * reconnects and takes its own unfinished session over: the work done for it was lost, and the hub
 * fell into a storm that took 110–260 s to bring 30 000 nodes back. In turns, the first are
 * answered at once, and a node that gave up while waiting costs nothing: its turn is skipped. In
 * turns without a bound on the wait, the queue itself grows past the nodes' patience: each one
 * reaches the front just as it gives up, and is served for nothing (seen: 21 482 of 30 000 nodes
 * connected, then none for a minute). Refused after `maxWaitMs`, well within any client's CONNACK
 * timeout, a node is either served in time or sent away at once to come back.
 */
import type { Client } from "aedes";

/** How a turn starts: `go` (connect it now), `gone` (it left while waiting), `late` (it waited too long). */
export type TurnStart = "go" | "gone" | "late";

interface Waiter {
	client: Client;
	start: (how: TurnStart) => void;
	since: number;
}

export class ConnectTurns {
	private active = 0;
	/** Waiting clients in arrival order; `head` is the next one (no O(n) shift per turn). */
	private queue: (Waiter | undefined)[] = [];
	private head = 0;
	/** The release of each client holding a turn: called once, when it is ready or gone. */
	private readonly held = new WeakMap<Client, () => void>();

	constructor(
		private readonly max: number,
		private readonly maxWaitMs: number,
		private readonly now: () => number,
		/** Told the clients connecting and waiting after every change. */
		private readonly onChange?: (connecting: number, waiting: number) => void,
	) {
		if (!(max >= 1)) throw new Error(`connect turns must be at least 1, got ${max}`);
	}

	/** Clients between CONNECT and CONNACK now. */
	get connecting(): number {
		return this.active;
	}

	/** Clients waiting for their turn. */
	get waiting(): number {
		return this.queue.length - this.head;
	}

	/**
	 * Run `start("go")` when `client` has its turn. The turn ends with `done(client)` (its session
	 * is ready) or when its connection closes, whichever is first. A client already gone when its
	 * turn comes, or that waited longer than `maxWaitMs`, takes no turn: `start` is called with
	 * `gone` or `late`, to be answered at once, and the next one goes.
	 */
	enter(client: Client, start: (how: TurnStart) => void): void {
		this.queue.push({ client, start, since: this.now() });
		this.next();
		this.onChange?.(this.active, this.waiting);
	}

	/** The client's session is ready (aedes' clientReady): its turn ends. */
	done(client: Client): void {
		this.held.get(client)?.();
	}

	private next(): void {
		while (this.active < this.max && this.head < this.queue.length) {
			const w = this.queue[this.head] as Waiter;
			this.queue[this.head++] = undefined;
			if (this.head > 1024 && this.head * 2 > this.queue.length) {
				this.queue = this.queue.slice(this.head);
				this.head = 0;
			}
			if (isGone(w.client)) {
				w.start("gone");
				continue;
			}
			if (this.now() - w.since > this.maxWaitMs) {
				w.start("late");
				continue;
			}
			this.active++;
			let released = false;
			const release = () => {
				if (released) return;
				released = true;
				this.held.delete(w.client);
				this.active--;
				this.next();
				this.onChange?.(this.active, this.waiting);
			};
			this.held.set(w.client, release);
			w.client.conn.once("close", release);
			w.start("go");
		}
	}
}

function isGone(client: Client): boolean {
	const conn = client.conn as { destroyed?: boolean } | undefined;
	return (client as { closed?: boolean }).closed === true || conn?.destroyed === true;
}
