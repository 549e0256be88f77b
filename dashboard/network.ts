/**
 * One centre's row of the network view: what a department head compares across centres — who
 * waits and how long, windows at work, the hall, today's rating, alerts. Pure: from the live view
 * (with estimates), the active alerts and whether the centre is open.
 */
import type { Alert } from "../core/alerts.ts";
import type { LiveView } from "../core/liveView.ts";
import type { NetworkRow } from "./routes/managerSchemas.ts";

export function networkRow(v: LiveView, timeZone: string, alerts: readonly Alert[], open: boolean | null): NetworkRow {
	const waiting = v.services.reduce((n, s) => n + s.waiting, 0);
	return {
		centre: v.centre,
		name: v.name,
		timeZone,
		day: v.day,
		open,
		waiting,
		priorityWaiting: v.services.reduce((n, s) => n + s.priorityWaiting, 0),
		longestWaitS: v.services.reduce((m, s) => Math.max(m, s.waiting ? s.longestWaitS : 0), 0),
		overTarget: v.services.filter((s) => s.waiting && s.longestWaitS > s.targetWaitMin * 60).length,
		windowsOpen: v.windows.filter((w) => w.state !== "offline").length,
		windowsBusy: v.windows.filter((w) => w.state === "calling" || w.state === "serving").length,
		windows: v.windows.length,
		occupancy: v.zones.reduce((n, z) => n + z.count, 0),
		capacity: v.zones.reduce((n, z) => n + z.capacity, 0),
		served: v.tickets.served,
		ratings: v.ratings.count,
		ratingMean: v.ratings.mean === null ? null : Math.round(v.ratings.mean * 100) / 100,
		alerts: alerts.length,
		critical: alerts.filter((a) => a.severity === "critical").length,
	};
}
