import { describe, expect, it } from "vitest";
import { clientAddress, TrustProxyError, trustProxy } from "../../server/trustProxy.ts";

describe("trustProxy", () => {
	const trusted = trustProxy(["127.0.0.1", "10.0.0.0/8,fd00::/8"]);

	it.each([
		["127.0.0.1", true],
		["::ffff:127.0.0.1", true],
		["127.0.0.2", false],
		["10.20.30.40", true],
		["11.0.0.1", false],
		["fd00::1", true],
		["::1", false],
		["not-an-address", false],
	])("%s is trusted: %s", (address, yes) => {
		expect(trusted(address)).toBe(yes);
	});

	it.each(["localhost", "10.0.0.0/33", "10.0.0.0/x", "1.2.3.4/8/1", "::1/129"])("refuses %s", (entry) => {
		expect(() => trustProxy([entry])).toThrow(TrustProxyError);
	});
});

describe("clientAddress", () => {
	const trusted = trustProxy(["127.0.0.1", "10.0.0.5"]);
	it.each([
		["a client straight in: its own address, whatever it claims", "203.0.113.7", "198.51.100.1", "203.0.113.7"],
		["through the proxy: the address the proxy appended", "127.0.0.1", "198.51.100.1", "198.51.100.1"],
		[
			"a forged header through the proxy: the proxy's own entry wins",
			"127.0.0.1",
			"6.6.6.6, 198.51.100.1",
			"198.51.100.1",
		],
		["two trusted proxies in a row", "127.0.0.1", "198.51.100.1, 10.0.0.5", "198.51.100.1"],
		["through the proxy without a header", "127.0.0.1", undefined, "127.0.0.1"],
		["a dual-stack peer", "::ffff:127.0.0.1", "198.51.100.9", "198.51.100.9"],
		["a header entry that is not an address stops the walk", "127.0.0.1", "garbage", "127.0.0.1"],
	])("%s", (_name, peer, xff, client) => {
		expect(clientAddress(peer, xff, trusted)).toBe(client);
	});

	it("reads several headers as one list", () => {
		expect(clientAddress("127.0.0.1", ["198.51.100.1", "10.0.0.5"], trusted)).toBe("198.51.100.1");
	});
});
