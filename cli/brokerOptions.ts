/**
 * Command-line options of the broker, shared by `vikno hub` and `vikno demo`
 * (docs/broker.md): TLS, client certificates, the session store, WebSocket path and keep-alive.
 */
import { join } from "node:path";
import type { BrokerSettings } from "../broker/broker.ts";
import type { PersistenceConfig } from "../broker/persistence.ts";

export const BROKER_CLI_OPTIONS = {
	"tls-port": { type: "string" },
	"tls-cert": { type: "string" },
	"tls-key": { type: "string" },
	"tls-ca": { type: "string" },
	"tls-client-certs": { type: "string" },
	"mqtt-sessions": { type: "string" },
	"ws-path": { type: "string" },
	"max-keepalive": { type: "string" },
	"allow-keepalive-zero": { type: "boolean" },
	"max-connections": { type: "string" },
	"max-connecting": { type: "string" },
} as const;

export const BROKER_CLI_HELP = `Broker options (hub and demo):
  --tls-cert FILE --tls-key FILE [--tls-port N] [--tls-ca FILE] [--tls-client-certs off|optional|required]
      MQTT over TLS (default port 8883)
  --mqtt-sessions level|memory|redis://HOST:PORT/DB   where sessions live (default level: DATA/mqtt-sessions)
  --ws-path PATH|off      MQTT over WebSocket on the HTTP port (default /mqtt)
  --max-keepalive N       longest keep-alive a client may ask for, 1..65535 s (default 3600)
  --allow-keepalive-zero  accept keep-alive 0 (none); refused by default: a device that loses power
                          would stay "connected" and its Will would never be sent
  --max-connections N     MQTT connections this process holds at most (default 10000); the process's
                          open-files limit (ulimit -n) must be higher (docs/broker.md, Several brokers)
  --max-connecting N      clients between CONNECT and CONNACK at once (default 1024); the others wait
                          their turn in arrival order, up to 5 s (docs/broker.md, Connecting in turns)`;

type Options = typeof BROKER_CLI_OPTIONS;
type Values = { [K in keyof Options]?: (Options[K]["type"] extends "boolean" ? boolean : string) | undefined };

/** Broker settings from parsed options; throws Error with a message for the user on bad values. */
export function brokerSettings(v: Values, dataDir: string): BrokerSettings {
	const settings: BrokerSettings = {};
	if (v["tls-cert"] || v["tls-key"]) {
		if (!v["tls-cert"] || !v["tls-key"]) throw new Error("--tls-cert and --tls-key go together");
		const clientCerts = v["tls-client-certs"] ?? "off";
		if (clientCerts !== "off" && clientCerts !== "optional" && clientCerts !== "required")
			throw new Error(`--tls-client-certs must be off, optional or required, got "${clientCerts}"`);
		const port = v["tls-port"] === undefined ? 8883 : Number(v["tls-port"]);
		if (!Number.isInteger(port) || port < 0 || port > 65535)
			throw new Error(`--tls-port must be a port number 0..65535, got "${v["tls-port"]}"`);
		settings.tls = {
			port,
			certFile: v["tls-cert"],
			keyFile: v["tls-key"],
			...(v["tls-ca"] ? { caFile: v["tls-ca"] } : {}),
			clientCerts,
		};
	} else if (v["tls-port"] || v["tls-ca"] || v["tls-client-certs"]) {
		throw new Error("TLS options need --tls-cert and --tls-key");
	}
	const sessions = v["mqtt-sessions"] ?? process.env.VIKNO_MQTT_SESSIONS ?? "level";
	settings.persistence = persistenceFrom(sessions, dataDir);
	if (v["ws-path"] !== undefined) {
		if (v["ws-path"] !== "off" && !v["ws-path"].startsWith("/"))
			throw new Error(`--ws-path must start with / (or be off), got "${v["ws-path"]}"`);
		settings.websocketPath = v["ws-path"] === "off" ? false : v["ws-path"];
	}
	const limits = keepaliveLimits(v) ?? {};
	const max = wholeNumber(v, "max-connections");
	if (max !== undefined) limits.connections = { maxConnections: max };
	const connecting = wholeNumber(v, "max-connecting");
	if (connecting !== undefined) limits.maxConnecting = connecting;
	if (Object.keys(limits).length > 0) settings.limits = limits;
	return settings;
}

/** A whole number ≥ 1 given as `--name`, or undefined when it is not given. */
function wholeNumber(v: Values, name: "max-connections" | "max-connecting"): number | undefined {
	const raw = v[name];
	if (raw === undefined) return undefined;
	const n = Number(raw);
	if (!/^\d+$/.test(raw) || n < 1) throw new Error(`--${name} must be a whole number ≥ 1, got "${raw}"`);
	return n;
}

/** Keep-alive bounds: a limit on its field (two bytes, §3.1.2.10) and whether 0 (none) is accepted. */
function keepaliveLimits(v: Values): BrokerSettings["limits"] {
	const max = v["max-keepalive"];
	if (max === undefined && !v["allow-keepalive-zero"]) return undefined;
	const limits: NonNullable<BrokerSettings["limits"]> = {};
	if (max !== undefined) {
		const n = Number(max);
		if (!/^\d+$/.test(max) || n < 1 || n > 65535)
			throw new Error(`--max-keepalive must be a number of seconds 1..65535, got "${max}"`);
		limits.maxKeepaliveS = n;
	}
	if (v["allow-keepalive-zero"]) limits.allowKeepaliveZero = true;
	return limits;
}

function persistenceFrom(value: string, dataDir: string): PersistenceConfig {
	if (value === "level") return { kind: "level", path: join(dataDir, "mqtt-sessions") };
	if (value === "memory") return { kind: "memory" };
	if (value.startsWith("redis://")) return { kind: "redis", url: value };
	throw new Error(`--mqtt-sessions must be level, memory or redis://HOST:PORT/DB, got "${value}"`);
}
