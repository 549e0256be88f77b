/**
 * A short two-tone chime for a new alert, made with the Web Audio API (no sound file to fetch).
 * Off unless the person turns it on; the choice is kept in this browser. Browsers play sound only
 * after the page has had a click or a key press, which turning it on is.
 */
import { playTones } from "./tones.ts";

const KEY = "vikno-alert-sound";

export function soundWanted(): boolean {
	try {
		return localStorage.getItem(KEY) === "on";
	} catch {
		return false;
	}
}

export function setSoundWanted(on: boolean): void {
	try {
		localStorage.setItem(KEY, on ? "on" : "off");
	} catch {
		// A browser that keeps nothing: the choice lasts this page.
	}
}

let context: AudioContext | undefined;

export function chime(): void {
	try {
		context ??= new AudioContext();
		playTones(context, { freqs: [880, 660], stepS: 0.25, peak: 0.2 });
	} catch {
		// No audio here: the banner still shows it.
	}
}
