/**
 * Styles every view of the page shares: colours (text keeps a contrast of at least 4.5:1, WCAG 2.1
 * AA), tiles, tables that turn into stacked cards on a phone (no sideways scrolling of the page
 * from 360 px), the period picker, figures with charts, print. Sizes in rem, so a wall screen that
 * enlarges the root font (the shell does from 2 200 px) enlarges everything.
 */
import { css } from "lit";

export const tokens = css`
	:host {
		--ink: #1c2430;
		--muted: #4f5b69;
		--line: #e3e8ee;
		--card: #fff;
		--soft: #f8fafb;
		--ok: #14662e;
		--ok-bg: #dcf3e3;
		--near: #8a4b00;
		--near-bg: #fdecd2;
		--over: #b3261e;
		--over-bg: #fbe1de;
		--accent: #2f5fc4;
		--accent-bg: #e8effb;
		color: var(--ink);
	}
	* { box-sizing: border-box; }
	p { margin: 0; }
	a { color: var(--accent); }
	a:focus-visible, button:focus-visible, select:focus-visible, input:focus-visible, summary:focus-visible, [tabindex]:focus-visible {
		outline: 2px solid var(--accent); outline-offset: 2px;
	}
	.sr-only {
		position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px;
		overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0;
	}
	.state { padding: 32px 0; color: var(--muted); font-size: 1.05rem; }
	.state.error { color: var(--over); }
	.muted { color: var(--muted); }
	.dot { display: inline-block; width: 8px; height: 8px; border-radius: 50%; flex: none; }
`;

export const blocks = css`
	h2 { font-size: 1.1rem; margin: 28px 0 10px; }
	h3 { font-size: 1rem; margin: 20px 0 8px; }
	section > h2:first-child { margin-top: 20px; }
	.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(13rem, 1fr)); gap: 14px; }
	.tile { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 16px 18px; display: flex; flex-direction: column; gap: 4px; min-width: 0; }
	.tile .label, .tile h2.label, .tile h3.label { margin: 0; font-size: 0.9rem; font-weight: 500; color: var(--muted); }
	.value { font-size: 2.2rem; line-height: 1.1; font-weight: 650; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
	.sub { color: var(--muted); font-size: 0.85rem; }
	.note { color: var(--muted); font-size: 0.85rem; margin: 6px 0 0; }
	.grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 26rem), 1fr)); gap: 16px; margin-top: 16px; }
	.block { margin-top: 16px; }
	.toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 14px; margin: 8px 0 4px; }
	.csv { font-size: 0.85rem; white-space: nowrap; }

	button, .button {
		font: inherit; font-size: 0.9rem; color: var(--accent); background: var(--card); border: 1px solid #c5cfdc;
		border-radius: 999px; padding: 4px 14px; cursor: pointer; text-decoration: none; display: inline-block;
	}
	button:hover, .button:hover { background: #eef2f8; }
	button:disabled { color: var(--muted); cursor: default; background: var(--soft); }
	button.primary { background: var(--accent); color: #fff; border-color: var(--accent); }
	button.primary:hover { background: #244da3; }
	input, select, textarea { font: inherit; font-size: 0.9rem; color: var(--ink); border: 1px solid #b8c3d1; border-radius: 8px; padding: 4px 8px; background: #fff; max-width: 100%; }

	.segmented { display: inline-flex; flex-wrap: wrap; gap: 4px; padding: 3px; background: #e9edf2; border-radius: 999px; }
	.segmented a { padding: 4px 14px; border-radius: 999px; color: var(--ink); text-decoration: none; font-size: 0.9rem; }
	.segmented a[aria-current="true"] { background: var(--card); color: var(--accent); font-weight: 600; box-shadow: 0 1px 2px rgb(0 0 0 / 0.12); }
	.dates { display: inline-flex; flex-wrap: wrap; align-items: center; gap: 6px; font-size: 0.9rem; }

	.table-wrap { position: relative; background: var(--card); border: 1px solid var(--line); border-radius: 12px; overflow-x: auto; max-width: 100%; }
	table { width: 100%; border-collapse: collapse; }
	caption.visible { caption-side: top; text-align: left; padding: 10px 14px 0; font-weight: 600; }
	th, td { padding: 8px 14px; text-align: left; border-bottom: 1px solid var(--line); vertical-align: baseline; }
	tbody tr:last-child > * { border-bottom: 0; }
	thead th { font-weight: 500; color: var(--muted); font-size: 0.85rem; background: var(--soft); }
	tbody th { font-weight: 500; min-width: 8rem; }
	.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
	.strong { font-weight: 650; }
	.thin { color: var(--muted); font-style: italic; }
	.ok { color: var(--ok); } .near { color: var(--near); } .over { color: var(--over); font-weight: 650; }
	.empty-note { padding: 10px 14px; color: var(--muted); font-size: 0.9rem; }

	/* A phone: tiles two by two; each row of an adapting table becomes a card of "label — value" lines. */
	@media (max-width: 640px) {
		.tiles { grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 10px; }
		.tile { padding: 12px 14px; }
		.value { font-size: 1.8rem; }
		table.adapt thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
		table.adapt, table.adapt tbody, table.adapt tr { display: block; }
		table.adapt tr { padding: 8px 12px; border-bottom: 1px solid var(--line); }
		table.adapt tbody tr:last-child { border-bottom: 0; }
		table.adapt td, table.adapt tbody th { display: flex; justify-content: space-between; align-items: baseline; gap: 12px; padding: 3px 0; border: 0; text-align: right; white-space: normal; }
		table.adapt tbody th { font-weight: 650; text-align: left; padding-bottom: 4px; min-width: 0; }
		table.adapt td::before { content: attr(data-label); color: var(--muted); font-size: 0.85rem; text-align: left; font-weight: 400; }
	}

	figure { margin: 0; background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 12px 14px; min-width: 0; }
	figcaption { font-weight: 600; margin-bottom: 6px; }
	details { margin-top: 8px; font-size: 0.9rem; }
	summary { cursor: pointer; color: var(--accent); }
	details .table-wrap { margin-top: 6px; border-radius: 8px; }

	@media print {
		@page { margin: 14mm; }
		.no-print { display: none !important; }
		:host { color: #000; }
		.tile, figure, .table-wrap { border-color: #999; break-inside: avoid; }
		details > summary { display: none; }
		a { color: #000; text-decoration: none; }
	}
`;
