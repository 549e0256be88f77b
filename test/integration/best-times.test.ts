/**
 * Best time to visit from the real store: two simulated weeks of the demo centre go into a
 * SQLite store (calls with their true waits, door counts), and the hub's insights read them back
 * with hourly queries and label each weekday hour quiet / usual / busy.
 */
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { indexCentre } from "../../core/centre.ts";
import { silentLog } from "../../core/log.ts";
import { simulateWeek } from "../../firmware-sim/week.ts";
import { Insights } from "../../hub/insights.ts";
import { LiveHub } from "../../hub/liveHub.ts";
import { SqliteStore } from "../../store/sqlite.ts";
import type { StoredEvent } from "../../store/types.ts";
import { demoCentre, tempDir } from "../fixtures/hub.ts";

const dir = tempDir();
afterAll(() => dir.remove());

describe("best times from the store", () => {
	it("labels the weekday hours of two simulated weeks", async () => {
		const centre = demoCentre();
		const store = new SqliteStore(join(dir.path, "vikno.db"));
		let n = 0;
		for (const [startDay, seed] of [
			["2026-11-02", 1],
			["2026-11-09", 2],
		] as const) {
			const week = simulateWeek(centre, { startDay, seed });
			const events: StoredEvent[] = [];
			for (const t of week.tickets) {
				if (t.calledAt === undefined || t.waitS === undefined || !t.window) continue;
				const id = `call-${++n}`;
				const data = { id, ts: t.calledAt, event: "called", ticket: t.ticket, service: t.service, window: t.window };
				events.push({
					id,
					centre: "demo",
					node: "win-01",
					kind: "queue",
					ts: t.calledAt,
					rxTs: t.calledAt,
					data,
					derived: { wait_s: t.waitS },
				});
			}
			let count = 0;
			for (const a of week.actions) {
				if (a.kind !== "occupancy") continue;
				const d = a.data as { in?: number; out?: number };
				count = Math.max(0, count + (d.in ?? 0) - (d.out ?? 0));
				const id = `door-${++n}`;
				events.push({
					id,
					centre: "demo",
					node: "door-main",
					kind: "occupancy",
					ts: a.at,
					rxTs: a.at,
					data: { id, ts: a.at, zone: "hall", ...d },
					derived: { count },
				});
			}
			await store.append(events.sort((x, y) => x.ts - y.ts));
		}
		const centres = new Map([["demo", indexCentre(centre)]]);
		const now = Date.UTC(2026, 10, 16, 6); // Monday 16 November, 08:00 Kyiv
		const insights = new Insights({
			centres,
			live: new LiveHub(centres, () => now),
			store,
			log: silentLog,
			now: () => now,
			publishRetained: () => {},
		});
		const best = await insights.bestTimes("demo");
		if (!best) throw new Error("no best times");
		expect(best.from).toBe("2026-09-21");
		expect(best.to).toBe("2026-11-16");
		// Every open hour of the week has a cell; Sunday (closed) has none; Tuesday runs to 20:00.
		expect(best.cells.filter((c) => c.weekday === "sun")).toEqual([]);
		expect(best.cells.filter((c) => c.weekday === "tue").map((c) => c.hour)).toEqual([
			9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
		]);
		const labelled = best.cells.filter((c) => c.label !== null);
		expect(labelled.length).toBeGreaterThan(40);
		for (const c of labelled) expect(c.days).toBe(2);
		const labels = new Set(labelled.map((c) => c.label));
		expect(labels).toEqual(new Set(["quiet", "usual", "busy"]));
		// The label follows the typical wait: every busy hour waits longer than every quiet one.
		const waits = (label: string) => labelled.filter((c) => c.label === label).map((c) => c.waitMin ?? 0);
		expect(Math.min(...waits("busy"))).toBeGreaterThan(Math.max(...waits("quiet")));
		await store.close();
	});
});
