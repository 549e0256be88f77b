/**
 * The demo's ticket printer: each ticket the simulated terminal issues is printed, as a real
 * terminal prints it (edge/printer/: the same layout, encoder and simulated printer), into
 * DATA/printer/{node}.escpos — people ahead and the estimate from the hub's live view at that
 * moment (a real terminal reads them from `$hub/live`), and a QR link whose token is made with the
 * terminal's ticket key from DATA/devices.json (made for the demo's terminal if it has no
 * credential yet; one made with `vikno device add` without `--ticket-key` prints no QR code).
 */
import { join } from "node:path";
import type { DeviceRegistry } from "../broker/registry.ts";
import type { Centre } from "../core/centre.ts";
import { ticketLink, ticketToken } from "../core/ticketToken.ts";
import { localDay } from "../core/time.ts";
import { SimPrinter } from "../edge/printer/simPrinter.ts";
import { ticketBytes } from "../edge/printer/ticket.ts";
import type { Action } from "../firmware-sim/hall.ts";
import type { Hub } from "../server/hub.ts";

export interface DemoPrinter {
	/** The file each terminal prints into. */
	files: string[];
	onAction(a: Action): void;
}

export async function demoPrinter(
	centre: Centre,
	hub: Hub,
	registry: DeviceRegistry,
	dataDir: string,
	log: (msg: string) => void,
	now: () => number = Date.now,
): Promise<DemoPrinter> {
	const printers = new Map<string, { printer: SimPrinter; key: string | undefined }>();
	for (const n of centre.nodes.filter((x) => x.role === "terminal")) {
		const username = `${centre.id}/${n.id}`;
		registry.refresh();
		if (!registry.get(username))
			await registry.add({ kind: "node", centre: centre.id, node: n.id }, { ticketKey: true });
		const key = registry.ticketKeys(centre.id).find((k) => k.node === n.id)?.key;
		printers.set(n.id, { printer: new SimPrinter(join(dataDir, "printer", `${n.id}.escpos`)), key });
	}
	const services = new Map(centre.services.map((s) => [s.id, s]));
	return {
		files: [...printers.values()].map((p) => p.printer.file),
		onAction(a) {
			const p = printers.get(a.node);
			if (!p || a.kind !== "queue" || a.data.event !== "issued") return;
			const { ticket, service } = a.data;
			const at = now();
			const day = localDay(at, centre.timeZone);
			const svc = hub.insights.liveView(centre.id)?.services.find((s) => s.id === service);
			const bytes = ticketBytes({
				centreName: centre.name.uk,
				serviceName: services.get(service)?.name.uk ?? service,
				ticket,
				priority: a.data.priority,
				at,
				timeZone: centre.timeZone,
				ahead: svc?.waiting,
				estimate: svc?.estimate,
				link: p.key
					? ticketLink(hub.httpUrl, centre.id, ticket, ticketToken(p.key, centre.id, day, ticket))
					: undefined,
			});
			p.printer.print(bytes).catch((e: Error) => log(`${a.node}: ticket ${ticket} not printed: ${e.message}`));
		},
	};
}
