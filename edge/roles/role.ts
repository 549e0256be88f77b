/** What a role (window, terminal, door) gets from the node and gives back to it. */
import type { Command } from "../../core/commands.ts";
import type { Kind, PayloadOf } from "../../core/contract.ts";
import type { LiveSummary } from "../../core/hubState.ts";
import type { Log } from "../../core/log.ts";
import type { EdgeConfig } from "../config.ts";
import type { Feedback } from "../feedback.ts";
import type { StateFile } from "../state.ts";

/** A payload without the fields the node adds itself. */
export type Fields<K extends Kind> = Omit<PayloadOf[K], "id" | "ts">;

export interface NodeState {
	tickets: { day: string; last: Record<string, number> };
	/** The "next" request awaiting the hub's answer. */
	pendingRequest: { id: string; at: number } | null;
	current: { ticket: string; service: string; priority?: string | undefined; calledAt: number } | null;
	lastServed: { ticket: string; service: string; at: number } | null;
	paused: boolean;
}

export const INITIAL_STATE: NodeState = {
	tickets: { day: "", last: {} },
	pendingRequest: null,
	current: null,
	lastServed: null,
	paused: false,
};

export interface RoleContext {
	config: Readonly<EdgeConfig>;
	/** Store the event durably in the outbox; returns its id, or null when it was refused (full). */
	emit<K extends Kind>(kind: K, fields: Fields<K>): string | null;
	feedback: Feedback;
	now(): number;
	log: Log;
	state: StateFile<NodeState>;
	publishStatus(): void;
	/** A terminal: the hub's `$hub/live` if on hand within `waitMs` (edge/hubLive.ts). */
	hubLive?(waitMs: number): Promise<LiveSummary | undefined>;
	/** A terminal: a ticket's bytes are with the printer (benchmarks and tools listen). */
	onPrinted?(ticket: string, bytes: Uint8Array): void;
}

export interface Role {
	/** Debounced level changes of inputs, by input name (active = pressed / beam broken). */
	inputs: Record<string, (active: boolean) => void>;
	/** A command on …/cmd/{name}, already checked against its schema; returns false if this role does not act on it. */
	command?(c: Command): boolean;
	/** A queue event that reached the node another way (the bridge), so the role's state follows it. */
	observeQueue?(fields: Fields<"queue">): void;
	/** Extra fields for the retained status. */
	status?(): Record<string, unknown>;
	close?(): void;
}

/** A press handler: act on the active edge only. */
export function onPress(fn: () => void): (active: boolean) => void {
	return (active) => {
		if (active) fn();
	};
}
