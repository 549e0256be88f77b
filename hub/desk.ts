/**
 * The operator console's actions (`/desk/{centre}/{window}`): what a window node's buttons do,
 * done by the hub for an administrator at a PC — through the same contract and the same checks.
 * "Next" asks the same dispatcher (hub/dispatcher.ts `take`) for the ticket; every action becomes
 * the `queue` event the window's node would publish (`called`, `started`, `finished`, `no_show`),
 * made here with a fresh id and the hub's time, and goes through ingest under the window's node
 * topic: decoded, checked (`wrong_window`, …), stored durably, folded into the live hall, heard by
 * the boards. A window used from a PC is configured as a window node like any other.
 *
 * Pause/resume is not here: the window's pause is being added to the wire contract elsewhere; the
 * console will send that event when it exists (see DESK_ACTIONS).
 */
import { v7 as uuidv7 } from "uuid";
import type { CentreIndex } from "../core/centre.ts";
import type { LiveState } from "../core/live.ts";
import { eventTopic } from "../core/topic.ts";
import type { Dispatcher } from "./dispatcher.ts";
import type { IngestResult } from "./ingest.ts";

/** The console's actions, each as the button it stands for. Pause/resume: to come with the contract's pause event. */
export const DESK_ACTIONS = ["next", "recall", "start", "finish", "no_show"] as const;
export type DeskAction = (typeof DESK_ACTIONS)[number];

export type DeskResult =
	| { ok: true; ticket: string | null; event?: string }
	| { ok: false; reason: "unknown_window" | "no_node" | "nothing_to_do" | "rejected"; detail: string };

export interface DeskOptions {
	centres: ReadonlyMap<string, CentreIndex>;
	state: (centre: string) => LiveState | undefined;
	dispatcher: Pick<Dispatcher, "take">;
	ingest: (topic: string, payload: Uint8Array) => Promise<IngestResult>;
	now: () => number;
}

export class Desk {
	constructor(private readonly o: DeskOptions) {}

	async act(centre: string, window: string, action: DeskAction): Promise<DeskResult> {
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
		const publish = async (event: "called" | "started" | "finished" | "no_show", ticket: string, service: string) => {
			const data = { id: uuidv7(), ts: this.o.now(), event, ticket, service, window };
			const r = await this.o.ingest(eventTopic(centre, node, "queue"), Buffer.from(JSON.stringify(data)));
			return r === "rejected"
				? ({ ok: false, reason: "rejected", detail: `the hub refused the ${event} event (see /metrics)` } as const)
				: ({ ok: true, ticket, event } as const);
		};
		const nothing = (why: string): DeskResult => ({ ok: false, reason: "nothing_to_do", detail: why });
		switch (action) {
			case "next": {
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
		}
	}
}
