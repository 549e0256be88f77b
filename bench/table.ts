/** Print rows as an aligned text table. */
export function printTable(title: string, rows: Record<string, string | number>[]): void {
	const first = rows[0];
	if (!first) return;
	const cols = Object.keys(first);
	const cell = (v: string | number | undefined) => (typeof v === "number" ? v.toLocaleString("en-US") : (v ?? ""));
	const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(cell(r[c])).length)));
	const line = (vals: string[]) => vals.map((v, i) => v.padStart(widths[i] ?? 0)).join("  ");
	console.log(`\n${title}`);
	console.log(line(cols));
	console.log(line(widths.map((w) => "-".repeat(w))));
	for (const r of rows) console.log(line(cols.map((c) => String(cell(r[c])))));
}

export const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
