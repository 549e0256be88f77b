/**
 * Short tones through the Web Audio API (no sound file to fetch), shared by the manager page's
 * alert chime, the hall board's call and a resident's "you are called". Each tone rises quickly
 * and fades out before the next begins.
 */
export interface Tones {
	/** Frequencies in order, Hz. */
	freqs: readonly number[];
	/** Seconds from one tone's start to the next's. */
	stepS: number;
	/** Loudness at the peak (0..1). */
	peak: number;
}

/** Plays `tones` from `at` (the context's time; default now); returns how long they last, s. */
export function playTones(ctx: AudioContext, tones: Tones, at = ctx.currentTime): number {
	for (const [i, freq] of tones.freqs.entries()) {
		const from = at + i * tones.stepS;
		const osc = ctx.createOscillator();
		const gain = ctx.createGain();
		osc.frequency.value = freq;
		gain.gain.setValueAtTime(0.0001, from);
		gain.gain.exponentialRampToValueAtTime(tones.peak, from + 0.02);
		gain.gain.exponentialRampToValueAtTime(0.0001, from + tones.stepS * 0.9);
		osc.connect(gain).connect(ctx.destination);
		osc.start(from);
		osc.stop(from + tones.stepS * 0.95);
	}
	return tones.freqs.length * tones.stepS;
}
