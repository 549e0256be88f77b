/** Styles of <vikno-live-hall> beyond the shared ones (styles.ts): meters, the ratings' bars, the queue table, the windows. */
import { css } from "lit";

export const liveHallStyles = css`
	:host { display: block; }
	.is-stale .value, .is-stale .ticket { color: var(--muted); }
	.meter { height: 6px; border-radius: 3px; background: #e6eaef; overflow: hidden; margin-top: 6px; }
	.meter span { display: block; height: 100%; background: var(--ok); border-radius: 3px; }
	.meter.near span { background: #c77700; }
	.meter.over span { background: var(--over); }
	.scale { font-size: 1.1rem; font-weight: 500; color: var(--muted); }
	.with-chart { display: flex; align-items: flex-end; justify-content: space-between; flex-wrap: wrap; gap: 4px 12px; }
	.dist { display: flex; align-items: stretch; gap: 4px; height: 46px; width: 112px; flex: none; }
	.col { flex: 1; display: flex; flex-direction: column; justify-content: flex-end; align-items: stretch; gap: 2px; }
	.bar { display: block; background: #8fa9e0; border-radius: 3px 3px 0 0; min-height: 2px; }
	.bar.s4, .bar.s5 { background: var(--accent); }
	.score { font-size: 0.7rem; color: var(--muted); text-align: center; line-height: 1; }

	tr.empty td.strong { color: var(--muted); }
	.wait .dot { margin-right: 6px; vertical-align: 1px; }
	.wait.ok { color: var(--ok); } .wait.ok .dot { background: var(--ok); }
	.wait.near { color: var(--near); } .wait.near .dot { background: #c77700; }
	.wait.over { color: var(--over); font-weight: 650; } .wait.over .dot { background: var(--over); }
	.empty-note { border-top: 1px solid var(--line); }

	.windows { list-style: none; padding: 0; margin: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr)); gap: 12px; }
	.window { background: var(--card); border: 1px solid var(--line); border-top: 5px solid #a9b3bf; border-radius: 12px; padding: 10px 14px 12px; display: flex; flex-direction: column; gap: 3px; min-width: 0; }
	.window.calling { border-top-color: #d99a00; }
	.window.serving { border-top-color: #2e9d57; }
	.window.offline { border-top-color: var(--over); background: #f7f8fa; }
	.window.paused { border-top-color: #7a5cc7; }
	.window.silent { border-top-color: var(--over); }
	.silent-note { color: var(--over); font-size: 0.8rem; font-weight: 600; }
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
	.admin { color: var(--muted); font-size: 0.8rem; overflow-wrap: anywhere; }
	.since { display: flex; justify-content: space-between; gap: 8px; color: var(--muted); font-size: 0.8rem; min-height: 1.1em; margin-top: auto; }
	.count { margin-left: auto; }

	footer { margin-top: 24px; color: var(--muted); font-size: 0.85rem; }

	@media (min-width: 2200px) { .windows { grid-template-columns: repeat(auto-fill, minmax(10rem, 1fr)); } }
	@media (max-width: 600px) {
		.value { font-size: 2rem; }
		.tiles { grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 10px; }
		.tile { padding: 12px 14px; }
		.windows { grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 10px; }
	}
`;
