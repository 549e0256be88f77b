/**
 * Small node state that must survive a reboot (ticket counters, the request awaiting the hub's
 * answer): one JSON file replaced atomically — temp file, fsync, rename, fsync the folder.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { join } from "node:path";

export class StateFile<T extends object> {
	private readonly file: string;
	private value: T;

	constructor(
		private readonly dir: string,
		name: string,
		initial: T,
	) {
		mkdirSync(dir, { recursive: true });
		this.file = join(dir, name);
		this.value = initial;
		try {
			this.value = { ...initial, ...(JSON.parse(readFileSync(this.file, "utf8")) as Partial<T>) };
		} catch {
			// No file yet (or an unreadable one, which the next write replaces).
		}
	}

	get(): T {
		return this.value;
	}

	set(value: T): void {
		const tmp = `${this.file}.tmp`;
		const fd = openSync(tmp, "w");
		try {
			writeSync(fd, JSON.stringify(value));
			fsyncSync(fd);
		} finally {
			closeSync(fd);
		}
		renameSync(tmp, this.file);
		const d = openSync(this.dir, "r");
		try {
			fsyncSync(d);
		} finally {
			closeSync(d);
		}
		this.value = value;
	}
}
