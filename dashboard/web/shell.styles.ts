/** Styles of <vikno-app>: the header, the navigation, the connection badge, the alerts banner. */
import { css } from "lit";

export const shellStyles = css`
	:host { display: block; max-width: 80rem; margin: 0 auto; padding: 12px 24px 32px; }
	header { display: flex; align-items: flex-end; justify-content: space-between; gap: 8px 16px; flex-wrap: wrap; margin-bottom: 10px; }
	.heading { min-width: 0; }
	.eyebrow { text-transform: uppercase; letter-spacing: 0.06em; font-size: 0.75rem; font-weight: 600; color: var(--accent); }
	h1 { font-size: 1.6rem; line-height: 1.25; margin: 2px 0 4px; overflow-wrap: anywhere; }
	.day { color: var(--muted); }
	.meta { display: flex; align-items: center; gap: 10px 14px; flex-wrap: wrap; font-size: 0.9rem; color: var(--muted); }
	.badge { display: inline-flex; align-items: center; gap: 6px; padding: 3px 12px; border-radius: 999px; font-weight: 600; background: #e6eaef; color: var(--ink); }
	.badge.live { background: var(--ok-bg); color: var(--ok); }
	.badge.reconnecting { background: var(--near-bg); color: var(--near); }
	.badge .dot { background: currentColor; }
	.badge.live .dot { animation: pulse 2s ease-in-out infinite; }
	@keyframes pulse { 50% { opacity: 0.3; } }
	.centre-pick select { max-width: 22rem; }

	nav { margin: 4px 0 14px; border-bottom: 1px solid var(--line); }
	nav ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 2px 4px; }
	nav a { display: inline-block; padding: 8px 12px; color: var(--ink); text-decoration: none; border-bottom: 3px solid transparent; font-size: 0.95rem; }
	nav a:hover { color: var(--accent); }
	nav a[aria-current="page"] { color: var(--accent); border-bottom-color: var(--accent); font-weight: 600; }
	nav .count { display: inline-block; min-width: 1.4em; padding: 0 6px; margin-left: 4px; border-radius: 999px; background: var(--over); color: #fff; font-size: 0.75rem; text-align: center; }
	.sound { margin-left: auto; display: inline-flex; align-items: center; gap: 6px; font-size: 0.85rem; color: var(--muted); padding: 6px 4px; }

	.stale { background: var(--near-bg); color: var(--near); border-radius: 8px; padding: 10px 14px; margin-bottom: 14px; }

	.banner { display: flex; flex-wrap: wrap; align-items: flex-start; justify-content: space-between; gap: 6px 16px; border-radius: 10px; padding: 10px 14px; margin-bottom: 14px; border: 1px solid; }
	.banner.warning { background: var(--near-bg); border-color: #f0c88a; color: var(--near); }
	.banner.critical { background: var(--over-bg); border-color: #f0a8a2; color: var(--over); }
	.banner.fresh { animation: flash 1s ease-in-out 3; }
	@keyframes flash { 50% { box-shadow: 0 0 0 4px rgb(179 38 30 / 0.35); } }
	.banner ul { list-style: none; margin: 0; padding: 0; display: grid; gap: 4px; min-width: 0; flex: 1 1 20rem; }
	.banner li { display: flex; flex-wrap: wrap; align-items: baseline; gap: 2px 8px; }
	.banner li .dot { background: #c77700; align-self: center; }
	.banner li.critical .dot { background: var(--over); }
	.banner .msg { color: var(--ink); overflow-wrap: anywhere; }
	.banner .when { font-size: 0.85rem; }
	.banner .new { color: var(--over); text-transform: uppercase; font-size: 0.75rem; letter-spacing: 0.04em; }
	.banner .all { font-size: 0.9rem; font-weight: 600; white-space: nowrap; }

	/* A wall screen: the page fills it (the shell's root font has grown with it too). */
	@media (min-width: 2200px) { :host { max-width: 94vw; } }
	@media (prefers-reduced-motion: reduce) { .badge.live .dot, .banner.fresh { animation: none; } }
	@media (max-width: 600px) {
		:host { padding: 8px 12px 24px; }
		h1 { font-size: 1.3rem; }
		nav a { padding: 6px 8px; }
		.centre-pick select { max-width: 16rem; }
	}
	@media print {
		:host { max-width: none; padding: 0; }
		nav, .meta, .banner, .stale { display: none !important; }
	}
`;
