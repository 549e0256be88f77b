import { describe, expect, it } from "vitest";
import { defaultClientId, externalSettings } from "../../cli/externalOptions.ts";

const data = "/var/lib/vikno";

describe("vikno hub --broker options", () => {
	it("is the embedded broker without --broker or VIKNO_BROKER", () => {
		expect(externalSettings({ data }, {}, {})).toBeUndefined();
		expect(() => externalSettings({ data, "share-group": "g" }, { "share-group": "g" }, {})).toThrow(
			"--share-group goes with --broker URL",
		);
	});

	it("takes the URL, the account and its password from options or the environment, with defaults", () => {
		const env = {
			VIKNO_BROKER: "mqtts://broker.example:8883",
			VIKNO_BROKER_USERNAME: "service.hub",
			VIKNO_BROKER_PASSWORD: "pw",
		};
		expect(externalSettings({ data }, {}, env)).toEqual({
			url: "mqtts://broker.example:8883",
			username: "service.hub",
			password: "pw",
			clientId: defaultClientId(data),
			group: "vikno-ingest",
			connections: 4,
		});
		const v = { data, broker: "mqtt://127.0.0.1:1883", "broker-client-id": "hub-a", "broker-connections": "2" };
		expect(externalSettings(v, v, {})).toMatchObject({ clientId: "hub-a", connections: 2 });
	});

	it("keeps one client id per data dir: the same on every start, another for another process", () => {
		expect(defaultClientId(data)).toBe(defaultClientId(`${data}/`));
		expect(defaultClientId(data)).not.toBe(defaultClientId("/var/lib/vikno-2"));
	});

	it.each([
		[{ broker: "http://x" }, "--broker must be mqtt://HOST:PORT or mqtts://HOST:PORT"],
		[{ broker: "mqtt://x:1", "mqtt-port": "1883" }, "--mqtt-port is an option of the hub's own broker"],
		[{ broker: "mqtt://x:1", "allow-anonymous": true }, "--allow-anonymous is an option of the hub's own broker"],
		[{ broker: "mqtt://x:1", "tls-cert": "c" }, "--tls-cert is an option of the hub's own broker"],
		[{ broker: "mqtt://x:1", "broker-ca": "ca.pem" }, "--broker-ca goes with an mqtts:// broker"],
		[{ broker: "mqtt://x:1", "share-group": "Bad Group" }, "--share-group must match"],
		[{ broker: "mqtt://x:1", "broker-connections": "0" }, "--broker-connections must be 1..256"],
	] as const)("refuses %o", (given, message) => {
		expect(() => externalSettings({ data, ...given }, given, {})).toThrow(message);
	});

	it("refuses a password without a user name", () => {
		expect(() => externalSettings({ data, broker: "mqtt://x:1" }, {}, { VIKNO_BROKER_PASSWORD: "pw" })).toThrow(
			"a broker password needs --broker-username",
		);
	});
});
