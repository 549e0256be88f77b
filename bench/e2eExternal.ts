/**
 * Press → stored through the country's topology: Debian's mosquitto 2 (started here, anonymous,
 * loopback) and two hubs on it (`startExternalHub`, what `vikno hub --broker` runs), each with its
 * own SQLite store and `connections` connections in one `$share/…` group. The devices publish to
 * mosquitto; an event is stored when either hub's ingest has made it durable (`onAccepted`). Both
 * hubs run in this process (one clock for the timestamps), so they share one core between them.
 * mosquitto's PUBACK to a device says only that mosquitto has it, so it is not a figure here.
 */
import { silentLog } from "../core/log.ts";
import { type ExternalHub, startExternalHub } from "../server/hub.ts";
import { tempDir } from "../test/fixtures/hub.ts";
import { startMosquitto } from "../test/fixtures/mosquitto.ts";
import type { BenchCentre } from "./e2eCentre.ts";
import { measurePresses, type PressLatency } from "./e2eLatency.ts";

export interface ExternalRun extends PressLatency {
	/** Events each hub stored (the warm-up's too). */
	perHub: number[];
	/** Events sent to warm up, before the measured ones. */
	warmedUp: number;
}

export async function externalPresses(
	centre: BenchCentre,
	o: { rate: number; seconds: number; connections: number; warmupSeconds?: number },
): Promise<ExternalRun> {
	const mosquitto = await startMosquitto({ extra: ["max_queued_messages 100000"] });
	const dirs = [tempDir("vikno-bench-e2e-ext-"), tempDir("vikno-bench-e2e-ext-")];
	const hubs: ExternalHub[] = [];
	try {
		for (const [i, dir] of dirs.entries())
			hubs.push(
				await startExternalHub(
					{ centres: [centre.centre], dataDir: dir.path, httpPort: 0, host: "127.0.0.1", log: silentLog },
					{ url: mosquitto.url, clientId: `e2e-hub-${i}`, group: "e2e", connections: o.connections },
				),
			);
		const [first, ...rest] = hubs as [ExternalHub, ...ExternalHub[]];
		const press = (seconds: number) => measurePresses({ hub: first, alsoStoring: rest, centre, rate: o.rate, seconds });
		const warm = o.warmupSeconds ? await press(o.warmupSeconds) : undefined;
		const r = await press(o.seconds);
		const perHub = await Promise.all(hubs.map((h) => h.countEvents({ centre: centre.centre.id })));
		return { ...r, perHub, warmedUp: warm?.sent ?? 0 };
	} finally {
		for (const h of hubs) await h.close();
		await mosquitto.stop();
		for (const d of dirs) d.remove();
	}
}
