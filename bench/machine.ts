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

/** The cores' time since boot from /proc/stat (USER_HZ ticks): all of it, and what the hypervisor took. */
export interface CpuTimes {
	total: number;
	steal: number;
}

/** /proc/stat's first line (proc(5)); undefined where there is none (not Linux). */
export function readCpuTimes(): CpuTimes | undefined {
	try {
		const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0] ?? "";
		const ticks = line.trim().split(/\s+/).slice(1).map(Number);
		// user nice system idle iowait irq softirq steal guest guest_nice: guest time is inside user.
		const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
		const steal = ticks[7] ?? 0;
		return Number.isFinite(total) && total > 0 ? { total, steal } : undefined;
	} catch {
		return undefined;
	}
}

/**
 * The share of the cores' time the hypervisor gave to other machines between two readings, %, one
 * decimal: a virtual machine's figures drop by it without any process here being busier.
 */
export function stolenPct(from: CpuTimes | undefined, to: CpuTimes | undefined): number | undefined {
	if (!from || !to || to.total <= from.total) return undefined;
	return Math.round(((to.steal - from.steal) / (to.total - from.total)) * 1000) / 10;
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
