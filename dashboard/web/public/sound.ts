/** A short chime and a vibration for "you are called", on a phone that allows them. */
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
	if (context) {
		const now = context.currentTime;
		for (const [i, freq] of [660, 880].entries()) {
			const osc = context.createOscillator();
			const gain = context.createGain();
			osc.frequency.value = freq;
			gain.gain.setValueAtTime(0.0001, now + i * 0.35);
			gain.gain.exponentialRampToValueAtTime(0.3, now + i * 0.35 + 0.02);
			gain.gain.exponentialRampToValueAtTime(0.0001, now + i * 0.35 + 0.3);
			osc.connect(gain).connect(context.destination);
			osc.start(now + i * 0.35);
			osc.stop(now + i * 0.35 + 0.32);
		}
	}
	navigator.vibrate?.([300, 150, 300]);
}
