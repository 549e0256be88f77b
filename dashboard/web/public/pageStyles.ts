/** Styles shared by the page elements (best times, track, rate), in their shadow roots. */
import { css } from "lit";

export const pageStyles = css`
	:host {
		display: block;
	}
	* {
		box-sizing: border-box;
	}
	p,
	h2,
	h3 {
		margin: 0 0 0.5em;
	}
	.muted {
		color: #4a5563;
	}
	.sr {
		position: absolute;
		width: 1px;
		height: 1px;
		margin: -1px;
		overflow: hidden;
		clip: rect(0 0 0 0);
		white-space: nowrap;
		border: 0;
	}
	.notice {
		padding: 0.75em 1em;
		border-radius: 0.5em;
		background: #eef3f8;
	}
	.notice.warn {
		background: #fff4d6;
		color: #5c3c00;
	}
	.notice.good {
		background: #e3f4e8;
		color: #0f4d22;
	}
	.notice.called {
		background: #0b4f8a;
		color: #fff;
		font-size: 1.3em;
		font-weight: 700;
	}
	button,
	select,
	textarea,
	input {
		font: inherit;
	}
	button {
		min-height: 48px;
		padding: 0.5em 1em;
		border-radius: 0.5em;
		border: 2px solid #0b4f8a;
		background: #0b4f8a;
		color: #fff;
		cursor: pointer;
	}
	button.secondary {
		background: #fff;
		color: #0b4f8a;
	}
	button:focus-visible,
	select:focus-visible,
	textarea:focus-visible,
	input:focus-visible,
	a:focus-visible {
		outline: 3px solid #f0a500;
		outline-offset: 2px;
	}
	a {
		color: #0b4f8a;
	}
`;
