/** A process's memory and CPU as Linux's /proc tells them. */
import { readFileSync } from "node:fs";

/** Resident set size, bytes. */
export function rssBytes(pid: number): number {
	const m = readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmRSS:\s+(\d+) kB/m);
	return m ? Number(m[1]) * 1024 : 0;
}

/** CPU time so far, ms (utime + stime of /proc/PID/stat, in clock ticks of 10 ms); 0 once it is gone. */
export function cpuMs(pid: number): number {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
		const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
		return (Number(fields[11]) + Number(fields[12])) * 10;
	} catch {
		return 0;
	}
}

/** The kernel's count of connections dropped because a listen queue was full (TcpExt ListenOverflows). */
export function listenOverflows(): number {
	try {
		const lines = readFileSync("/proc/net/netstat", "utf8").split("\n");
		const names = lines.find((l) => l.startsWith("TcpExt:"))?.split(/\s+/) ?? [];
		const values = lines.filter((l) => l.startsWith("TcpExt:"))[1]?.split(/\s+/) ?? [];
		const i = names.indexOf("ListenOverflows");
		return i > 0 ? Number(values[i]) : Number.NaN;
	} catch {
		return Number.NaN;
	}
}
