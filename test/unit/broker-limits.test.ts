import { describe, expect, it } from "vitest";
import { ConnectionLimiter, isLoopbackHost } from "../../broker/limits.ts";

const limits = { maxConnections: 5, maxPerAddress: 3, attemptsPerSecond: 2, attemptsBurst: 4, exempt: ["127.0.0.1"] };

describe("ConnectionLimiter", () => {
	it("caps connections per address and in total", () => {
		const l = new ConnectionLimiter(limits);
		const verdicts = Array.from({ length: 4 }, () => l.admit("192.0.2.1", 0));
		expect(verdicts.map((v) => (v.ok ? "ok" : v.reason))).toEqual(["ok", "ok", "ok", "too_many_from_address"]);
		expect(l.admit("192.0.2.2", 0).ok).toBe(true);
		expect(l.admit("192.0.2.3", 0).ok).toBe(true);
		expect(l.admit("192.0.2.4", 0)).toEqual({ ok: false, reason: "too_many_connections" });
		l.release("192.0.2.1");
		expect(l.admit("192.0.2.4", 0).ok).toBe(true);
	});

	it("limits attempts per second per address with a burst, and refills", () => {
		const l = new ConnectionLimiter({ ...limits, maxPerAddress: 100, maxConnections: 100 });
		const at = (t: number) => {
			const v = l.admit("192.0.2.1", t);
			if (v.ok) l.release("192.0.2.1");
			return v.ok ? "ok" : v.reason;
		};
		expect([at(0), at(0), at(0), at(0), at(0)]).toEqual(["ok", "ok", "ok", "ok", "rate_limited"]);
		expect(at(400)).toBe("rate_limited");
		expect(at(500)).toBe("ok");
		expect(at(3000)).toBe("ok");
	});

	it("exempts listed addresses from the per-address rules, not from the total", () => {
		const l = new ConnectionLimiter(limits);
		const verdicts = Array.from({ length: 6 }, () => l.admit("127.0.0.1", 0));
		expect(verdicts.filter((v) => v.ok)).toHaveLength(5);
		expect(verdicts[5]).toEqual({ ok: false, reason: "too_many_connections" });
	});

	it("tells loopback hosts", () => {
		expect(["127.0.0.1", "127.1.2.3", "::1", "localhost"].every(isLoopbackHost)).toBe(true);
		expect(["0.0.0.0", "::", "198.51.100.10", "192.0.2.1"].some(isLoopbackHost)).toBe(false);
	});
});
