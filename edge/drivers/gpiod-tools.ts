/**
 * What the gpiod driver says to, and reads from, Debian's `gpiod` command-line tools: pure
 * functions, one per command line or output format, for both tool generations:
 * libgpiod 1.6 (Debian bookworm, Raspberry Pi OS bookworm) takes the chip as the first
 * positional argument; libgpiod 2.x (Debian trixie) takes `-c CHIP` and prints differently.
 * Formats are those of the tools' own `event_print_*` / `print_*` functions.
 */

export type ToolGeneration = 1 | 2;

export interface ChipInfo {
	/** `gpiochip0`: what the other tools take as CHIP. */
	name: string;
	label: string;
	lines: number;
}

export type Bias = "pull-up" | "pull-down" | "disable";

/** `gpiodetect --version`: "gpiodetect (libgpiod) v1.6.3" → 1; "… v2.1" → 2. */
export function parseGeneration(text: string): ToolGeneration {
	const m = /\(libgpiod\)\s+v(\d+)\./.exec(text);
	if (!m) throw new Error(`cannot read the libgpiod version from "${text.trim().split("\n")[0] ?? ""}"`);
	return Number(m[1]) >= 2 ? 2 : 1;
}

/** `gpiodetect` (both generations): "gpiochip0 [pinctrl-bcm2711] (58 lines)" per chip. */
export function parseChips(text: string): ChipInfo[] {
	const chips: ChipInfo[] = [];
	for (const line of text.split("\n")) {
		const m = /^(\S+) \[(.*)\] \((\d+) lines\)\s*$/.exec(line);
		if (m) chips.push({ name: m[1] as string, label: m[2] as string, lines: Number(m[3]) });
	}
	return chips;
}

/**
 * The chip labelled `label` if given; otherwise the SoC's pin controller (`pinctrl-bcm2835`,
 * `pinctrl-bcm2711`, `pinctrl-rp1`…: its line offsets are the BCM numbers), otherwise the first.
 */
export function selectChip(chips: ChipInfo[], label?: string): ChipInfo {
	if (label !== undefined) {
		const chip = chips.find((c) => c.label === label);
		if (!chip) {
			const found = chips.map((c) => `${c.name} [${c.label}]`).join(", ") || "none";
			throw new Error(`no GPIO chip labelled "${label}"; gpiodetect found: ${found}`);
		}
		return chip;
	}
	const chip = chips.find((c) => c.label.startsWith("pinctrl-")) ?? chips[0];
	if (!chip) throw new Error("gpiodetect found no GPIO chip (is /dev/gpiochip* readable by this user? group gpio)");
	return chip;
}

export interface EdgeEvent {
	offset: number;
	/** Physical level after the edge: rising = high. */
	high: boolean;
}

/**
 * One line of `gpiomon`'s default output, or undefined for anything else.
 * 1.6: "event:  RISING EDGE offset: 17 timestamp: [  1234.567890123]"
 * 2.x: "1234.567890123\trising\tgpiochip0 17" (plus ` "NAME"` when the line has a name)
 */
export function parseMonitorLine(line: string): EdgeEvent | undefined {
	const v1 = /^event:\s+(RISING|FALLING) EDGE offset: (\d+)/.exec(line);
	if (v1) return { offset: Number(v1[2]), high: v1[1] === "RISING" };
	const v2 = /\t(rising|falling)\t\S+ (\d+)/.exec(line);
	if (v2) return { offset: Number(v2[2]), high: v2[1] === "rising" };
	return undefined;
}

/**
 * `gpioget` output for the offsets asked, in order: 1.6 prints "1 0"; 2.x prints
 * `"17"=active "18"=inactive` (or "1 0" with --numeric). Physical levels, as no -l is given.
 */
export function parseLevels(text: string, count: number): boolean[] {
	const tokens = text.trim().split(/\s+/).filter(Boolean);
	const levels = tokens.map((t) => {
		const word = t.includes("=") ? t.slice(t.lastIndexOf("=") + 1) : t;
		if (word === "1" || word === "active") return true;
		if (word === "0" || word === "inactive") return false;
		throw new Error(`unexpected gpioget output "${text.trim()}"`);
	});
	if (levels.length !== count) throw new Error(`gpioget printed ${levels.length} values for ${count} lines`);
	return levels;
}

const biasFlag = (gen: ToolGeneration, bias: Bias) =>
	gen === 1 ? `--bias=${bias}` : `--bias=${bias === "disable" ? "disabled" : bias}`;

/** Read levels once (lines are requested as inputs with the bias, then released). */
export function getArgs(gen: ToolGeneration, chip: string, offsets: number[], bias: Bias): string[] {
	const lines = offsets.map(String);
	return gen === 1 ? [biasFlag(gen, bias), chip, ...lines] : ["--numeric", biasFlag(gen, bias), "-c", chip, ...lines];
}

/** Watch both edges of the lines; 1.6 needs -b or it block-buffers its output into our pipe. */
export function monitorArgs(gen: ToolGeneration, chip: string, offsets: number[], bias: Bias): string[] {
	const lines = offsets.map(String);
	return gen === 1 ? ["-b", biasFlag(gen, bias), chip, ...lines] : [biasFlag(gen, bias), "-c", chip, ...lines];
}

/**
 * Drive one line and keep it driven. 1.6 `--mode=wait` holds the value until a newline or end
 * of file on its stdin: closing our end releases it, and so does our death (even `kill -9`),
 * so no orphan keeps the line. 2.x holds the value until SIGTERM.
 */
export function setArgs(gen: ToolGeneration, chip: string, offset: number, high: boolean): string[] {
	const value = `${offset}=${high ? 1 : 0}`;
	return gen === 1 ? ["--mode=wait", chip, value] : ["-c", chip, value];
}
