/**
 * The printed ticket's layout: the centre, the service, the number in large type, the date and
 * time in the centre's zone, people ahead and the estimated wait when the hub told us (else a line
 * saying to watch the board), and the QR code to follow the ticket and rate the visit. Pure: the
 * bytes (edge/printer/escpos.ts) from the facts.
 */
import { formatClockAt, formatDate } from "./dates.ts";
import { EscPos } from "./escpos.ts";

export interface PrintedTicket {
	centreName: string;
	serviceName: string;
	ticket: string;
	priority?: string | undefined;
	/** Issued at (epoch ms) and the centre's zone. */
	at: number;
	timeZone: string;
	/** From the hub's live summary, when it answered in time. */
	ahead?: number | undefined;
	estimate?: { low: number; high: number } | null | undefined;
	/** The ticket's page (core/ticketToken.ts ticketLink), when the terminal has a key and a public URL. */
	link?: string | undefined;
}

export function ticketBytes(t: PrintedTicket, codeTable?: number): Uint8Array {
	const p = new EscPos(codeTable).align("center");
	p.bold(true).line(t.centreName).bold(false);
	p.line(t.serviceName);
	p.feed(1);
	p.size(4, 4).bold(true).line(t.ticket).bold(false).size(1, 1);
	if (t.priority) p.line(`Пільгова черга: ${t.priority}`);
	p.feed(1);
	p.line(`${formatDate(t.at, t.timeZone)}  ${formatClockAt(t.at, t.timeZone)}`);
	if (t.ahead !== undefined) {
		p.line(`Перед вами: ${t.ahead}`);
		if (t.estimate) {
			const lo = Math.max(0, Math.floor(t.estimate.low));
			const hi = Math.max(lo, Math.ceil(t.estimate.high));
			p.line(lo === hi ? `Очікування: близько ${lo} хв` : `Очікування: ${lo}–${hi} хв`);
		}
	} else p.line("Стежте за табло в залі");
	if (t.link) {
		p.feed(1);
		p.qr(t.link);
		p.line("Стежте за чергою та оцініть візит");
	}
	p.feed(2);
	return p.cut().bytes();
}
