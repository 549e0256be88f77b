import { describe, expect, it } from "vitest";
import { indexCentre } from "../../core/centre.ts";
import { deviceList } from "../../core/devices.ts";
import { apply, emptyLive } from "../../core/live.ts";
import { liveView } from "../../core/liveView.ts";
import { networkRow } from "../../dashboard/network.ts";
import { configCentre } from "../fixtures/centres.ts";
import { wireEvent } from "../fixtures/events.ts";

const index = indexCentre(configCentre("demo"));
const T = Date.parse("2026-12-02T09:00:00Z");
let n = 0;
const ev = (node: string, kind: "status" | "queue" | "occupancy" | "rating", data: Record<string, unknown>, ts = T) =>
	wireEvent(kind, "demo", node, { id: `e${++n}`, ts, ...data });

function hall() {
	let s = emptyLive(index, "2026-12-02");
	for (const e of [
		ev("win-01", "status", { online: true, version: "1.2.0", uptimeS: 60, buffered: 3, cpuTempC: 51.5 }),
		ev("win-02", "status", { online: false, version: "1.1.0", uptimeS: 5, buffered: 0 }, T - 60_000),
		ev("win-03", "status", { online: true, version: "1.2.0", uptimeS: 9, buffered: 0 }),
		ev("terminal-1", "queue", { event: "issued", ticket: "A001", service: "passports" }, T - 30 * 60_000),
		ev("terminal-1", "queue", { event: "issued", ticket: "A002", service: "passports", priority: "idp" }, T - 60_000),
		ev("terminal-1", "queue", { event: "issued", ticket: "K001", service: "consult" }, T - 2 * 60_000),
		ev("win-03", "queue", { event: "called", ticket: "K001", service: "consult", window: "w03" }),
		ev("door-main", "occupancy", { zone: "hall", count: 30 }),
		ev("win-01", "rating", { score: 5 }),
		ev("win-01", "rating", { score: 4 }),
	])
		s = apply(s, e, index);
	return s;
}

describe("deviceList", () => {
	it("lists every configured node, offline first, with its last status", () => {
		const d = deviceList(hall(), index, T);
		expect(d.devices).toHaveLength(index.centre.nodes.length);
		const ids = d.devices.map((x) => x.id);
		// Online: win-01, win-03; everything else offline, by id.
		expect(ids.slice(-2)).toEqual(["win-01", "win-03"]);
		expect(ids[0]).toBe("door-main");
		expect(d.devices.find((x) => x.id === "win-01")).toEqual({
			id: "win-01",
			role: "window",
			window: "w01",
			zone: null,
			online: true,
			seen: true,
			lastSeen: T,
			version: "1.2.0",
			buffered: 3,
			cpuTempC: 51.5,
		});
		expect(d.devices.find((x) => x.id === "win-02")).toMatchObject({ online: false, seen: true, lastSeen: T - 60_000 });
		expect(d.devices.find((x) => x.id === "door-main")).toMatchObject({
			zone: "hall",
			seen: false,
			lastSeen: null,
			cpuTempC: null,
		});
	});
});

describe("networkRow", () => {
	it("sums a centre's hall for the network view", () => {
		const v = liveView(hall(), index, T);
		const alerts = [
			{ key: "a", severity: "critical" },
			{ key: "b", severity: "warning" },
		] as unknown as Parameters<typeof networkRow>[2];
		expect(networkRow(v, "Europe/Kyiv", alerts, true)).toMatchObject({
			centre: "demo",
			open: true,
			waiting: 2,
			priorityWaiting: 1,
			longestWaitS: 30 * 60,
			overTarget: 1,
			windowsOpen: 2,
			windowsBusy: 1,
			windows: 12,
			occupancy: 30,
			capacity: 120,
			ratings: 2,
			ratingMean: 4.5,
			alerts: 2,
			critical: 1,
		});
	});
});
