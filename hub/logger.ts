/** The logger shape the hub needs (pino satisfies it; tests can pass a silent one). */
import pino from "pino";

export interface Logger {
	info(obj: object, msg?: string): void;
	warn(obj: object, msg?: string): void;
	error(obj: object, msg?: string): void;
	debug(obj: object, msg?: string): void;
}

export function createLogger(level = process.env.VIKNO_LOG_LEVEL ?? "info"): Logger {
	return pino({ level, base: undefined });
}

export const silentLogger: Logger = pino({ level: "silent" });
