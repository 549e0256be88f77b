/** The hub's logger: pino, in the shape every part takes (core/log.ts). */
import pino from "pino";
import type { Log } from "../core/log.ts";

export function createLogger(level = process.env.VIKNO_LOG_LEVEL ?? "info"): Log {
	return pino({ level, base: undefined });
}
