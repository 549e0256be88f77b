/**
 * A table of figures as every view shows one: a caption, a header row, a row header per row, cells
 * that carry their column's name (so a phone shows each row as a card: styles.ts `adapt`), an
 * empty note, and the link to the same table as CSV. Template function.
 */
import { html, nothing, type TemplateResult } from "lit";
import type { Lang } from "./format.ts";
import { STRINGS } from "./i18n.ts";

export interface Column<R> {
	label: string;
	cell: (row: R) => unknown;
	num?: boolean;
	/** A class for the cell (e.g. a colour against a target). */
	cls?: (row: R) => string;
}

export interface TableOptions {
	testId?: string;
	/** The CSV of this table (a download). */
	csv?: string;
	empty?: string;
	/** Show the caption (otherwise it is for screen readers, the section's heading says it). */
	showCaption?: boolean;
	/** A row's attributes for tests: `data-row`. */
	rowKey?: (row: never) => string;
}

export function dataTable<R>(
	lang: Lang,
	caption: string,
	head: Column<R>,
	columns: readonly Column<R>[],
	rows: readonly R[],
	opts: TableOptions = {},
): TemplateResult {
	const t = STRINGS[lang];
	const key = opts.rowKey as ((row: R) => string) | undefined;
	return html`${opts.csv ? html`<p class="toolbar no-print"><a class="csv" href=${opts.csv} download data-testid="csv-${opts.testId ?? ""}">${t.csv}</a></p>` : nothing}
		<div class="table-wrap">
			<table class="adapt" data-testid=${opts.testId ?? nothing}>
				<caption class=${opts.showCaption ? "visible" : "sr-only"}>${caption}</caption>
				<thead>
					<tr>
						<th scope="col">${head.label}</th>
						${columns.map((c) => html`<th scope="col" class=${c.num ? "num" : ""}>${c.label}</th>`)}
					</tr>
				</thead>
				<tbody>
					${rows.map(
						(r) => html`<tr data-row=${key ? key(r) : nothing}>
							<th scope="row">${head.cell(r)}</th>
							${columns.map(
								(c) =>
									html`<td class="${c.num ? "num" : ""} ${c.cls?.(r) ?? ""}" data-label=${c.label}>${c.cell(r)}</td>`,
							)}
						</tr>`,
					)}
				</tbody>
			</table>
			${rows.length === 0 ? html`<p class="empty-note">${opts.empty ?? t.noData}</p>` : nothing}
		</div>`;
}
