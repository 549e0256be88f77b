/**
 * The gpiod driver at its boundary: the command lines it runs and the text Debian's gpiod tools
 * print (libgpiod 1.6 and 2.x), with stand-ins for the tools over a pretend world. The shared
 * driver contract runs in edge-drivers.test.ts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { DriverConfig } from "../../edge/config.ts";
import { createGpiodDriver, type GpiodError } from "../../edge/drivers/gpiod.ts";
import {
	parseChips,
	parseGeneration,
	parseLevels,
	parseMonitorLine,
	selectChip,
} from "../../edge/drivers/gpiod-tools.ts";
import { createDriver } from "../../edge/drivers/index.ts";
import { FakeGpiod } from "../fixtures/fakeGpiod.ts";

const tmp = mkdtempSync(join(tmpdir(), "vikno-gpiod-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const eventually = <T>(read: () => T) => expect.poll(read, { timeout: 5_000, interval: 10 });
const button = (name: string, pin: number, pull: "up" | "down" | "none" = "up") => ({
	name,
	pin,
	activeLow: pull === "up",
	pull,
});

describe("gpiod tool output", () => {
	it.each([
		["event:  RISING EDGE offset: 17 timestamp: [    1234.567890123]", { offset: 17, high: true }],
		["event: FALLING EDGE offset: 5 timestamp: [1700000000.000000001]", { offset: 5, high: false }],
		["1234.567890123\trising\tgpiochip0 17", { offset: 17, high: true }],
		['1234.567890123\tfalling\tgpiochip4 22 "GPIO22"', { offset: 22, high: false }],
		["Monitoring line '17'...", undefined],
		["", undefined],
	])("reads a gpiomon line %j", (line, event) => {
		expect(parseMonitorLine(line)).toEqual(event);
	});

	it("reads gpiodetect, gpioget and --version", () => {
		const chips = parseChips("gpiochip0 [pinctrl-bcm2711] (58 lines)\ngpiochip1 [raspberrypi-exp-gpio] (8 lines)\n");
		expect(chips).toEqual([
			{ name: "gpiochip0", label: "pinctrl-bcm2711", lines: 58 },
			{ name: "gpiochip1", label: "raspberrypi-exp-gpio", lines: 8 },
		]);
		expect(parseLevels("1 0 1\n", 3)).toEqual([true, false, true]);
		expect(parseLevels('"5"=active "6"=inactive\n', 2)).toEqual([true, false]);
		expect(() => parseLevels("1\n", 2)).toThrow(/1 values for 2 lines/);
		expect(parseGeneration("gpiodetect (libgpiod) v1.6.3\nCopyright (C) 2017-2018")).toBe(1);
		expect(parseGeneration("gpiodetect (libgpiod) v2.1.3\n")).toBe(2);
		expect(() => parseGeneration("bash: gpiodetect: command not found")).toThrow(/libgpiod version/);
	});

	it("selects the SoC's pin controller, or the chip with the configured label", () => {
		const pi5 = parseChips("gpiochip0 [gpio-brcmstb@107d508500] (32 lines)\ngpiochip4 [pinctrl-rp1] (54 lines)\n");
		expect(selectChip(pi5).name).toBe("gpiochip4");
		expect(selectChip(pi5, "gpio-brcmstb@107d508500").name).toBe("gpiochip0");
		expect(() => selectChip(pi5, "pinctrl-bcm2711")).toThrow(
			/no GPIO chip labelled "pinctrl-bcm2711"; gpiodetect found: gpiochip0 \[gpio-brcmstb@107d508500\], gpiochip4 \[pinctrl-rp1\]/,
		);
		expect(() => selectChip([])).toThrow(/found no GPIO chip/);
	});
});

describe.each(["1.6.3", "2.1.0"])("gpiod driver with libgpiod %s", (version) => {
	it("watches the inputs with one gpiomon per bias and reports a button already held at start", async () => {
		const world = new FakeGpiod(tmp, { version });
		world.setInput(6, false); // held down before the node starts
		const driver = await createGpiodDriver({ toolsDir: world.toolsDir });
		const seen: string[] = [];
		driver.input(button("r1", 5), (a) => seen.push(`r1 ${a}`));
		driver.input(button("r2", 6), (a) => seen.push(`r2 ${a}`));
		driver.input(button("beam", 24, "none"), (a) => seen.push(`beam ${a}`));
		await eventually(() => seen).toEqual(["r2 true"]);
		await world.drive(5, false);
		await world.drive(24, true);
		// Two gpiomon processes: no order between their lines.
		await eventually(() => [...seen].sort()).toEqual(["beam true", "r1 true", "r2 true"]);

		const monitors = world.calls("gpiomon").map((c) => c.args);
		expect(monitors).toHaveLength(2);
		const [pulled, plain] = version.startsWith("1")
			? [
					["-b", "--bias=pull-up", "gpiochip0", "5", "6"],
					["-b", "--bias=disable", "gpiochip0", "24"],
				]
			: [
					["--bias=pull-up", "-c", "gpiochip0", "5", "6"],
					["--bias=disabled", "-c", "gpiochip0", "24"],
				];
		expect(monitors).toContainEqual(pulled);
		expect(monitors).toContainEqual(plain);
		await driver.close();
		expect(world.monitor(5)).toBeUndefined();
	});

	it("holds each output with its own gpioset, replaces it on change and releases it on close", async () => {
		const world = new FakeGpiod(tmp, { version });
		const errors: GpiodError[] = [];
		const driver = await createGpiodDriver({ toolsDir: world.toolsDir }, { onError: (e) => errors.push(e) });
		const led = driver.output({ name: "thanks", pin: 12, activeLow: false });
		await eventually(() => world.output(12)).toBe(false);
		led.set(true);
		await eventually(() => world.output(12)).toBe(true);
		led.set(false);
		await eventually(() => world.output(12)).toBe(false);
		// A burst ends on its last value; each gpioset starts after the previous one let go of the
		// line (the tools refuse a busy line, which would be reported).
		led.set(true);
		led.set(false);
		led.set(true);
		await eventually(() => world.calls("gpioset").at(-1)?.args.at(-1)).toBe("12=1");
		await eventually(() => world.output(12)).toBe(true);
		expect(
			world
				.calls("gpioset")
				.map((c) => c.args.at(-1))
				.slice(0, 3),
		).toEqual(["12=0", "12=1", "12=0"]);
		expect(errors).toEqual([]);
		if (version.startsWith("1")) expect(world.calls("gpioset")[0]?.args).toContain("--mode=wait");
		await driver.close();
		expect(world.output(12)).toBeUndefined();
		await driver.close(); // idempotent
	});

	it("says which tool died and why, and starts gpiomon again", async () => {
		const world = new FakeGpiod(tmp, { version });
		const errors: GpiodError[] = [];
		const driver = await createGpiodDriver(
			{ toolsDir: world.toolsDir },
			{ onError: (e) => errors.push(e), restartMs: 50 },
		);
		const seen: boolean[] = [];
		driver.input(button("r1", 5), (a) => seen.push(a));
		await eventually(() => world.monitor(5)).toBeDefined();
		const pid = world.monitor(5)?.pid as number;
		process.kill(pid, "SIGKILL");
		await eventually(() => errors.map((e) => e.message)).toEqual([
			"gpiomon was killed by SIGKILL (watching gpiochip0 lines 5)",
		]);
		expect(errors[0]?.code).toBe("EDGE_GPIOD");
		await eventually(() => world.monitor(5)?.pid ?? pid).not.toBe(pid);
		await world.drive(5, false);
		await eventually(() => seen).toEqual([true]);

		world.fail("gpioset", "error setting the GPIO line values: Device or resource busy");
		driver.output({ name: "thanks", pin: 12, activeLow: false });
		await eventually(() => errors.at(-1)?.message).toBe(
			"gpioset exited with code 1: gpioset: error setting the GPIO line values: Device or resource busy (driving gpiochip0 line 12)",
		);
		await driver.close();
	});

	it("stops with an actionable message when the tools or the chip are missing", async () => {
		const world = new FakeGpiod(tmp, { version });
		await expect(createGpiodDriver({ toolsDir: join(tmp, "nowhere") })).rejects.toThrow(
			"gpiodetect not found: install Debian's gpiod tools (sudo apt-get install gpiod)",
		);
		await expect(createGpiodDriver({ toolsDir: world.toolsDir, chipLabel: "pinctrl-rp1" })).rejects.toThrow(
			/no GPIO chip labelled "pinctrl-rp1"; gpiodetect found: gpiochip0 \[pinctrl-bcm2711\]/,
		);
		const driver = await createGpiodDriver({ toolsDir: world.toolsDir });
		expect(() => driver.input(button("r1", 58), () => {})).toThrow(/pin "58" is not a line of gpiochip0 \(0…57\)/);
		await driver.close();
	});
});

describe("gpiod driver: the chip", () => {
	it("drives the lines of the chip found by label (a Raspberry Pi 5)", async () => {
		const world = new FakeGpiod(tmp, {
			chips: [
				{ name: "gpiochip0", label: "gpio-brcmstb@107d508500", lines: 32 },
				{ name: "gpiochip4", label: "pinctrl-rp1", lines: 54 },
			],
			chip: "gpiochip4",
		});
		const driver = await createGpiodDriver({ toolsDir: world.toolsDir });
		expect(driver.chip).toEqual({ name: "gpiochip4", label: "pinctrl-rp1", lines: 54 });
		driver.output({ name: "buzzer", pin: 18, activeLow: false }).set(true);
		await eventually(() => world.output(18)).toBe(true);
		expect(world.calls("gpioset").at(-1)?.args).toEqual(["--mode=wait", "gpiochip4", "18=1"]);
		await driver.close();
	});
});

describe("choosing the driver", () => {
	const base: DriverConfig = { type: "gpiod", debounceMs: 30, sysfsRoot: "/sys/class/gpio", stdio: false };

	it("runs gpiod when the config names it, and instead of onoff when the kernel has no sysfs GPIO", async () => {
		const world = new FakeGpiod(tmp);
		const named = await createDriver({ ...base, toolsDir: world.toolsDir });
		expect(named.kind).toBe("gpiod");
		await named.close();
		const fallback = await createDriver({
			...base,
			type: "onoff",
			sysfsRoot: join(tmp, "no-sysfs"),
			toolsDir: world.toolsDir,
		});
		expect(fallback.kind).toBe("gpiod");
		await fallback.close();
	});

	it("names both ways out when neither sysfs GPIO nor the gpiod tools are there", async () => {
		await expect(
			createDriver({ ...base, type: "onoff", sysfsRoot: join(tmp, "no-sysfs"), toolsDir: join(tmp, "nowhere") }),
		).rejects.toThrow(/no sysfs GPIO[\s\S]*gpiod fallback failed too: gpiodetect not found/);
	});
});
