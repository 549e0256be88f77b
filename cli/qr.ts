/**
 * `vikno qr --centre C --public-url URL [--config FILE] [--out DIR] [--lang uk|en]`: the QR codes
 * residents scan at the windows to rate the service (the page `/c/{centre}/r/{window}`), as SVG
 * cards for printing — the code, "Оцініть обслуговування / Rate the service" and the window. Every
 * window with a window node gets one (a QR rating is that window's rating, so a window without a
 * node has none). Without `--out` it prints each window's address.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import QRCode from "qrcode";
import { loadCentreFile } from "../config/load.ts";
import type { Centre } from "../core/centre.ts";
import { parse, UsageError } from "./options.ts";

const DEMO_CONFIG = fileURLToPath(new URL("../config/centres/demo.yaml", import.meta.url));

const esc = (s: string) =>
	s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] ?? c);

/** The address a window's code opens. */
export function rateUrl(publicUrl: string, centre: string, window: string): string {
	return `${publicUrl}/c/${centre}/r/${window}`;
}

/** The window's label on the card: "Вікно 3 · Window 3" for the usual ids, else its name. */
function windowLabel(centre: Centre, window: string): string {
	const n = /^w0*(\d+)$/.exec(window)?.[1];
	if (n) return `Вікно ${n} · Window ${n}`;
	return centre.windows.find((w) => w.id === window)?.name ?? window;
}

/**
 * A printable card (90 × 120 mm): the title in both languages, the code (error correction M, a
 * quiet zone of four modules as ISO/IEC 18004 asks), the window and the address in small type.
 */
export async function qrCard(centre: Centre, window: string, url: string): Promise<string> {
	const code = await QRCode.toString(url, { type: "svg", errorCorrectionLevel: "M", margin: 4 });
	const viewBox = /viewBox="([^"]+)"/.exec(code)?.[1] ?? "0 0 33 33";
	const inner = code.replace(/^[\s\S]*?<svg[^>]*>/, "").replace(/<\/svg>\s*$/, "");
	return `<svg xmlns="http://www.w3.org/2000/svg" width="90mm" height="120mm" viewBox="0 0 90 120">
<title>${esc(`Оцініть обслуговування — ${windowLabel(centre, window)}`)}</title>
<rect width="90" height="120" fill="#ffffff"/>
<g font-family="DejaVu Sans, Arial, sans-serif" text-anchor="middle" fill="#1c2430">
<text x="45" y="13" font-size="6.2" font-weight="700">Оцініть обслуговування</text>
<text x="45" y="20" font-size="4.2">Rate the service</text>
<svg x="10" y="24" width="70" height="70" viewBox="${viewBox}" shape-rendering="crispEdges">${inner}</svg>
<text x="45" y="102" font-size="6" font-weight="700">${esc(windowLabel(centre, window))}</text>
<text x="45" y="109" font-size="3">${esc(centre.name.uk)}</text>
<text x="45" y="115" font-size="2.4" fill="#4a5563">${esc(url)}</text>
</g>
</svg>
`;
}

export async function qrCommand(args: string[]): Promise<number> {
	const o = parse(args, {
		centre: { type: "string" },
		config: { type: "string" },
		out: { type: "string" },
		"public-url": { type: "string" },
	});
	if (!o.centre) throw new UsageError("--centre is required (the centre's id)");
	const base = o["public-url"];
	if (!base || !/^https?:\/\/[^/\s]+/.test(base))
		throw new UsageError(
			"--public-url is required: the hub's address as residents' phones reach it, e.g. https://cnap.example.city",
		);
	const publicUrl = base.replace(/\/+$/, "");
	const centre = loadCentreFile(o.config ?? DEMO_CONFIG);
	if (centre.id !== o.centre)
		throw new UsageError(`the centre file is for "${centre.id}", not "${o.centre}" (--config)`);
	const windows = centre.windows.filter((w) => centre.nodes.some((n) => n.role === "window" && n.window === w.id));
	const skipped = centre.windows.filter((w) => !windows.includes(w)).map((w) => w.id);
	if (o.out) mkdirSync(o.out, { recursive: true });
	for (const w of windows) {
		const url = rateUrl(publicUrl, centre.id, w.id);
		if (!o.out) {
			console.log(`${w.id}\t${url}`);
			continue;
		}
		const file = join(o.out, `${centre.id}-${w.id}.svg`);
		writeFileSync(file, await qrCard(centre, w.id, url));
		console.log(`${w.id}\t${url}\t${file}`);
	}
	if (skipped.length) console.error(`no window node, so no QR rating: ${skipped.join(", ")}`);
	return 0;
}
