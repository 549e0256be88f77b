/**
 * A short two-tone chime for a new alert, made with the Web Audio API (no sound file to fetch).
 * Off unless the person turns it on; the choice is kept in this browser. Browsers play sound only
 * after the page has had a click or a key press, which turning it on is.
 */
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
		const now = context.currentTime;
		for (const [i, freq] of [880, 660].entries()) {
			const osc = context.createOscillator();
			const gain = context.createGain();
			osc.frequency.value = freq;
			gain.gain.setValueAtTime(0.0001, now + i * 0.25);
			gain.gain.exponentialRampToValueAtTime(0.2, now + i * 0.25 + 0.02);
			gain.gain.exponentialRampToValueAtTime(0.0001, now + i * 0.25 + 0.22);
			osc.connect(gain).connect(context.destination);
			osc.start(now + i * 0.25);
			osc.stop(now + i * 0.25 + 0.24);
		}
	} catch {
		// No audio here: the banner still shows it.
	}
}
