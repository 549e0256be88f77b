/**
 * Window node: rating buttons with the lockout, "thank you" light and sound, and the
 * administrator's buttons. "Next" asks the hub's dispatcher (`request`); the hub answers on
 * …/cmd/call, perhaps much later (the request waits in the outbox while the hub is away), and the
 * node then publishes `called`. One request is outstanding at a time, kept across restarts.
 */
import type { CallData } from "../../core/commands.ts";
import type { WindowRole } from "../config.ts";
import { afterPress, classifyPress, type LockoutState } from "../lockout.ts";
import { onPress, type Role, type RoleContext } from "./role.ts";

/** A request unanswered for this long is given up at the next press of "next". */
const REQUEST_STALE_MS = 60_000;

export function windowRole(ctx: RoleContext, cfg: WindowRole): Role {
	let lockout: LockoutState = { lastRatingAt: null };
	const s = ctx.state;
	const update = (patch: Partial<ReturnType<typeof s.get>>) => s.set({ ...s.get(), ...patch });

	const ack = (id: string | null) => {
		if (id) ctx.feedback.thanks();
		else ctx.feedback.error();
	};

	const rate = (score: number) => {
		const now = ctx.now();
		const cls = classifyPress(lockout, now, cfg.lockoutS * 1000);
		lockout = afterPress(lockout, cls, now);
		const { current, lastServed } = s.get();
		const ticket =
			current?.ticket ?? (lastServed && now - lastServed.at <= cfg.attributionS * 1000 ? lastServed.ticket : undefined);
		const fields: { score: number; ticket?: string; extra?: boolean } = { score };
		if (ticket) fields.ticket = ticket;
		if (cls === "extra") fields.extra = true;
		ack(ctx.emit("rating", fields));
	};

	const next = () => {
		const st = s.get();
		if (st.paused) {
			ctx.feedback.error();
			return;
		}
		if (st.pendingRequest && ctx.now() - st.pendingRequest.at < REQUEST_STALE_MS) {
			ctx.feedback.wait();
			return;
		}
		if (st.current) finishAs("finished");
		const id = ctx.emit("request", { action: "next" });
		if (id) update({ pendingRequest: { id, at: ctx.now() } });
		ack(id);
	};

	const queueEvent = (event: "started" | "finished" | "no_show") => {
		const cur = s.get().current;
		if (!cur) return null;
		const fields: { event: typeof event; ticket: string; service: string; window: string; priority?: string } = {
			event,
			ticket: cur.ticket,
			service: cur.service,
			window: cfg.window,
		};
		if (cur.priority) fields.priority = cur.priority;
		return ctx.emit("queue", fields);
	};

	const finishAs = (event: "finished" | "no_show") => {
		const cur = s.get().current;
		if (!cur) {
			ctx.feedback.error();
			return;
		}
		const id = queueEvent(event);
		if (!id) {
			ctx.feedback.error();
			return;
		}
		update({
			current: null,
			lastServed:
				event === "finished" ? { ticket: cur.ticket, service: cur.service, at: ctx.now() } : s.get().lastServed,
		});
		ctx.feedback.thanks();
	};

	/**
	 * The hub's answer, already checked against its schema (core/commands.ts): a ticket to call,
	 * or `ticket: null` when nobody waits. An answer to any request but the one pending is ignored.
	 */
	const call = (a: CallData): void => {
		const pending = s.get().pendingRequest;
		if (a.request !== pending?.id) {
			ctx.log.warn({ request: a.request }, "answer to a request this node is not waiting for; ignored");
			return;
		}
		if (a.ticket === null) {
			update({ pendingRequest: null });
			ctx.log.info("nobody is waiting for this window");
			ctx.feedback.wait();
			return;
		}
		const fields: { event: "called"; ticket: string; service: string; window: string; priority?: string } = {
			event: "called",
			ticket: a.ticket,
			service: a.service,
			window: cfg.window,
		};
		if (a.priority) fields.priority = a.priority;
		const id = ctx.emit("queue", fields);
		if (!id) {
			ctx.feedback.error();
			return;
		}
		update({
			pendingRequest: null,
			current: { ticket: a.ticket, service: a.service, priority: a.priority, calledAt: ctx.now() },
		});
		ctx.feedback.thanks();
	};

	const inputs: Role["inputs"] = {};
	cfg.ratingButtons.forEach((name, i) => {
		inputs[name] = onPress(() => rate(i + 1));
	});
	const a = cfg.admin;
	if (a.next) inputs[a.next] = onPress(next);
	if (a.start)
		inputs[a.start] = onPress(() => {
			const id = queueEvent("started");
			if (id) ctx.feedback.thanks();
			else ctx.feedback.error();
		});
	if (a.finish) inputs[a.finish] = onPress(() => finishAs("finished"));
	if (a.noShow) inputs[a.noShow] = onPress(() => finishAs("no_show"));
	if (a.pause)
		inputs[a.pause] = onPress(() => {
			update({ paused: !s.get().paused });
			ctx.log.info({ paused: s.get().paused }, "window paused/resumed");
			ctx.feedback.thanks();
			ctx.publishStatus();
		});

	return {
		inputs,
		command(c) {
			if (c.name === "pause") {
				// The console's pause: as the button, but to the state it names (a repeat changes nothing).
				if (s.get().paused !== c.data.paused) {
					update({ paused: c.data.paused });
					ctx.log.info({ paused: c.data.paused }, "window paused/resumed from the console");
				}
				ctx.publishStatus();
				return true;
			}
			if (c.name !== "call") return false;
			call(c.data);
			return true;
		},
		observeQueue(f) {
			if (f.window !== cfg.window) return;
			if (f.event === "called") {
				update({ current: { ticket: f.ticket, service: f.service, priority: f.priority, calledAt: ctx.now() } });
			} else if ((f.event === "finished" || f.event === "no_show" || f.event === "cancelled") && s.get().current) {
				const cur = s.get().current;
				update({
					current: null,
					lastServed:
						f.event === "finished" && cur
							? { ticket: cur.ticket, service: cur.service, at: ctx.now() }
							: s.get().lastServed,
				});
			}
		},
		status: () => ({ paused: s.get().paused, ticket: s.get().current?.ticket ?? null }),
	};
}
