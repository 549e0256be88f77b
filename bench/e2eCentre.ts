/**
 * Centres for the end-to-end bench: the demo centre's services and hours with `windows` windows
 * (w001…, each with its node win-001…), the ticket terminal and the door — written as a centre file
 * so the hub in this process and `vikno hub` in another read the same thing.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { loadCentreFile } from "../config/load.ts";
import type { Centre } from "../core/centre.ts";
import { DEMO_YAML } from "../test/fixtures/hub.ts";

export interface BenchCentre {
	centre: Centre;
	/** The centre file. */
	path: string;
	/** The window nodes (the ones that publish ratings). */
	windowNodes: string[];
}

export function writeBenchCentre(dir: string, id: string, windows: number): BenchCentre {
	const doc = parse(readFileSync(DEMO_YAML, "utf8")) as Record<string, unknown>;
	const services = (doc.services as { id: string }[]).map((s) => s.id);
	const num = (n: number) => String(n).padStart(3, "0");
	const windowNodes: string[] = [];
	doc.id = id;
	doc.windows = Array.from({ length: windows }, (_, i) => ({
		id: `w${num(i + 1)}`,
		services: [services[i % services.length]],
	}));
	doc.administrators = [];
	doc.nodes = [
		...Array.from({ length: windows }, (_, i) => {
			windowNodes.push(`win-${num(i + 1)}`);
			return { id: `win-${num(i + 1)}`, role: "window", window: `w${num(i + 1)}` };
		}),
		{ id: "terminal-1", role: "terminal" },
		{ id: "door-main", role: "door", zone: "hall" },
	];
	const path = join(dir, `${id}.yaml`);
	writeFileSync(path, stringify(doc));
	return { centre: loadCentreFile(path), path, windowNodes };
}
