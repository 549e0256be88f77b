/**
 * Ticket terminal: one button per service (and per priority category where configured) issues
 * a ticket. The counter is saved before the event is stored, so a crash may skip a number but
 * never issues one twice.
 */
import { issueTicket } from "../../core/ticketNumber.ts";
import { localDay } from "../../core/time.ts";
import type { TerminalRole } from "../config.ts";
import { onPress, type Role, type RoleContext } from "./role.ts";

export function terminalRole(ctx: RoleContext, cfg: TerminalRole): Role {
	const inputs: Role["inputs"] = {};
	for (const b of cfg.buttons) {
		inputs[b.input] = onPress(() => {
			const st = ctx.state.get();
			const day = localDay(ctx.now(), ctx.config.timeZone);
			const { ticket, counters } = issueTicket(st.tickets, b.prefix, day, cfg.numberStart);
			ctx.state.set({ ...st, tickets: counters });
			const fields: { event: "issued"; ticket: string; service: string; priority?: string } = {
				event: "issued",
				ticket,
				service: b.service,
			};
			if (b.priority) fields.priority = b.priority;
			const id = ctx.emit("queue", fields);
			if (!id) {
				ctx.feedback.error();
				return;
			}
			ctx.log.info({ ticket, service: b.service }, "ticket issued");
			ctx.feedback.thanks();
		});
	}
	return { inputs };
}
