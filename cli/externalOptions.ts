/**
 * `vikno hub --broker URL`: the options of a hub on an external MQTT broker (docs/broker.md,
 * "An external broker"), and the embedded broker's options that then make no sense.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { resolve } from "node:path";
import { DEFAULT_SHARE_GROUP, type ExternalBrokerSettings } from "../broker/external.ts";
import { isId } from "../core/ids.ts";
import { BROKER_CLI_OPTIONS } from "./brokerOptions.ts";

export const EXTERNAL_CLI_OPTIONS = {
	broker: { type: "string" },
	"broker-username": { type: "string" },
	"broker-password-file": { type: "string" },
	"broker-ca": { type: "string" },
	"broker-client-id": { type: "string" },
	"share-group": { type: "string" },
	"broker-connections": { type: "string" },
} as const;

export const EXTERNAL_CLI_HELP = `External broker (the country: mosquitto, EMQX, VerneMQ; docs/broker.md):
  --broker URL            mqtt://HOST:PORT or mqtts://HOST:PORT (env VIKNO_BROKER): no broker of
                          its own; ingest subscribes there with a persistent MQTT 5 session and
                          acknowledges each message after the store commits
  --broker-username NAME  the hub's service account there (env VIKNO_BROKER_USERNAME)
  --broker-password-file FILE   its password (else env VIKNO_BROKER_PASSWORD)
  --broker-ca FILE        CA certificate (PEM) of an mqtts:// broker (env VIKNO_BROKER_CA)
  --broker-client-id ID   MQTT client id, stable across restarts (default vikno-hub-HOST-<hash of
                          the data dir>); each process of a deployment needs its own
  --share-group NAME      shared subscription group of all ingest processes (default ${DEFAULT_SHARE_GROUP})
  --broker-connections N  connections of this process in the group, 1..256 (default 4; each brings
                          to a store commit what the broker lets it have in flight, mosquitto 20:
                          16 for 10 000 events a second)`;

type Values = { [K in keyof typeof EXTERNAL_CLI_OPTIONS]?: string | undefined } & { data: string };

/** The embedded broker's options: refused with --broker, which has no broker of its own. */
export const EMBEDDED_ONLY = ["mqtt-port", "allow-anonymous", ...Object.keys(BROKER_CLI_OPTIONS)] as const;

/**
 * The external broker's settings, or undefined without --broker. Throws Error with a message for
 * the user on a bad value; `env` is the environment (process.env).
 */
export function externalSettings(
	v: Values,
	given: Record<string, unknown>,
	env: NodeJS.ProcessEnv,
): ExternalBrokerSettings | undefined {
	const url = v.broker ?? env.VIKNO_BROKER;
	if (url === undefined) {
		const stray = Object.keys(EXTERNAL_CLI_OPTIONS).find((k) => k !== "broker" && given[k] !== undefined);
		if (stray) throw new Error(`--${stray} goes with --broker URL`);
		return undefined;
	}
	if (!/^mqtts?:\/\/[^/]+/.test(url))
		throw new Error(`--broker must be mqtt://HOST:PORT or mqtts://HOST:PORT, got "${url}"`);
	const embedded = EMBEDDED_ONLY.find((k) => given[k] !== undefined && given[k] !== false);
	if (embedded)
		throw new Error(`--${embedded} is an option of the hub's own broker; with --broker the external broker has it`);
	const ca = v["broker-ca"] ?? env.VIKNO_BROKER_CA;
	if (ca && !url.startsWith("mqtts://")) throw new Error("--broker-ca goes with an mqtts:// broker");
	const passwordFile = v["broker-password-file"];
	const password = passwordFile ? readFileSync(passwordFile, "utf8").trim() : env.VIKNO_BROKER_PASSWORD;
	const username = v["broker-username"] ?? env.VIKNO_BROKER_USERNAME;
	if (password !== undefined && username === undefined)
		throw new Error("a broker password needs --broker-username (or VIKNO_BROKER_USERNAME)");
	const group = v["share-group"] ?? DEFAULT_SHARE_GROUP;
	if (!isId(group)) throw new Error(`--share-group must match [a-z0-9][a-z0-9-]{0,31}, got "${group}"`);
	const n = v["broker-connections"] === undefined ? 4 : Number(v["broker-connections"]);
	if (!Number.isInteger(n) || n < 1 || n > 256)
		throw new Error(`--broker-connections must be 1..256, got "${v["broker-connections"]}"`);
	return {
		url,
		...(username !== undefined ? { username } : {}),
		...(password !== undefined ? { password } : {}),
		...(ca ? { caFile: ca } : {}),
		clientId: v["broker-client-id"] ?? defaultClientId(v.data),
		group,
		connections: n,
	};
}

/**
 * The same on every start of this process (the broker finds its session by it) and different for
 * each process on a machine, as each has a data dir of its own (its spool).
 */
export function defaultClientId(dataDir: string): string {
	const dir = createHash("sha256").update(resolve(dataDir)).digest("hex").slice(0, 8);
	return `vikno-hub-${hostname()}-${dir}`;
}
