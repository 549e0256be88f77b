/**
 * Light and sound for people at the node. Patterns are tables of (on, ms) steps; starting a
 * pattern on an output replaces the one running there. Sound matters: visitors with impaired
 * sight rely on the buzzer (DOMAIN.md, accessibility).
 */
import type { Output } from "./drivers/driver.ts";

type Step = readonly [on: boolean, ms: number];

export const PATTERNS = {
	/** "Thank you": light for 1.5 s, one short beep. */
	thanksLight: [[true, 1500]],
	thanksSound: [[true, 120]],
	/** Refused (outbox full, paused, nothing to finish): three short beeps. */
	errorSound: [
		[true, 80],
		[false, 80],
		[true, 80],
		[false, 80],
		[true, 80],
	],
	/** Nobody is waiting / please wait: two short beeps. */
	waitSound: [
		[true, 60],
		[false, 120],
		[true, 60],
	],
} as const satisfies Record<string, readonly Step[]>;

class Channel {
	private timer: ReturnType<typeof setTimeout> | undefined;
	constructor(private readonly out: Output) {}

	play(steps: readonly Step[]): void {
		this.stop();
		let i = 0;
		const next = () => {
			const step = steps[i++];
			if (!step) {
				this.timer = undefined;
				this.out.set(false);
				return;
			}
			this.out.set(step[0]);
			this.timer = setTimeout(next, step[1]);
		};
		next();
	}

	blink(totalMs: number, periodMs: number): void {
		const steps: Step[] = [];
		for (let t = 0; t < totalMs; t += periodMs) steps.push([true, periodMs / 2], [false, periodMs / 2]);
		this.play(steps);
	}

	stop(): void {
		if (this.timer !== undefined) clearTimeout(this.timer);
		this.timer = undefined;
		this.out.set(false);
	}
}

export class Feedback {
	private readonly light: Channel | undefined;
	private readonly sound: Channel | undefined;

	constructor(light?: Output, sound?: Output) {
		this.light = light && new Channel(light);
		this.sound = sound && new Channel(sound);
	}

	/** The event is safely stored: light and a beep. */
	thanks(): void {
		this.light?.play(PATTERNS.thanksLight);
		this.sound?.play(PATTERNS.thanksSound);
	}

	error(): void {
		this.sound?.play(PATTERNS.errorSound);
	}

	wait(): void {
		this.sound?.play(PATTERNS.waitSound);
	}

	/** Blink so a technician finds the box (cmd/identify). */
	identify(ms = 10_000): void {
		this.light?.blink(ms, 500);
	}

	stop(): void {
		this.light?.stop();
		this.sound?.stop();
	}
}
