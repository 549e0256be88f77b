/** The machine a benchmark ran on, as recorded beside its figures in docs/benchmarks.md. */
import { readFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, release, totalmem } from "node:os";

export interface Machine {
	cpu: string;
	cores: number;
	ramGb: number;
	os: string;
	node: string;
	/** One-minute load average when it was read: the cores are shared with other work. */
	load: number;
}

/** `PRETTY_NAME` of /etc/os-release (freedesktop.org's os-release(5)), else the platform. */
function osName(): string {
	try {
		const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync("/etc/os-release", "utf8"));
		if (m?.[1]) return m[1];
	} catch {
		// not Linux, or no os-release: the platform name below says enough
	}
	return process.platform;
}

/** The one-minute load average, two decimals. */
export const readLoad = () => Math.round((loadavg()[0] ?? 0) * 100) / 100;

export function readMachine(): Machine {
	return {
		cpu: cpus()[0]?.model.trim() ?? "unknown CPU",
		cores: availableParallelism(),
		ramGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
		os: process.platform === "linux" ? `${osName()}, Linux ${release()}` : `${osName()} ${release()}`,
		node: process.version,
		load: readLoad(),
	};
}

export function describeMachine(m: Machine): string {
	return `${m.cpu}, ${m.cores} cores, ${m.ramGb} GB RAM, ${m.os}, Node ${m.node}`;
}
