/**
 * A restarted hub rebuilds its live state from the store through the contract's gate: a stored
 * row that does not match its kind's schema (written by an older hub, or into InfluxDB by someone
 * else) is left out and counted, never folded into the hall as if it were an event.
 */
import { describe, expect, it } from "vitest";
import { indexCentre } from "../../core/centre.ts";
import { LiveHub } from "../../hub/liveHub.ts";
import type { EventStore, StoredEvent } from "../../store/types.ts";
import { demoCentre } from "../fixtures/hub.ts";

// 2026-11-23 10:00 Europe/Kyiv (UTC+2)
const T0 = Date.UTC(2026, 10, 23, 8, 0, 0);

const row = (i: number, data: Record<string, unknown>): StoredEvent => ({
	id: `ev-${i}`,
	centre: "demo",
	node: "win-01",
	kind: "rating",
	ts: T0 + i,
	rxTs: T0 + i,
	data: { id: `ev-${i}`, ts: T0 + i, ...data },
});

function storeOf(rows: StoredEvent[]): EventStore {
	return {
		name: "rows",
		localDurable: true,
		init: async () => {},
		append: async () => [],
		readRange: async (centre, from, to) => rows.filter((e) => e.centre === centre && e.ts >= from && e.ts < to),
		query: async () => [],
		count: async () => rows.length,
		ping: async () => true,
		close: async () => {},
	};
}

describe("live rebuild", () => {
	it("folds the stored events that match the contract and counts the rest out", async () => {
		const centre = demoCentre();
		const live = new LiveHub(new Map([[centre.id, indexCentre(centre)]]), () => T0 + 60_000);
		const rows = [row(1, { score: 5 }), row(2, { score: "five" }), row(3, {}), row(4, { score: 3 })];
		expect(await live.rebuild(storeOf(rows))).toBe(2);
		expect(live.unreadable).toBe(2);
		expect(live.state("demo")?.ratings).toMatchObject({ count: 2, sum: 8 });
	});
});
