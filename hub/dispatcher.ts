/**
 * Answers window nodes' "next" requests (DESIGN.md, `request` kind): picks the ticket with the
 * pure dispatcher (core/dispatch.ts) over the live queue and publishes
 * `{request, ticket, service, priority?}` on `vikno/v1/{centre}/{node}/cmd/call` (`ticket: null`
 * when nobody waits; the schema is core/commands.ts's `CallCommand`). A ticket handed out is held for that window until its `called` event
 * arrives (or `holdMs` passes), so two windows pressing "next" at once never get the same ticket.
 */
import type { CentreIndex } from "../core/centre.ts";
import type { CallData } from "../core/commands.ts";
import type { WireEvent } from "../core/contract.ts";
import { pickNext } from "../core/dispatch.ts";
import type { LiveState } from "../core/live.ts";
import type { Log } from "../core/log.ts";
import { commandTopic } from "../core/topic.ts";

export interface DispatcherOptions {
	centres: ReadonlyMap<string, CentreIndex>;
	state: (centre: string) => LiveState | undefined;
	publish: (topic: string, answer: CallData) => void;
	log: Log;
	now?: () => number;
	/** How long a handed-out ticket stays reserved without a `called` event. */
	holdMs?: number;
}

export class Dispatcher {
	/** centre → ticket → when it was handed out */
	private readonly held = new Map<string, Map<string, number>>();

	constructor(private readonly opts: DispatcherOptions) {}

	/** Feed newly accepted events, in order. */
	onEvents(events: readonly WireEvent[]): void {
		for (const e of events) {
			if (e.kind === "queue" && e.data.event !== "issued") this.held.get(e.centre)?.delete(e.data.ticket);
			if (e.kind === "request" && e.data.action === "next") this.answer(e.centre, e.node, e.data.id);
		}
	}

	/**
	 * The ticket a window calls next, held for it — the one choice behind a node's "next" and an
	 * operator console's (hub/desk.ts). Undefined when nobody waits for it (or no such window).
	 */
	take(centre: string, window: string): { ticket: string; service: string; priority?: string } | undefined {
		const index = this.opts.centres.get(centre);
		const state = this.opts.state(centre);
		const desk = index?.windows.get(window);
		if (!index || !state || !desk) return undefined;
		const now = (this.opts.now ?? Date.now)();
		const held = this.held.get(centre) ?? new Map<string, number>();
		this.held.set(centre, held);
		const holdMs = this.opts.holdMs ?? 120_000;
		for (const [ticket, at] of held) if (now - at > holdMs || !state.waiting.has(ticket)) held.delete(ticket);
		const next = pickNext([...state.waiting.values()], desk, new Set(held.keys()));
		if (next) held.set(next.ticket, now);
		return next
			? { ticket: next.ticket, service: next.service, ...(next.priority ? { priority: next.priority } : {}) }
			: undefined;
	}

	private answer(centre: string, node: string, request: string) {
		const windowId = this.opts.centres.get(centre)?.nodes.get(node)?.window;
		if (!windowId || !this.opts.state(centre)) return;
		const next = this.take(centre, windowId);
		const answer: CallData = next
			? { request, ticket: next.ticket, service: next.service, ...(next.priority ? { priority: next.priority } : {}) }
			: { request, ticket: null, service: null };
		this.opts.log.debug({ centre, node, ...answer }, "next ticket");
		this.opts.publish(commandTopic(centre, node, "call"), answer);
	}
}
