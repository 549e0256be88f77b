/** The hall board's look: dark, high contrast, type sized by the screen (read from 8 m on a TV). */
import { css } from "lit";

export const boardStyles = css`
	:host {
		display: flex;
		flex-direction: column;
		min-height: 100vh;
		box-sizing: border-box;
		padding: 1.5vmin 2.5vmin;
		color: #f4f6f8;
		background: #0d1b2a;
	}
	header {
		display: flex;
		justify-content: space-between;
		align-items: baseline;
		gap: 2vmin;
		border-bottom: 0.3vmin solid #415a77;
	}
	h1 {
		margin: 0;
		font-size: clamp(1.1rem, 3.2vmin, 3rem);
		font-weight: 600;
	}
	time {
		font-size: clamp(1.6rem, 6vmin, 6rem);
		font-variant-numeric: tabular-nums;
		font-weight: 700;
	}
	.banner {
		margin: 0;
		min-height: 0;
		font-size: clamp(1rem, 2.6vmin, 2.4rem);
	}
	.banner.stale,
	.banner.connecting {
		padding: 0.6vmin 1.5vmin;
		margin-top: 1vmin;
		background: #ffd166;
		color: #1b1b1b;
		border-radius: 0.6vmin;
	}
	main {
		flex: 1;
		display: grid;
		grid-template-columns: 3fr 2fr;
		gap: 3vmin;
		min-height: 0;
		align-content: start;
		padding-top: 2vmin;
	}
	h2 {
		margin: 0 0 1vmin;
		font-size: clamp(1.1rem, 3.2vmin, 3rem);
		color: #c9d6e3;
		font-weight: 600;
	}
	ol {
		list-style: none;
		margin: 0;
		padding: 0;
	}
	li {
		display: grid;
		grid-template-columns: 1fr auto 1fr;
		align-items: baseline;
		gap: 2vmin;
		padding: 0.6vmin 1.5vmin;
		font-size: clamp(1.6rem, 6vmin, 6rem);
		font-weight: 700;
		font-variant-numeric: tabular-nums;
		border-bottom: 0.2vmin solid #1b263b;
	}
	li.latest {
		font-size: clamp(2.4rem, 13vmin, 14rem);
		background: #1b263b;
		border-radius: 1vmin;
	}
	li.fresh {
		animation: blink 1s steps(2, jump-none) infinite;
	}
	@keyframes blink {
		0% {
			background: #ffd166;
			color: #0d1b2a;
		}
		100% {
			background: #1b263b;
			color: #f4f6f8;
		}
	}
	.arrow {
		color: #ffd166;
	}
	li.fresh .arrow {
		color: inherit;
	}
	.window {
		text-align: right;
	}
	.wl {
		font-size: 0.45em;
		font-weight: 600;
	}
	.sr {
		position: absolute;
		width: 1px;
		height: 1px;
		overflow: hidden;
		clip-path: inset(50%);
		white-space: nowrap;
	}
	.empty {
		font-size: clamp(1.2rem, 4vmin, 4rem);
		color: #c9d6e3;
	}
	table {
		width: 100%;
		border-collapse: collapse;
		font-size: clamp(0.95rem, 2.4vmin, 2.4rem);
	}
	th {
		text-align: left;
		font-weight: 500;
		padding: 0.5vmin 0;
	}
	td {
		text-align: right;
		white-space: nowrap;
		padding: 0.5vmin 0 0.5vmin 1.5vmin;
		font-variant-numeric: tabular-nums;
	}
	.prefix {
		display: inline-block;
		min-width: 1.6em;
		font-weight: 700;
		color: #ffd166;
	}
	.unit {
		color: #c9d6e3;
		font-size: 0.8em;
	}
	tr {
		border-bottom: 0.15vmin solid #1b263b;
	}
	footer {
		font-size: clamp(0.8rem, 1.6vmin, 1.4rem);
		color: #9fb3c8;
	}
	@media (max-width: 700px) {
		main {
			grid-template-columns: 1fr;
		}
		li {
			font-size: 2rem;
		}
		li.latest {
			font-size: 3.2rem;
		}
		table {
			font-size: 0.9rem;
		}
	}
`;
