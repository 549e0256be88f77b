/**
 * Known answers for the InfluxDB point time (store/points.ts). A point's time is its key: if the
 * id → offset mapping changed between versions, an event resent after an upgrade would become a
 * second point instead of overwriting itself. The expected values were computed apart from this
 * code, from the FNV-1a definition; the bare hashes are the published FNV-1a 32-bit test vectors.
 */
import { describe, expect, it } from "vitest";
import { fnv1a32, idOffsetNs, pointTimeNs } from "../../store/points.ts";

describe("fnv1a32", () => {
	it.each([
		["", 0x811c9dc5],
		["a", 0xe40c292c],
		["b", 0xe70c2de5],
		["f", 0xe30c2799],
		["fo", 0x6222e842],
		["foo", 0xa9f37ed7],
		["foobar", 0xbf9cf968],
	])("fnv1a32(%j) = %i", (text, hash) => {
		expect(fnv1a32(text)).toBe(hash);
	});
});

describe("the id → offset → point time mapping, fixed across versions", () => {
	const TS = 1_793_606_400_000; // 2026-11-02T08:00:00Z
	it.each([
		// id (as events carry them: UUIDv7, ULID, test ids), FNV-1a 32, offset in ns
		["019ab3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b", 0x057eb32e, 189_486],
		["0190a5c4-8f3e-7a2b-9c1d-3e4f5a6b7c8d", 0x8655f8fd, 781_245],
		["01J0000000000000000000000A", 0xf65607a3, 833_187],
		["issued-a017", 0x0476e18a, 899_850],
		["ev-1", 0xc35205c4, 932_548],
	])("%s", (id, hash, offset) => {
		expect(fnv1a32(id)).toBe(hash);
		expect(idOffsetNs(id)).toBe(offset);
		expect(pointTimeNs(TS, id)).toBe(`${TS}${String(offset).padStart(6, "0")}`);
	});

	it("writes the offset as six digits after the milliseconds, and counts from zero and before it too", () => {
		expect(pointTimeNs(TS, "019ab3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b")).toBe("1793606400000189486");
		expect(pointTimeNs(0, "01J0000000000000000000000A")).toBe("833187");
		expect(pointTimeNs(-1, "01J0000000000000000000000A")).toBe("-166813");
	});
});
