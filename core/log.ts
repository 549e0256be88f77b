/**
 * The logger every part takes: pino's shape, so pino fits, and so does a silent stub or a test's
 * recorder. One interface for the hub, the broker and the edge.
 */
export interface LogFn {
	(obj: object, msg?: string): void;
	(msg: string): void;
}

export interface Log {
	error: LogFn;
	warn: LogFn;
	info: LogFn;
	debug: LogFn;
}

const noop: LogFn = () => {};

/** A logger that writes nothing. */
export const silentLog: Log = { error: noop, warn: noop, info: noop, debug: noop };
