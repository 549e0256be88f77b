/**
 * Find the number the kernel's sysfs GPIO interface gives to line 0 of the SoC's GPIO chip.
 * Older Raspberry Pi OS kernels put it at 0; since kernel 6.6 the base is dynamic (512 on a
 * Pi 4/5 with 6.6), so GPIO17 is exported as 529. Reading /sys/class/gpio/gpiochipN/{base,label}
 * instead of assuming 0 keeps the same config working on both.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface GpioChip {
	dir: string;
	base: number;
	ngpio: number;
	label: string;
}

export class NoSysfsGpioError extends Error {
	readonly code = "EDGE_NO_SYSFS_GPIO";
}

export function listChips(root: string): GpioChip[] {
	let entries: string[];
	try {
		entries = readdirSync(root).filter((e) => e.startsWith("gpiochip"));
	} catch {
		throw new NoSysfsGpioError(
			`${root} does not exist: this kernel offers no sysfs GPIO (CONFIG_GPIO_SYSFS). ` +
				`Use the gpiod driver (character device, Debian's gpiod tools), the johnny-five driver, ` +
				`or a kernel with sysfs GPIO enabled.`,
		);
	}
	const chips: GpioChip[] = [];
	for (const e of entries) {
		const dir = join(root, e);
		try {
			const read = (f: string) => readFileSync(join(dir, f), "utf8").trim();
			chips.push({ dir, base: Number(read("base")), ngpio: Number(read("ngpio")), label: read("label") });
		} catch {
			// A chip directory without base/label is not usable; skip it.
		}
	}
	return chips.sort((a, b) => a.base - b.base);
}

/**
 * The chip with `label` if given; otherwise the SoC's pin controller (`pinctrl-bcm2835`,
 * `pinctrl-bcm2711`, `pinctrl-rp1`…), otherwise the chip with the lowest base.
 */
export function findChip(root: string, label?: string): GpioChip {
	const chips = listChips(root);
	if (chips.length === 0) throw new NoSysfsGpioError(`no gpiochip found under ${root}`);
	if (label !== undefined) {
		const chip = chips.find((c) => c.label === label);
		if (!chip) {
			throw new Error(`no GPIO chip labelled "${label}" under ${root}; found: ${chips.map((c) => c.label).join(", ")}`);
		}
		return chip;
	}
	return chips.find((c) => c.label.startsWith("pinctrl-")) ?? (chips[0] as GpioChip);
}
