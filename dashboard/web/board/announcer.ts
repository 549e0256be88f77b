/**
 * Says each new call, one after another: a chime, then the hub's recording of the phrase
 * (espeak-ng, GET /board/{centre}/say/{call}); when the hub has none (404 no_speech), the
 * browser's Ukrainian voice if it has one; else the chime alone. The text is on the board
 * whatever is heard. A kiosk browser needs `--autoplay-policy=no-user-gesture-required`
 * (deploy/vikno-board.service), or nothing may play before someone touches the page.
 */

import type { BoardCall } from "../../../core/boardView.ts";
import { playTones } from "../tones.ts";

export class Announcer {
	private queue: Promise<void> = Promise.resolve();
	private audio: AudioContext | undefined;
	/** What the last call did: "recording", "voice" or "chime" (tests and the page's data-spoken). */
	last: "recording" | "voice" | "chime" | undefined;

	constructor(
		private readonly centre: string,
		private readonly spoken: (how: "recording" | "voice" | "chime", call: BoardCall) => void,
	) {}

	private pending = 0;

	/**
	 * Say a call after those before it. At most 3 wait: when calls come faster than they can be
	 * said (a burst, the demo's fast clock) the rest are shown, not said — a hall would not follow
	 * a minute of backlog anyway, and R repeats the latest.
	 */
	say(call: BoardCall): void {
		if (this.pending >= 3) return;
		this.pending++;
		this.queue = this.queue
			.then(() => this.sayNow(call))
			.catch(() => undefined)
			.finally(() => {
				this.pending--;
			});
	}

	private async sayNow(call: BoardCall): Promise<void> {
		await this.chime();
		const url = `/board/${encodeURIComponent(this.centre)}/say/${encodeURIComponent(call.id)}`;
		let how: "recording" | "voice" | "chime" = "chime";
		try {
			const res = await fetch(url, { cache: "force-cache" });
			if (res.ok) {
				await res.arrayBuffer();
				how = "recording";
				// The same URL again (cached): the page's policy allows media from the hub only, not blob: URLs.
				await this.play(url);
			} else if (await this.speak(call.say.uk)) how = "voice";
		} catch {
			// The hub is away or the browser refused to play: the chime and the text remain.
		}
		this.last = how;
		this.spoken(how, call);
	}

	/** Two tones, about 0.6 s (Web Audio: no file to fetch). */
	private async chime(): Promise<void> {
		try {
			this.audio ??= new AudioContext();
			const ctx = this.audio;
			if (ctx.state === "suspended") await ctx.resume().catch(() => undefined);
			const lasts = playTones(ctx, { freqs: [880, 660], stepS: 0.3, peak: 0.4 }, ctx.currentTime + 0.02);
			await new Promise((r) => setTimeout(r, lasts * 1000 + 50));
		} catch {
			// no audio output
		}
	}

	private play(url: string): Promise<void> {
		return new Promise((resolve) => {
			const el = new Audio(url);
			const done = () => resolve();
			el.onended = done;
			el.onerror = done;
			el.play().catch(done);
		});
	}

	/** The browser's own Ukrainian voice, if it has one. */
	private speak(text: string): Promise<boolean> {
		const synth = globalThis.speechSynthesis;
		const voice = synth?.getVoices().find((v) => v.lang.toLowerCase().startsWith("uk"));
		if (!synth || !voice) return Promise.resolve(false);
		return new Promise((resolve) => {
			const u = new SpeechSynthesisUtterance(text);
			u.voice = voice;
			u.lang = voice.lang;
			u.onend = () => resolve(true);
			u.onerror = () => resolve(false);
			synth.speak(u);
		});
	}
}
