/** The logger the edge takes: pino's shape, so pino (or a silent stub in tests) fits. */
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
export const silentLog: Log = { error: noop, warn: noop, info: noop, debug: noop };
