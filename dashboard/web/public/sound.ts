/** A short chime and a vibration for "you are called", on a phone that allows them. */
import { playTones } from "../tones.ts";

let context: AudioContext | undefined;

/** Called from a click (browsers unlock sound only after a gesture). */
export function unlockSound(): void {
	try {
		context ??= new AudioContext();
		void context.resume();
	} catch {
		context = undefined;
	}
}

export function chime(): void {
	if (context) playTones(context, { freqs: [660, 880], stepS: 0.35, peak: 0.3 });
	navigator.vibrate?.([300, 150, 300]);
}
