/**
 * One contract suite for every driver (as aedes-persistence's abstract.js): each implementation
 * is driven through its hardware boundary only — a fake of onoff's Gpio class over a fake sysfs
 * tree, johnny-five on a mock Firmata board, stand-ins for Debian's gpiod tools (both libgpiod
 * generations), the sim driver directly. The gpiod driver works through child processes, so
 * levels are awaited rather than read at once.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { InputConfig, OutputConfig } from "../../edge/config.ts";
import type { Driver } from "../../edge/drivers/driver.ts";
import { findChip, NoSysfsGpioError } from "../../edge/drivers/gpiochip.ts";
import { createGpiodDriver } from "../../edge/drivers/gpiod.ts";
import { createJohnnyFiveDriver } from "../../edge/drivers/johnny-five.ts";
import { type GpioClass, OnoffDriver } from "../../edge/drivers/onoff.ts";
import { SimDriver } from "../../edge/drivers/sim.ts";
import { FakeGpiod } from "../fixtures/fakeGpiod.ts";

const require = createRequire(import.meta.url);
const tmp = mkdtempSync(join(tmpdir(), "vikno-gpio-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A sysfs tree like a Raspberry Pi 4 on kernel 6.6: the SoC's chip at base 512, an expander at 570. */
function fakeSysfs(chips: { base: number; label: string; ngpio: number }[]): string {
	const root = mkdtempSync(join(tmp, "sys-"));
	chips.forEach((c, i) => {
		const dir = join(root, `gpiochip${c.base}`);
		mkdirSync(dir);
		writeFileSync(join(dir, "base"), `${c.base}\n`);
		writeFileSync(join(dir, "label"), `${c.label}\n`);
		writeFileSync(join(dir, "ngpio"), `${c.ngpio}\n`);
		if (i === 0) writeFileSync(join(root, "export"), "");
	});
	return root;
}

/** The harness each implementation provides: set a pin's physical level, read an output's physical level. */
interface Harness {
	driver: Driver;
	physical(pin: number, high: boolean): void | Promise<void>;
	output(pin: number): boolean | undefined;
}

/** Until it holds (at once for the drivers without processes in between). */
const eventually = <T>(read: () => T) => expect.poll(read, { timeout: 5_000, interval: 10 });

// --- onoff: a fake Gpio class at the library boundary -------------------------------------------
class FakeGpio {
	static readonly lines = new Map<number, FakeGpio>();
	static readonly HIGH = 1;
	static readonly LOW = 0;
	static accessible = true;
	value: number;
	private readonly watchers: ((err: Error | null, v: number) => void)[] = [];
	unexported = false;
	constructor(
		readonly gpio: number,
		readonly direction: string,
		readonly edge?: string,
		readonly options?: { activeLow?: boolean },
	) {
		// The physical level as the kernel would set it for "high"/"low"/"in".
		this.value = direction === "high" ? 1 : 0;
		FakeGpio.lines.set(gpio, this);
	}
	private get activeLow() {
		return this.options?.activeLow === true;
	}
	/** Physical level change on an input: onoff reports the logical value (active_low applied by the kernel). */
	drive(high: boolean) {
		this.value = high ? 1 : 0;
		const logical = this.activeLow ? 1 - this.value : this.value;
		for (const w of this.watchers) w(null, logical);
	}
	watch(cb: (err: Error | null, v: number) => void) {
		this.watchers.push(cb);
	}
	unwatchAll() {
		this.watchers.length = 0;
	}
	writeSync(logical: number) {
		this.value = this.activeLow ? 1 - logical : logical;
	}
	unexport() {
		this.unexported = true;
	}
}

function onoffHarness(): Harness {
	FakeGpio.lines.clear();
	const root = fakeSysfs([
		{ base: 512, label: "pinctrl-bcm2711", ngpio: 58 },
		{ base: 570, label: "raspberrypi-exp-gpio", ngpio: 8 },
	]);
	const driver = new OnoffDriver(FakeGpio as unknown as GpioClass, { sysfsRoot: root });
	return {
		driver,
		physical: (pin, high) => FakeGpio.lines.get(512 + pin)?.drive(high),
		output: (pin) => {
			const g = FakeGpio.lines.get(512 + pin);
			return g ? g.value === 1 : undefined;
		},
	};
}

// --- johnny-five: a mock Firmata board ------------------------------------------------------------
const MockFirmata = require("mock-firmata").Firmata as new () => {
	emit(e: string): void;
	MODES: Record<string, number>;
};

async function johnnyFiveHarness(): Promise<Harness> {
	const io = new MockFirmata();
	const reads = new Map<number, (v: number) => void>();
	const writes = new Map<number, number>();
	const modes = new Map<number, number>();
	Object.assign(io, {
		digitalRead: (pin: number, cb: (v: number) => void) => reads.set(pin, cb),
		digitalWrite: (pin: number, v: number) => writes.set(pin, v),
		pinMode: (pin: number, m: number) => modes.set(pin, m),
	});
	const ready = createJohnnyFiveDriver({}, io, 5_000);
	io.emit("connect");
	io.emit("ready");
	const driver = await ready;
	return {
		driver,
		physical: (pin, high) => reads.get(pin)?.(high ? 1 : 0),
		output: (pin) => (writes.has(pin) ? writes.get(pin) === 1 : undefined),
	};
}

// --- gpiod: stand-ins for Debian's gpiod tools over a pretend world ---------------------------------
async function gpiodHarness(version: string): Promise<Harness> {
	const world = new FakeGpiod(tmp, { version });
	const driver = await createGpiodDriver({ toolsDir: world.toolsDir });
	return {
		driver,
		physical: (pin, high) => world.drive(pin, high),
		output: (pin) => world.output(pin),
	};
}

// --- sim: logical levels are driven directly --------------------------------------------------------
function simHarness(): Harness {
	const driver = new SimDriver();
	const names = new Map<number, InputConfig>();
	const outs = new Map<number, OutputConfig>();
	const input = driver.input.bind(driver);
	const output = driver.output.bind(driver);
	driver.input = (c, l) => {
		names.set(Number(c.pin), c);
		input(c, l);
	};
	driver.output = (c) => {
		outs.set(Number(c.pin), c);
		return output(c);
	};
	return {
		driver,
		physical: (pin, high) => {
			const c = names.get(pin);
			if (c) driver.set(c.name, c.activeLow ? !high : high);
		},
		// The sim driver keeps logical levels; the wiring polarity gives the physical one.
		output: (pin) => {
			const c = outs.get(pin);
			return c === undefined ? undefined : driver.outputs.get(c.name) !== c.activeLow;
		},
	};
}

const implementations: [string, () => Harness | Promise<Harness>][] = [
	["onoff", onoffHarness],
	["johnny-five", johnnyFiveHarness],
	["gpiod (libgpiod 1.6)", () => gpiodHarness("1.6.3")],
	["gpiod (libgpiod 2.x)", () => gpiodHarness("2.1.0")],
	["sim", simHarness],
];

const button: InputConfig = { name: "r1", pin: 5, activeLow: true, pull: "up" };
const beam: InputConfig = { name: "outer", pin: 6, activeLow: false, pull: "none" };
const led: OutputConfig = { name: "thanks", pin: 12, activeLow: false };
const relay: OutputConfig = { name: "buzzer", pin: 13, activeLow: true };

describe.each(implementations)("driver contract: %s", (_name, make) => {
	it("reports a button wired to ground (active low) as active while pressed", async () => {
		const h = await make();
		const seen: boolean[] = [];
		h.driver.input(button, (a) => seen.push(a));
		await h.physical(5, true); // resting level with the pull-up
		await h.physical(5, false); // pressed
		await h.physical(5, true); // released
		await eventually(() => seen.filter((_, i) => i >= seen.length - 2)).toEqual([true, false]);
		await h.driver.close();
	});

	it("reports an active-high input as it is", async () => {
		const h = await make();
		const seen: boolean[] = [];
		h.driver.input(beam, (a) => seen.push(a));
		await h.physical(6, true);
		await h.physical(6, false);
		await eventually(() => seen).toEqual([true, false]);
		await h.driver.close();
	});

	it("switches outputs, honouring active-low wiring, and starts them off", async () => {
		const h = await make();
		const l = h.driver.output(led);
		const r = h.driver.output(relay);
		await eventually(() => h.output(12)).toBe(false);
		await eventually(() => h.output(13)).toBe(true);
		l.set(true);
		r.set(true);
		await eventually(() => h.output(12)).toBe(true);
		await eventually(() => h.output(13)).toBe(false);
		l.set(false);
		await eventually(() => h.output(12)).toBe(false);
		await h.driver.close();
	});
});

describe("GPIO chip base (sysfs)", () => {
	it("finds the SoC's pin controller however the kernel numbers it", () => {
		const old = fakeSysfs([{ base: 0, label: "pinctrl-bcm2835", ngpio: 54 }]);
		expect(findChip(old).base).toBe(0);
		const pi5 = fakeSysfs([
			{ base: 512, label: "gpio-brcmstb@107d508500", ngpio: 32 },
			{ base: 571, label: "pinctrl-rp1", ngpio: 54 },
		]);
		expect(findChip(pi5).base).toBe(571);
		expect(findChip(pi5, "gpio-brcmstb@107d508500").base).toBe(512);
	});

	it("adds the base to the configured line number", () => {
		const h = onoffHarness();
		h.driver.output(led);
		expect(FakeGpio.lines.has(512 + 12)).toBe(true);
		expect((h.driver as OnoffDriver).base).toBe(512);
	});

	it("says what to do when the kernel has no sysfs GPIO", () => {
		expect(() => findChip(join(tmp, "nowhere"))).toThrow(NoSysfsGpioError);
		expect(() => findChip(join(tmp, "nowhere"))).toThrow(/johnny-five/);
		const root = fakeSysfs([{ base: 0, label: "pinctrl-bcm2835", ngpio: 54 }]);
		expect(() => findChip(root, "no-such-chip")).toThrow(/found: pinctrl-bcm2835/);
	});
});
