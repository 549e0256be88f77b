/**
 * Ticket terminal: one button per service (and per priority category where configured) issues
 * a ticket. The counter is saved before the event is stored, so a crash may skip a number but
 * never issues one twice.
 *
 * With a printer (`terminal.printer`, edge/printer/): the ticket is printed first — centre,
 * service, number, date and time, people ahead and the estimate from the hub's `$hub/live` when it
 * is on hand within `hubWaitMs` (never more than a second), and a QR code with the ticket's link
 * and token (core/ticketToken.ts) — and the `issued` event is stored once the bytes are with the
 * printer: a ticket nobody holds is never queued. A printer that fails puts its state in the node's
 * status (`printer`), which the hub raises as an alert, and the press gets the error signal.
 */

import { issueTicket } from "../../core/ticketNumber.ts";
import { ticketLink, ticketToken } from "../../core/ticketToken.ts";
import { localDay } from "../../core/time.ts";
import type { TerminalRole } from "../config.ts";
import { createPrinter } from "../printer/index.ts";
import type { Printer, PrinterState } from "../printer/printer.ts";
import { ticketBytes } from "../printer/ticket.ts";
import { onPress, type Role, type RoleContext } from "./role.ts";

type Issued = { event: "issued"; ticket: string; service: string; priority?: string };

export function terminalRole(ctx: RoleContext, cfg: TerminalRole, printerOverride?: Printer): Role {
	const inputs: Role["inputs"] = {};
	const pcfg = cfg.printer;
	const printer = pcfg ? (printerOverride ?? createPrinter(pcfg)) : undefined;
	let printerState: PrinterState = "ok";
	const setState = (s: PrinterState) => {
		if (s === printerState) return;
		ctx.log.warn({ printer: s }, s === "ok" ? "printer ready again" : "printer cannot print");
		printerState = s;
		ctx.publishStatus();
	};
	const checkTimer =
		printer && pcfg
			? setInterval(() => {
					printer
						.state()
						.then(setState)
						.catch(() => setState("offline"));
				}, pcfg.checkEveryS * 1000)
			: undefined;
	checkTimer?.unref?.();
	if (pcfg?.publicUrl && !pcfg.ticketKey)
		ctx.log.warn(
			{},
			"printer.publicUrl without a ticket key: tickets print without a QR code (vikno device add … --ticket-key; VIKNO_EDGE_PRINTER_TICKET_KEY)",
		);

	const emitIssued = (fields: Issued) => {
		const id = ctx.emit("queue", fields);
		if (!id) {
			ctx.feedback.error();
			return;
		}
		ctx.log.info({ ticket: fields.ticket, service: fields.service }, "ticket issued");
		ctx.feedback.thanks();
	};

	const print = async (fields: Issued, at: number, day: string, label: string) => {
		if (!printer || !pcfg) return;
		const summary = await (ctx.hubLive?.(pcfg.hubWaitMs) ?? Promise.resolve(undefined));
		const svc = summary?.services.find((s) => s.id === fields.service);
		const { centre } = ctx.config;
		const link =
			pcfg.publicUrl && pcfg.ticketKey
				? ticketLink(pcfg.publicUrl, centre, fields.ticket, ticketToken(pcfg.ticketKey, centre, day, fields.ticket))
				: undefined;
		const bytes = ticketBytes(
			{
				centreName: pcfg.centreName,
				serviceName: label,
				ticket: fields.ticket,
				priority: fields.priority,
				at,
				timeZone: ctx.config.timeZone,
				ahead: svc?.waiting,
				estimate: svc?.estimate,
				link,
			},
			pcfg.codeTable,
		);
		try {
			await printer.print(bytes);
			setState("ok");
		} catch (err) {
			ctx.log.warn({ ticket: fields.ticket, err: (err as Error).message }, "ticket not printed; not issued");
			setState(await printer.state().catch((): PrinterState => "offline"));
			if (printerState === "ok") setState("offline");
			ctx.feedback.error();
			return;
		}
		emitIssued(fields);
		ctx.onPrinted?.(fields.ticket, bytes);
	};

	for (const b of cfg.buttons) {
		inputs[b.input] = onPress(() => {
			const st = ctx.state.get();
			const at = ctx.now();
			const day = localDay(at, ctx.config.timeZone);
			const { ticket, counters } = issueTicket(st.tickets, b.prefix, day, cfg.numberStart);
			ctx.state.set({ ...st, tickets: counters });
			const fields: Issued = { event: "issued", ticket, service: b.service };
			if (b.priority) fields.priority = b.priority;
			if (!printer) {
				emitIssued(fields);
				return;
			}
			print(fields, at, day, b.label ?? b.service).catch((err) => {
				ctx.log.error({ err: (err as Error).message }, "printing a ticket failed");
				ctx.feedback.error();
			});
		});
	}
	return {
		inputs,
		status: () => (printer ? { printer: printerState } : {}),
		close: () => {
			clearInterval(checkTimer);
			void printer?.close();
		},
	};
}
