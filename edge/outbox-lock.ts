/** The outbox's lock file: one edge node per data directory. */
import { readFileSync, writeFileSync } from "node:fs";

/** One process per outbox: a second writer would interleave records. A lock of a dead process is taken over. */
export function takeLock(path: string): void {
	try {
		writeFileSync(path, String(process.pid), { flag: "wx" });
		return;
	} catch (e) {
		if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
	}
	const pid = Number(readFileSync(path, "utf8"));
	if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
		throw new Error(`outbox ${path} is in use by process ${pid}; one edge node per data directory`);
	}
	writeFileSync(path, String(process.pid));
}

function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (e) {
		return (e as NodeJS.ErrnoException).code === "EPERM";
	}
}
