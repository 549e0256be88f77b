/**
 * The operator console's actions (`/desk/{centre}/{window}`): what a window node's buttons do,
 * done by the hub for an administrator at a PC — through the same contract and the same checks.
 * "Next" asks the same dispatcher (hub/dispatcher.ts `take`) for the ticket; every action becomes
 * the `queue` event the window's node would publish (`called`, `started`, `finished`, `no_show`),
 * made here with a fresh id and the hub's time, and goes through ingest under the window's node
 * topic: decoded, checked (`wrong_window`, …), stored durably, folded into the live hall, heard by
 * the boards. A window used from a PC is configured as a window node like any other.
 *
 * Transfer sends the window's visitor on to another service (`transferred`, `to` it): the ticket
 * keeps its number and waits in that service's queue in its place by issue time — it has waited
 * already — and this window is free. Only to a service some window of the centre serves.
 *
 * Pause and resume: a window's break is its node's `status` with `paused` (what its pause button
 * publishes). The console sends the node the `pause` command, so the node — its light, its next
 * heartbeat — agrees, and hands ingest the status that node would publish (its other fields as
 * the hub last had them), so the hall, the estimates and the boards know at once, whether or not
 * the node is there to answer.
 */
import { v7 as uuidv7 } from "uuid";
import type { CentreIndex } from "../core/centre.ts";
import type { CommandName, CommandOf } from "../core/commands.ts";
import type { LiveState } from "../core/live.ts";
import { eventTopic } from "../core/topic.ts";
import type { Dispatcher } from "./dispatcher.ts";
import type { IngestResult } from "./ingest.ts";

/** The console's actions, each as the button it stands for. */
export const DESK_ACTIONS = ["next", "recall", "start", "finish", "no_show", "transfer", "pause", "resume"] as const;
export type DeskAction = (typeof DESK_ACTIONS)[number];

export type DeskResult =
	| { ok: true; ticket: string | null; event?: string }
	| { ok: false; reason: "unknown_window" | "no_node" | "nothing_to_do" | "rejected"; detail: string };

export interface DeskOptions {
	centres: ReadonlyMap<string, CentreIndex>;
	state: (centre: string) => LiveState | undefined;
	dispatcher: Pick<Dispatcher, "take">;
	ingest: (topic: string, payload: Uint8Array) => Promise<IngestResult>;
	/** Publish a command to a node (the hub's broker): the console's pause reaches the node. */
	command?: <C extends CommandName>(centre: string, node: string, name: C, data: CommandOf[C]) => void;
	now: () => number;
}

export class Desk {
	constructor(private readonly o: DeskOptions) {}

	/** `to`: for `transfer`, the service to send the visitor on to. */
	async act(centre: string, window: string, action: DeskAction, to?: string): Promise<DeskResult> {
		const index = this.o.centres.get(centre);
		if (!index?.windows.has(window))
			return { ok: false, reason: "unknown_window", detail: `centre "${centre}" has no window "${window}"` };
		const node = index.windowNode.get(window);
		if (!node)
			return {
				ok: false,
				reason: "no_node",
				detail: `window "${window}" has no node in the centre file (add one with role window for it)`,
			};
		const w = this.o.state(centre)?.windows.get(window);
		const current = w?.ticket && w.service ? { ticket: w.ticket, service: w.service, activity: w.activity } : undefined;
		const publish = async (
			event: "called" | "started" | "finished" | "no_show" | "transferred",
			ticket: string,
			service: string,
		) => {
			const data = { id: uuidv7(), ts: this.o.now(), event, ticket, service, window, ...(to ? { to } : {}) };
			const r = await this.o.ingest(eventTopic(centre, node, "queue"), Buffer.from(JSON.stringify(data)));
			return r === "rejected"
				? ({ ok: false, reason: "rejected", detail: `the hub refused the ${event} event (see /metrics)` } as const)
				: ({ ok: true, ticket, event } as const);
		};
		const nothing = (why: string): DeskResult => ({ ok: false, reason: "nothing_to_do", detail: why });
		const pause = async (paused: boolean): Promise<DeskResult> => {
			const last = this.o.state(centre)?.nodes.get(node);
			this.o.command?.(centre, node, "pause", { paused });
			const data = {
				id: uuidv7(),
				ts: this.o.now(),
				online: last?.online ?? false,
				paused,
				...(last?.version ? { version: last.version } : {}),
				...(last?.buffered !== undefined ? { buffered: last.buffered } : {}),
				...(last?.cpuTempC !== undefined ? { cpuTempC: last.cpuTempC } : {}),
			};
			const r = await this.o.ingest(eventTopic(centre, node, "status"), Buffer.from(JSON.stringify(data)));
			return r === "rejected"
				? { ok: false, reason: "rejected", detail: "the hub refused the window's status (see /metrics)" }
				: { ok: true, ticket: current?.ticket ?? null, event: paused ? "paused" : "resumed" };
		};
		switch (action) {
			case "pause":
				return w?.paused ? nothing("the window is on a break already") : pause(true);
			case "resume":
				return w?.paused ? pause(false) : nothing("the window is not on a break");
			case "next": {
				// A window on a break calls nobody: end the break first.
				if (w?.paused) return nothing("the window is on a break: resume first");
				// As the button: a ticket being served is finished first.
				if (current?.activity === "serving") {
					const r = await publish("finished", current.ticket, current.service);
					if (!r.ok) return r;
				}
				const next = this.o.dispatcher.take(centre, window);
				if (!next) return { ok: true, ticket: null };
				return publish("called", next.ticket, next.service);
			}
			case "recall":
				return current?.activity === "calling"
					? publish("called", current.ticket, current.service)
					: nothing("no ticket called at this window to call again");
			case "start":
				return current?.activity === "calling"
					? publish("started", current.ticket, current.service)
					: nothing("no ticket called at this window to start");
			case "finish":
				return current
					? publish("finished", current.ticket, current.service)
					: nothing("no ticket at this window to finish");
			case "no_show":
				return current?.activity === "calling"
					? publish("no_show", current.ticket, current.service)
					: nothing("no ticket called at this window that could not come");
			case "transfer": {
				if (!current) return nothing("no ticket at this window to transfer");
				if (to === undefined) return nothing("say which service to transfer the ticket to");
				if (!index.services.has(to)) return nothing(`centre "${centre}" has no service "${to}"`);
				if (to === current.service) return nothing(`ticket ${current.ticket} is already for service "${to}"`);
				if (![...index.windows.values()].some((x) => x.services.includes(to)))
					return nothing(`no window of centre "${centre}" serves "${to}": nobody could call the ticket there`);
				return publish("transferred", current.ticket, current.service);
			}
		}
	}
}
