import { parseArgs } from "node:util";
import { describe, expect, it } from "vitest";
import { resolveLimits } from "../../broker/broker.ts";
import { BROKER_CLI_OPTIONS, brokerSettings } from "../../cli/brokerOptions.ts";

/** The broker options of `vikno hub` / `vikno demo` as their parser reads them. */
function settings(...args: string[]) {
	const { values } = parseArgs({ args, options: BROKER_CLI_OPTIONS, strict: true, allowPositionals: false });
	return brokerSettings({ "mqtt-sessions": "memory", ...values }, "/tmp/vikno-data");
}

describe("keep-alive options", () => {
	it("leave today's bounds by default: 1..3600 s, keep-alive 0 refused", () => {
		const s = settings();
		expect(s.limits).toBeUndefined();
		expect(resolveLimits(s.limits)).toMatchObject({ maxKeepaliveS: 3600, allowKeepaliveZero: false });
	});

	it("--max-keepalive N sets the longest keep-alive", () => {
		expect(settings("--max-keepalive", "120").limits).toEqual({ maxKeepaliveS: 120 });
		expect(settings("--max-keepalive", "65535").limits).toEqual({ maxKeepaliveS: 65535 });
	});

	it("--allow-keepalive-zero accepts keep-alive 0, alone or with a maximum", () => {
		expect(settings("--allow-keepalive-zero").limits).toEqual({ allowKeepaliveZero: true });
		expect(resolveLimits(settings("--allow-keepalive-zero").limits)).toMatchObject({
			maxKeepaliveS: 3600,
			allowKeepaliveZero: true,
		});
		expect(settings("--allow-keepalive-zero", "--max-keepalive", "60").limits).toEqual({
			maxKeepaliveS: 60,
			allowKeepaliveZero: true,
		});
	});

	it.each(["0", "-1", "65536", "1.5", "1e3", "", "ten"])("refuses --max-keepalive %j with a message", (value) => {
		expect(() => settings(`--max-keepalive=${value}`)).toThrow(
			/--max-keepalive must be a number of seconds 1\.\.65535/,
		);
	});

	it("--allow-keepalive-zero takes no value", () => {
		expect(() => settings("--allow-keepalive-zero=yes")).toThrow();
	});
});

describe("--max-connections", () => {
	it("keeps the default cap of 10 000 unless given, and sets it with the other limits", () => {
		expect(resolveLimits(settings().limits).connections.maxConnections).toBe(10_000);
		const s = settings("--max-connections", "16000", "--max-keepalive", "120");
		expect(s.limits).toEqual({ maxKeepaliveS: 120, connections: { maxConnections: 16_000 } });
		// The other connection limits keep their defaults.
		expect(resolveLimits(s.limits).connections).toMatchObject({ maxConnections: 16_000, maxPerAddress: 256 });
	});

	it.each(["0", "-5", "1.5", "", "many"])("refuses --max-connections %j with a message", (value) => {
		expect(() => settings(`--max-connections=${value}`)).toThrow(/--max-connections must be a whole number/);
	});
});
