/** Styles of <vikno-live-hall>. Colours keep a contrast of at least 4.5:1 for text (WCAG 2.1 AA). */
import { css } from "lit";

export const liveHallStyles = css`
	:host {
		--ink: #1c2430;
		--muted: #4f5b69;
		--line: #e3e8ee;
		--card: #fff;
		--ok: #14662e;
		--ok-bg: #dcf3e3;
		--near: #8a4b00;
		--near-bg: #fdecd2;
		--over: #b3261e;
		--over-bg: #fbe1de;
		--accent: #2f5fc4;
		display: block;
		max-width: 1280px;
		margin: 0 auto;
		padding: 20px 24px 32px;
		color: var(--ink);
	}
	* { box-sizing: border-box; }
	p { margin: 0; }
	.sr-only {
		position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px;
		overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0;
	}

	header { display: flex; align-items: flex-end; justify-content: space-between; gap: 16px; flex-wrap: wrap; margin-bottom: 16px; }
	.eyebrow { text-transform: uppercase; letter-spacing: 0.06em; font-size: 0.75rem; font-weight: 600; color: var(--accent); }
	h1 { font-size: 1.6rem; line-height: 1.25; margin: 2px 0 4px; }
	.day { color: var(--muted); }
	.meta { display: flex; align-items: center; gap: 14px; flex-wrap: wrap; font-size: 0.9rem; color: var(--muted); }
	.lang { color: var(--accent); }
	.lang:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; border-radius: 2px; }
	.badge { display: inline-flex; align-items: center; gap: 6px; padding: 3px 12px; border-radius: 999px; font-weight: 600; background: #e6eaef; color: var(--ink); }
	.badge.live { background: var(--ok-bg); color: var(--ok); }
	.badge.reconnecting { background: var(--near-bg); color: var(--near); }
	.badge .dot { background: currentColor; }
	.badge.live .dot { animation: pulse 2s ease-in-out infinite; }
	@keyframes pulse { 50% { opacity: 0.3; } }
	@media (prefers-reduced-motion: reduce) { .badge.live .dot { animation: none; } }
	.dot { display: inline-block; width: 8px; height: 8px; border-radius: 50%; flex: none; }

	.stale { background: var(--near-bg); color: var(--near); border-radius: 8px; padding: 10px 14px; margin-bottom: 14px; }
	main.is-stale .value, main.is-stale .ticket { color: var(--muted); }

	h2 { font-size: 1.05rem; margin: 28px 0 10px; }
	.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 14px; }
	.tile { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 16px 18px; display: flex; flex-direction: column; gap: 4px; }
	.tile h2.label { margin: 0; font-size: 0.9rem; font-weight: 500; color: var(--muted); }
	.value { font-size: 2.4rem; line-height: 1.1; font-weight: 650; font-variant-numeric: tabular-nums; }
	.scale { font-size: 1.1rem; font-weight: 500; color: var(--muted); }
	.sub { color: var(--muted); font-size: 0.85rem; }
	.meter { height: 6px; border-radius: 3px; background: #e6eaef; overflow: hidden; margin-top: 6px; }
	.meter span { display: block; height: 100%; background: var(--ok); border-radius: 3px; }
	.meter.near span { background: #c77700; }
	.meter.over span { background: var(--over); }
	.with-chart { display: flex; align-items: flex-end; justify-content: space-between; flex-wrap: wrap; gap: 4px 12px; }
	.dist { display: flex; align-items: stretch; gap: 4px; height: 46px; width: 112px; flex: none; }
	.col { flex: 1; display: flex; flex-direction: column; justify-content: flex-end; align-items: stretch; gap: 2px; }
	.bar { display: block; background: #8fa9e0; border-radius: 3px 3px 0 0; min-height: 2px; }
	.bar.s4, .bar.s5 { background: var(--accent); }
	.score { font-size: 0.7rem; color: var(--muted); text-align: center; line-height: 1; }

	.table-wrap:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
	.table-wrap { position: relative; background: var(--card); border: 1px solid var(--line); border-radius: 12px; overflow-x: auto; }
	table { width: 100%; border-collapse: collapse; }
	th, td { padding: 9px 14px; text-align: left; border-bottom: 1px solid var(--line); vertical-align: baseline; }
	tbody tr:last-child > * { border-bottom: 0; }
	thead th { font-weight: 500; color: var(--muted); font-size: 0.85rem; background: #f8fafb; white-space: nowrap; }
	tbody th { font-weight: 500; }
	tr.empty td.strong { color: var(--muted); }
	.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
	.strong { font-weight: 650; }
	.wait .dot { margin-right: 6px; vertical-align: 1px; }
	.wait.ok { color: var(--ok); } .wait.ok .dot { background: var(--ok); }
	.wait.near { color: var(--near); } .wait.near .dot { background: #c77700; }
	.wait.over { color: var(--over); font-weight: 650; } .wait.over .dot { background: var(--over); }
	.empty-note { padding: 10px 14px; color: var(--muted); border-top: 1px solid var(--line); font-size: 0.9rem; }

	.windows { list-style: none; padding: 0; margin: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 12px; }
	.window { background: var(--card); border: 1px solid var(--line); border-top: 5px solid #a9b3bf; border-radius: 12px; padding: 10px 14px 12px; display: flex; flex-direction: column; gap: 3px; }
	.window.calling { border-top-color: #d99a00; }
	.window.serving { border-top-color: #2e9d57; }
	.window.offline { border-top-color: var(--over); background: #f7f8fa; }
		.wid { font-weight: 650; line-height: 1.25; min-width: 0; overflow-wrap: anywhere; }
	.wmeta { display: flex; align-items: baseline; gap: 6px; min-width: 0; }
	.wnote { font-size: 0.78rem; color: var(--muted); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; min-width: 0; }
	.tag { flex: none; font-size: 0.7rem; font-weight: 600; background: #ece4ff; color: #4a2c99; padding: 1px 6px; border-radius: 8px; white-space: nowrap; }
	.wstate { display: inline-flex; align-items: center; gap: 6px; color: var(--muted); font-size: 0.85rem; }
	.wstate .dot { background: #a9b3bf; }
	.calling .wstate { color: var(--near); } .calling .wstate .dot { background: #d99a00; }
	.serving .wstate { color: var(--ok); } .serving .wstate .dot { background: #2e9d57; }
	.offline .wstate { color: var(--over); } .offline .wstate .dot { background: var(--over); }
	.ticket { font-size: 1.5rem; font-weight: 650; line-height: 1.2; font-variant-numeric: tabular-nums; margin-top: 2px; }
	.ticket.none { color: #a9b3bf; font-weight: 400; }
	.svc { color: var(--muted); font-size: 0.8rem; min-height: 1.1em; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
	.since { display: flex; justify-content: space-between; gap: 8px; color: var(--muted); font-size: 0.8rem; min-height: 1.1em; margin-top: auto; }
	.count { margin-left: auto; }

	footer { margin-top: 24px; color: var(--muted); font-size: 0.85rem; }
	.state { padding: 32px 24px; color: var(--muted); font-size: 1.05rem; }
	.state.error { color: var(--over); }

	@media (max-width: 600px) {
		:host { padding: 12px; }
		h1 { font-size: 1.3rem; }
		.value { font-size: 2rem; }
		th, td { padding: 8px; }
		tbody th { min-width: 9em; }
		thead th.num { white-space: normal; }
		.opt { display: none; }
		.tiles { grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 10px; }
		.tile { padding: 12px 14px; }
		.windows { grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 10px; }
		.window { min-height: 0; }
	}
`;
