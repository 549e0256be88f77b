/**
 * A hub restarted mid-day ends in the same live state as one that never stopped: two hubs get
 * the same simulated morning over MQTT; one is stopped halfway and started again on its data
 * (it rebuilds today's state from the store), then both get the rest.
 */
import { afterAll, describe, expect, it } from "vitest";
import { replayTimeline } from "../../firmware-sim/replay.ts";
import { simulateWeek } from "../../firmware-sim/week.ts";
import type { Hub } from "../../server/hub.ts";
import { demoCentre, startTestHub, tempDir } from "../fixtures/hub.ts";

const centre = demoCentre();
const dirs: ReturnType<typeof tempDir>[] = [];
const hubs: Hub[] = [];

afterAll(async () => {
	await Promise.all(hubs.map((h) => h.close()));
	for (const d of dirs) d.remove();
});

/** A hub whose clock reads the simulated time the test sets. */
async function hubOn(dataDir: string, clock: { now: number }): Promise<Hub> {
	const hub = await startTestHub(dataDir, {
		centres: [centre],
		now: () => clock.now,
		alertEveryMs: 3_600_000,
	});
	hubs.push(hub);
	return hub;
}

describe("restart mid-day", () => {
	it("rebuilds the live state of one that never stopped", async () => {
		// Tuesday morning at the demo centre: 09:00 to about 12:00.
		const week = simulateWeek(centre, { startDay: "2026-11-10", days: 1, seed: 7 });
		const morning = week.actions.filter((a) => a.at < Date.UTC(2026, 10, 10, 10)); // 12:00 Kyiv
		expect(morning.length).toBeGreaterThan(300);
		const half = Math.floor(morning.length / 2);
		// The hubs' clock stands at the end of the morning: every event arrives after it happened.
		const end = (morning[morning.length - 1]?.at ?? 0) + 1;

		const steady = { now: end };
		const a = await hubOn((dirs[dirs.push(tempDir()) - 1] as { path: string }).path, steady);
		const restartedDir = tempDir();
		dirs.push(restartedDir);
		const restarted = { now: end };
		let b = await hubOn(restartedDir.path, restarted);

		const replay = (hub: Hub, actions: typeof morning) => replayTimeline({ centre, brokerUrl: hub.mqttUrl, actions });
		await Promise.all([replay(a, morning), replay(b, morning.slice(0, half))]);
		await b.close();
		hubs.splice(hubs.indexOf(b), 1);
		b = await hubOn(restartedDir.path, restarted);
		await replay(b, morning.slice(half));

		// The whole live state — queue, windows (activity, ticket, since, served, last served),
		// zones, ratings, node presence — not just the rendered view.
		const plain = (hub: Hub) =>
			JSON.parse(
				// Each replay gives its events ids of its own: the events' ids are not part of the hall.
				JSON.stringify(hub.live.state("demo"), (k, v) =>
					k === "id" || k === "statusId" || k === "issuedId"
						? undefined
						: v instanceof Map
							? Object.fromEntries(v)
							: v instanceof Set
								? [...v].sort()
								: v,
				),
			);
		const sa = plain(a);
		const sb = plain(b);
		expect(sb.issuedToday).toBeGreaterThan(20);
		expect(Object.keys(sb.waiting).length + sb.servedToday).toBeGreaterThan(0);
		expect(sb).toEqual(sa);
		expect(b.live.view("demo")).toEqual(a.live.view("demo"));
	}, 120_000);
});
