/**
 * The widget's styles, in its shadow root: the host page's CSS cannot reach inside, and these do
 * not leak out. The wrapper sets every inherited property it relies on explicitly (a host page's
 * `* { color: red !important }` matches the host element only, and nothing inside inherits from
 * it); sizes are in em of `--vikno-font-size`, by default the reader's own font size (`medium`,
 * not the page's `rem`), so a large-font setting and page zoom enlarge it. Themable with the
 * custom properties below, which do cross the shadow boundary.
 */
import { css } from "lit";

export const waitStyles = css`
	:host {
		display: block;
		contain: content;
	}
	:host([hidden]) {
		display: none;
	}
	.w {
		box-sizing: border-box;
		font-family: var(--vikno-font-family, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif);
		font-size: var(--vikno-font-size, medium);
		font-weight: 400;
		font-style: normal;
		line-height: 1.45;
		letter-spacing: normal;
		word-spacing: normal;
		text-transform: none;
		text-align: start;
		text-indent: 0;
		white-space: normal;
		visibility: visible;
		color: var(--vikno-color, #1c2430);
		background: var(--vikno-background, #ffffff);
		border: 1px solid var(--vikno-border, #c9d1da);
		border-radius: var(--vikno-radius, 0.75em);
		padding: 1em;
		max-width: 100%;
		overflow-wrap: anywhere;
	}
	.w * {
		box-sizing: border-box;
		font: inherit;
		color: inherit;
		margin: 0;
		padding: 0;
	}
	.title {
		font-size: 1.15em;
		font-weight: 700;
		line-height: 1.25;
	}
	.status {
		margin-top: 0.35em;
		font-weight: 600;
		display: flex;
		align-items: baseline;
		gap: 0.4em;
	}
	.dot {
		display: inline-block;
		width: 0.7em;
		height: 0.7em;
		border-radius: 50%;
		flex: none;
		background: var(--vikno-open, #1a7f37);
	}
	.closed .dot {
		background: var(--vikno-closed, #a40e26);
	}
	ul {
		list-style: none;
		margin-top: 0.75em;
		display: grid;
		gap: 0.5em;
	}
	li {
		display: flex;
		flex-wrap: wrap;
		align-items: baseline;
		justify-content: space-between;
		gap: 0.15em 0.75em;
		padding-top: 0.5em;
		border-top: 1px solid var(--vikno-border, #c9d1da);
	}
	li:first-child {
		border-top: 0;
		padding-top: 0;
	}
	.name {
		flex: 1 1 12em;
	}
	.band {
		font-weight: 700;
		color: var(--vikno-accent, #0b4f8a);
		white-space: nowrap;
	}
	.band.none {
		font-weight: 400;
		color: var(--vikno-muted, #4a5563);
	}
	.more {
		flex-basis: 100%;
		font-size: 0.9em;
		color: var(--vikno-muted, #4a5563);
	}
	.facts {
		margin-top: 0.75em;
		display: grid;
		gap: 0.25em;
	}
	.busy {
		color: var(--vikno-busy, #a40e26);
		font-weight: 600;
	}
	.quiet {
		color: var(--vikno-quiet, #1a7f37);
		font-weight: 600;
	}
	.stale,
	.error {
		margin-top: 0.75em;
		padding: 0.5em 0.75em;
		border-radius: 0.4em;
		background: var(--vikno-warning-background, #fff4d6);
		color: var(--vikno-warning, #5c3c00);
	}
	.foot {
		margin-top: 0.75em;
		font-size: 0.85em;
		color: var(--vikno-muted, #4a5563);
	}
	.sr {
		position: absolute;
		width: 1px;
		height: 1px;
		margin: -1px;
		padding: 0;
		overflow: hidden;
		clip: rect(0 0 0 0);
		white-space: nowrap;
		border: 0;
	}
`;
