/**
 * The generated part of docs/benchmarks.md: one section per benchmark between
 * `<!-- bench:NAME:begin -->` and `<!-- bench:NAME:end -->`, replaced on each run. Everything outside
 * the markers — the hand-written text, tables and history — is kept byte for byte.
 */
import { describeMachine, type Machine } from "./machine.ts";

export const beginMarker = (name: string) => `<!-- bench:${name}:begin -->`;
export const endMarker = (name: string) => `<!-- bench:${name}:end -->`;

/** One benchmark's run, as the section records it. */
export interface BenchRecord {
	name: string;
	figures: Record<string, unknown>;
	/** The command that reproduces it, environment included. */
	command: string;
	machine: Machine;
	startedAt: Date;
	durationMs: number;
	/** The load average when it ended (the machine's at the start). */
	loadEnd: number;
	/** The share of the cores' time the hypervisor took during the run, % (none where unknown). */
	stolenPct?: number;
	/** How many benchmarks the run that made it had (1: run on its own). */
	ofSuite: number;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Occurrences of a marker on a line of its own. */
function markerAt(doc: string, marker: string): number[] {
	const at: number[] = [];
	const re = new RegExp(`^${escapeRegExp(marker)}[ \\t]*$`, "gm");
	for (let m = re.exec(doc); m; m = re.exec(doc)) at.push(m.index);
	return at;
}

/**
 * `doc` with `body` between the bench's markers. With no markers yet, the section goes at the end of
 * the bench's own `## NAME …` chapter, or, without one, under a new chapter at the end. Markers
 * that are not one begin before one end are an error: nothing is written then.
 */
export function placeSection(doc: string, name: string, body: string): string {
	const begins = markerAt(doc, beginMarker(name));
	const ends = markerAt(doc, endMarker(name));
	const block = `${beginMarker(name)}\n${body.replace(/\n+$/, "")}\n${endMarker(name)}`;
	if (begins.length === 1 && ends.length === 1) {
		const [b = 0] = begins;
		const [e = 0] = ends;
		if (e > b) return doc.slice(0, b) + block + doc.slice(e + endMarker(name).length);
	}
	if (begins.length || ends.length) {
		throw new Error(`the markers of "${name}" are not one ${beginMarker(name)} before one ${endMarker(name)}`);
	}
	const heading = new RegExp(`^## ${escapeRegExp(name)}(?=[ \\t]|$)`, "m").exec(doc);
	if (!heading) return `${withBlankLine(doc)}## ${name}\n\n${block}\n`;
	const next = /^## /m.exec(doc.slice(heading.index + 3));
	const at = next ? heading.index + 3 + next.index : doc.length;
	const after = doc.slice(at);
	return `${withBlankLine(doc.slice(0, at))}${block}\n${after ? "\n" : ""}${after}`;
}

/** `text` ending in a blank line (nothing added to an empty text). */
function withBlankLine(text: string): string {
	if (!text || text.endsWith("\n\n")) return text;
	return text.endsWith("\n") ? `${text}\n` : `${text}\n\n`;
}

/** Integers grouped by thousands with a space, as the hand-written tables write them. */
export function formatFigure(v: unknown): string {
	if (typeof v === "number" && Number.isInteger(v) && Math.abs(v) >= 1000) {
		return String(v).replace(/\B(?=(\d{3})+$)/g, " ");
	}
	if (typeof v === "number" || typeof v === "boolean") return String(v);
	if (typeof v === "string") return v.replaceAll("|", "\\|");
	return `\`${JSON.stringify(v)}\``;
}

export function formatDuration(ms: number): string {
	if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
	const s = Math.round(ms / 1000);
	return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
}

/** A markdown table with its columns padded, as the rest of the page is. */
function table(head: string[], rows: string[][]): string {
	const widths = head.map((h, i) => Math.max(h.length, 3, ...rows.map((r) => (r[i] ?? "").length)));
	const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
	return [line(head), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

const stolen = (pct: number | undefined) =>
	pct === undefined ? "" : `; the hypervisor took ${pct} % of the cores' time during the run (steal)`;

/** The text between the markers: when, how and where it was run, every figure, the JSON line. */
export function renderSection(r: BenchRecord): string {
	const when = `${r.startedAt.toISOString().slice(0, 16).replace("T", " ")} UTC`;
	const suite = r.ofSuite > 1 ? `, one of ${r.ofSuite} in a run of \`npm run bench\`` : "";
	const rows = Object.entries(r.figures).map(([k, v]) => [`\`${k}\``, formatFigure(v)]);
	return [
		"<!-- Written by `npm run bench`, replaced at each run: write notes outside the markers. -->",
		"",
		`**Latest run:** \`${r.command}\` — ${when}, took ${formatDuration(r.durationMs)}${suite}.`,
		`Machine: ${describeMachine(r.machine)}; load average ${r.machine.load} at the start, ${r.loadEnd} at the end${stolen(r.stolenPct)}.`,
		"",
		table(["figure", "value"], rows),
		"",
		`\`${JSON.stringify({ bench: r.name, ...r.figures })}\``,
	].join("\n");
}
