import { describe, expect, it } from "vitest";
import { mosquittoAcl, mosquittoHash, mosquittoPasswd, mosquittoUsername } from "../../broker/mosquitto.ts";
import type { DeviceRecord } from "../../broker/registry.ts";

const record = (r: Partial<DeviceRecord> & Pick<DeviceRecord, "username" | "kind">): DeviceRecord => ({
	hash: "scrypt$…",
	created: "2026-12-01T00:00:00.000Z",
	...r,
});

const RECORDS: DeviceRecord[] = [
	record({ username: "demo/win-01", kind: "node", centre: "demo", node: "win-01" }),
	record({ username: "demo/door-1", kind: "node", centre: "demo", node: "door-1" }),
	record({ username: "demo/gone", kind: "node", centre: "demo", node: "gone" }),
	record({ username: "demo/old", kind: "node", centre: "demo", node: "old", revoked: "2026-12-02T00:00:00.000Z" }),
	record({ username: "service:hub", kind: "service", name: "hub" }),
	record({ username: "service:kyiv-board", kind: "service", name: "kyiv-board", centre: "kyiv" }),
];
const NOW = new Date("2026-12-05T00:00:00.000Z");

/** The lines of one user's block. */
function block(text: string, user: string): string[] {
	const found = text.split("\n\n").find((b) => b.startsWith(`user ${user}\n`));
	return found ? found.trim().split("\n").slice(1) : [];
}

describe("mosquitto's ACL from the device registry", () => {
	const roles: Record<string, "window" | "door"> = { "win-01": "window", "door-1": "door" };
	const { text, skipped } = mosquittoAcl(RECORDS, {
		source: "/data/devices.json",
		now: NOW,
		role: (centre, node) => (centre === "demo" ? roles[node] : undefined),
	});

	it("lets a node publish only the kinds of its role on its own topics, and read its commands and $hub/live", () => {
		expect(block(text, "demo/win-01")).toEqual([
			"topic write vikno/v1/demo/win-01/rating",
			"topic write vikno/v1/demo/win-01/queue",
			"topic write vikno/v1/demo/win-01/status",
			"topic write vikno/v1/demo/win-01/request",
			"topic read vikno/v1/demo/win-01/cmd/#",
			"topic read vikno/v1/demo/$hub/live",
		]);
		expect(block(text, "demo/door-1").filter((l) => l.startsWith("topic write"))).toEqual([
			"topic write vikno/v1/demo/door-1/occupancy",
			"topic write vikno/v1/demo/door-1/status",
		]);
	});

	it("leaves out revoked credentials and nodes the centre files do not know, and says so", () => {
		expect(block(text, "demo/old")).toEqual([]);
		expect(block(text, "demo/gone")).toEqual([]);
		expect(skipped).toEqual(["demo/gone"]);
		expect(text).toContain("# left out, not in the centre files: demo/gone");
	});

	it("lets a service account read everything (or its centre) and write commands and $hub state", () => {
		expect(block(text, "service.hub")).toEqual([
			"topic read vikno/v1/#",
			"topic read $SYS/#",
			"topic write vikno/v1/+/$hub/#",
			"topic write vikno/v1/+/+/cmd/#",
		]);
		expect(block(text, "service.kyiv-board")).toEqual([
			"topic read vikno/v1/kyiv/#",
			"topic read $SYS/#",
			"topic write vikno/v1/kyiv/$hub/#",
			"topic write vikno/v1/kyiv/+/cmd/#",
		]);
	});

	it("without centre files lets a node publish any kind, on its own topics only", () => {
		const all = mosquittoAcl(RECORDS, { source: "x", now: NOW });
		expect(block(all.text, "demo/gone")[0]).toBe("topic write vikno/v1/demo/gone/+");
		expect(all.skipped).toEqual([]);
	});
});

describe("mosquitto's password file", () => {
	it("spells a service account without ':', which mosquitto's file cannot hold in a name", () => {
		expect(mosquittoUsername("service:hub")).toBe("service.hub");
		expect(mosquittoUsername("demo/win-01")).toBe("demo/win-01");
	});

	it("writes mosquitto 2's PBKDF2-SHA512 entries ($7$iterations$salt$hash)", () => {
		// Known answer: PBKDF2-HMAC-SHA512("secret", 12 zero bytes, 101 iterations, 64 bytes),
		// as Python's hashlib.pbkdf2_hmac computes it.
		const salt = Buffer.alloc(12);
		expect(mosquittoHash("secret", 101, salt)).toBe(
			"$7$101$AAAAAAAAAAAAAAAA$GKi4qDyk9y4EWmYPwoG2Z68xDS4geZItBOL+r9OzoRFUOftyza0bBNYPi42rbBMws2OTLsfxYvabe/4weVE1LQ==",
		);
		const line = mosquittoPasswd([{ username: "service:hub", password: "pw" }]);
		expect(line).toMatch(/^service\.hub:\$7\$101\$[A-Za-z0-9+/]{16}\$[A-Za-z0-9+/]{86}==\n$/);
	});
});
