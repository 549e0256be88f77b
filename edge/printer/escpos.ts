/**
 * A small ESC/POS encoder: the commands a ticket needs, nothing more. Epson's ESC/POS command
 * reference (as followed by nearly every thermal receipt printer) for each:
 *   ESC @            initialize                       ESC t n          character code table
 *   ESC a n          justification (0 left, 1 centre) ESC E n          emphasis (bold) on/off
 *   GS ! n           character size (width, height multiples 1..8, n = (w-1)<<4 | (h-1))
 *   LF / ESC d n     print and feed                   GS V 66 n        feed and partial cut
 *   GS ( k           2D code (QR): model, module size, error correction, store data, print
 * Text goes out in Windows-1251 (Epson table 46, "WPC1251"), which holds every Ukrainian letter
 * (і ї є ґ); PC866 has no і/ї/є. Characters the table lacks are printed as "?".
 */
const ESC = 0x1b;
const GS = 0x1d;
const LF = 0x0a;

/** Epson's number of the Windows-1251 table for ESC t. Some printers number it otherwise (config). */
export const WPC1251 = 46;

/** Unicode → Windows-1251 byte, built from the platform's own decoder of that table. */
const CP1251 = (() => {
	const decoder = new TextDecoder("windows-1251");
	const map = new Map<string, number>();
	for (let b = 0x80; b <= 0xff; b++) map.set(decoder.decode(Uint8Array.of(b)), b);
	return map;
})();

export function encode1251(text: string): number[] {
	const out: number[] = [];
	for (const ch of text.normalize("NFC")) {
		const code = ch.codePointAt(0) ?? 0x3f;
		if (code < 0x80) out.push(code);
		else out.push(CP1251.get(ch) ?? (ch === "ʼ" ? 0x27 : 0x3f));
	}
	return out;
}

export type Align = "left" | "center" | "right";
export type QrCorrection = "L" | "M" | "Q" | "H";

export class EscPos {
	private readonly out: number[] = [];

	constructor(codeTable = WPC1251) {
		this.raw(ESC, 0x40, ESC, 0x74, codeTable);
	}

	raw(...bytes: number[]): this {
		this.out.push(...bytes);
		return this;
	}

	align(a: Align): this {
		return this.raw(ESC, 0x61, a === "left" ? 0 : a === "center" ? 1 : 2);
	}

	bold(on: boolean): this {
		return this.raw(ESC, 0x45, on ? 1 : 0);
	}

	/** Character size as multiples of the normal width and height, 1..8 each. */
	size(width: number, height = width): this {
		const w = Math.min(8, Math.max(1, Math.round(width))) - 1;
		const h = Math.min(8, Math.max(1, Math.round(height))) - 1;
		return this.raw(GS, 0x21, (w << 4) | h);
	}

	text(s: string): this {
		return this.raw(...encode1251(s));
	}

	line(s = ""): this {
		return this.text(s).raw(LF);
	}

	feed(lines: number): this {
		return this.raw(ESC, 0x64, Math.min(255, Math.max(0, lines)));
	}

	/**
	 * A QR code of `data` (GS ( k, function 165, 167, 169, 180, 181): model 2, `module` dots per
	 * module (1..16), the error correction level. The printer draws it; the data goes in clear.
	 */
	qr(data: string, module = 6, correction: QrCorrection = "M"): this {
		const bytes = [...new TextEncoder().encode(data)];
		const store = bytes.length + 3;
		const level = { L: 48, M: 49, Q: 50, H: 51 }[correction];
		return this.raw(GS, 0x28, 0x6b, 4, 0, 0x31, 0x41, 0x32, 0x00) // model 2
			.raw(GS, 0x28, 0x6b, 3, 0, 0x31, 0x43, Math.min(16, Math.max(1, module))) // module size
			.raw(GS, 0x28, 0x6b, 3, 0, 0x31, 0x45, level) // error correction
			.raw(GS, 0x28, 0x6b, store & 0xff, store >> 8, 0x31, 0x50, 0x30, ...bytes) // store the data
			.raw(GS, 0x28, 0x6b, 3, 0, 0x31, 0x51, 0x30); // print it
	}

	/** Feed past the cutter and cut (partial cut leaves a hinge, as most kiosks want). */
	cut(): this {
		return this.raw(GS, 0x56, 66, 3);
	}

	bytes(): Uint8Array {
		return Uint8Array.from(this.out);
	}
}
