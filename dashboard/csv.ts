/**
 * CSV as spreadsheets read it (RFC 4180): comma-separated, CRLF line ends, fields quoted when they
 * hold a comma, a quote or a line break; UTF-8 with a byte-order mark, so Excel opens Ukrainian
 * text as Ukrainian and not as mojibake. Numbers are written as JavaScript writes them (a dot for
 * the decimal point), empty for no figure. A text cell that a spreadsheet would take for a formula
 * (=, +, -, @ first) gets a leading apostrophe: a comment typed into an acknowledgement must not
 * run in the manager's Excel (OWASP's "CSV injection"). Pure.
 */

export type Cell = string | number | boolean | null | undefined;

export const BOM = "\uFEFF";

export function csvCell(value: Cell): string {
	if (value === null || value === undefined) return "";
	if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
	if (typeof value === "boolean") return value ? "true" : "false";
	const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
	return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The whole file: the byte-order mark, the header, one line per row, each line ended by CRLF. */
export function toCsv(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
	const lines = [header, ...rows].map((r) => r.map(csvCell).join(","));
	return `${BOM}${lines.map((l) => `${l}\r\n`).join("")}`;
}

/** Read a file `toCsv` wrote back into rows of text (for tests and tools). */
export function parseCsv(text: string): string[][] {
	const src = text.startsWith(BOM) ? text.slice(1) : text;
	const rows: string[][] = [];
	let row: string[] = [];
	let cell = "";
	let quoted = false;
	for (let i = 0; i < src.length; i++) {
		const ch = src[i] as string;
		if (quoted) {
			if (ch === '"' && src[i + 1] === '"') {
				cell += '"';
				i++;
			} else if (ch === '"') quoted = false;
			else cell += ch;
		} else if (ch === '"') quoted = true;
		else if (ch === ",") {
			row.push(cell);
			cell = "";
		} else if (ch === "\r" && src[i + 1] === "\n") {
			row.push(cell);
			rows.push(row);
			row = [];
			cell = "";
			i++;
		} else cell += ch;
	}
	if (cell !== "" || row.length) rows.push([...row, cell]);
	return rows;
}
