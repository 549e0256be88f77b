import { describe, expect, it } from "vitest";
import { endOfLocalDay, localDay, startOfLocalDay } from "../../core/time.ts";

const KYIV = "Europe/Kyiv";

describe("local days in Europe/Kyiv", () => {
	it.each([
		// [UTC instant, local day]
		[Date.UTC(2026, 10, 23, 21, 59), "2026-11-23"], // 23:59 EET
		[Date.UTC(2026, 10, 23, 22, 0), "2026-11-24"], // 00:00 EET
		[Date.UTC(2026, 6, 1, 20, 59), "2026-07-01"], // 23:59 EEST
		[Date.UTC(2026, 6, 1, 21, 0), "2026-07-02"], // 00:00 EEST
	])("%i is local day %s", (ts, day) => {
		expect(localDay(ts, KYIV)).toBe(day);
	});

	it("has 23 hours on the spring change day and 25 on the autumn one", () => {
		const spring = Date.UTC(2026, 2, 29, 12); // 29 March 2026
		const autumn = Date.UTC(2026, 9, 25, 12); // 25 October 2026
		expect((endOfLocalDay(spring, KYIV) - startOfLocalDay(spring, KYIV)) / 3_600_000).toBe(23);
		expect((endOfLocalDay(autumn, KYIV) - startOfLocalDay(autumn, KYIV)) / 3_600_000).toBe(25);
		expect(startOfLocalDay(spring, KYIV)).toBe(Date.UTC(2026, 2, 28, 22));
	});

	it("gives the same answers in any order of lookups (the cache is invisible)", () => {
		const times = [Date.UTC(2026, 10, 23, 21, 59), Date.UTC(2026, 0, 1, 12), Date.UTC(2026, 10, 23, 22, 0)];
		const forward = times.map((t) => localDay(t, KYIV));
		const backward = [...times].reverse().map((t) => localDay(t, KYIV));
		expect(backward.reverse()).toEqual(forward);
		expect(localDay(Date.UTC(2026, 10, 23, 22, 0), "UTC")).toBe("2026-11-23");
	});
});
