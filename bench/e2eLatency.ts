/**
 * Press → stored, press → PUBACK and press → SSE at a steady rate, against a hub running in this
 * process (so one clock serves every figure). Each window node of `centre` has its own MQTT
 * connection; ratings go out round-robin at `rate` a second for `seconds`. Per event:
 *   - stored: the hub's `onAccepted` (after the batch is durable and applied to the live model);
 *   - acked: the PUBACK, which the hub sends only after that;
 *   - sse: the first `event: live` on a signed-in stream of the centre whose ratings (count +
 *     extra) include it — the stream sends a centre's view at most every 40 ms (THROTTLE_MS), so under load this
 *     holds the throttle's wait (dashboard/routes/stream.ts);
 *   - probe: a rating on a quiet second centre every 300–500 ms while the load runs, seen on a
 *     stream of that centre: the way to the screen under load without the throttle's wait.
 */
import mqtt, { type MqttClient } from "mqtt";
import { v7 as uuidv7 } from "uuid";
import type { HubBase } from "../server/hub.ts";
import type { BenchCentre } from "./e2eCentre.ts";
import { openStream, type Stream } from "./sse.ts";

export interface PressOptions {
	/** The hub the devices publish to (its `mqttUrl`) and whose stream is read. */
	hub: HubBase;
	/** Further hubs sharing the stream (an external broker's share group): stored by either counts. */
	alsoStoring?: HubBase[];
	centre: BenchCentre;
	/** A quiet centre of the same hub for the probe (none: no probe). */
	probe?: BenchCentre;
	/** A signed-in session's cookie, for the streams (none: no stream, `sse` and `probe` stay empty). */
	cookie?: string;
	rate: number;
	seconds: number;
}

export interface PressLatency {
	sent: number;
	/** Latencies in ms, one per event (probe: one per probe). */
	stored: number[];
	acked: number[];
	sse: number[];
	probe: number[];
	/** Events the hub reported accepted more than once (must be 0). */
	acceptedTwice: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A view's ratings as one number: every rating folded so far, extra or not. */
function ratingsIn(data: string): number {
	const view = JSON.parse(data) as { ratings: { count: number; extra: number } };
	return view.ratings.count + view.ratings.extra;
}

/** A stream of one centre's live views: when each came and how many ratings it held. */
function watchRatings(hub: HubBase, centre: string, cookie: string) {
	const seen: { at: number; total: number }[] = [];
	const waiters = new Set<() => void>();
	const stream: Stream = openStream(new URL(`/api/v1/stream?centre=${centre}`, hub.httpUrl), cookie, (e) => {
		if (e.event !== "live") return;
		seen.push({ at: e.at, total: ratingsIn(e.data) });
		for (const w of waiters) w();
	});
	/** Resolves with the arrival time of the first view holding at least `total` ratings. */
	const reach = (total: number, timeoutMs: number) =>
		new Promise<number>((resolve, reject) => {
			const check = () => {
				const hit = seen.find((s) => s.total >= total);
				if (!hit) return false;
				waiters.delete(check);
				clearTimeout(timer);
				resolve(hit.at);
				return true;
			};
			const timer = setTimeout(() => {
				waiters.delete(check);
				reject(new Error(`the stream of ${centre} did not reach ${total} ratings in ${timeoutMs} ms`));
			}, timeoutMs);
			if (!check()) waiters.add(check);
		});
	return { stream, seen, reach };
}

const connect = (url: string, clientId: string) =>
	mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, clientId, keepalive: 60 });

const rating = (id: string, score: number) => JSON.stringify({ id, ts: Date.now(), score });

export async function measurePresses(o: PressOptions): Promise<PressLatency> {
	const { hub, centre } = o;
	const id = centre.centre.id;
	const total = Math.round(o.rate * o.seconds);
	const sentAt = new Map<string, number>();
	const storedAt = new Map<string, number>();
	const acked: number[] = [];
	const order: string[] = [];
	let acceptedTwice = 0;
	const offs = [hub, ...(o.alsoStoring ?? [])].map((h) =>
		h.onAccepted((events) => {
			const at = performance.now();
			for (const e of events) {
				if (e.centre !== id || !sentAt.has(e.data.id)) continue;
				if (storedAt.has(e.data.id)) acceptedTwice++;
				else {
					storedAt.set(e.data.id, at);
					order.push(e.data.id);
				}
			}
		}),
	);
	const clients: MqttClient[] = [];
	let running = true;
	const main = o.cookie ? watchRatings(hub, id, o.cookie) : undefined;
	const quiet = o.probe && o.cookie ? watchRatings(hub, o.probe.centre.id, o.cookie) : undefined;
	try {
		for (const node of centre.windowNodes) clients.push(await connect(hub.mqttUrl, `e2e-${id}-${node}`));
		await main?.stream.opened;
		await quiet?.stream.opened;
		// The first view comes at once: what the stream held before the load.
		const base = main ? await main.reach(0, 10_000).then(() => main.seen[0]?.total ?? 0) : 0;

		const probes = o.probe && quiet ? probeLoop(hub, o.probe, quiet, () => running) : Promise.resolve([]);
		probes.catch(() => {}); // awaited below; a failure of the load first must not leave it unhandled
		const start = performance.now();
		let i = 0;
		while (i < total) {
			const due = Math.min(total, Math.floor(((performance.now() - start) * o.rate) / 1000) + 1);
			for (; i < due; i++) {
				const node = centre.windowNodes[i % centre.windowNodes.length] as string;
				const client = clients[i % clients.length] as MqttClient;
				const eventId = uuidv7();
				const body = rating(eventId, 1 + (i % 5));
				const t0 = performance.now();
				sentAt.set(eventId, t0);
				client.publish(`vikno/v1/${id}/${node}/rating`, body, { qos: 1 }, (err) => {
					if (!err) acked.push(performance.now() - t0);
				});
			}
			await sleep(1);
		}
		running = false;
		const lastSeen = main ? await main.reach(base + total, 30_000) : 0;
		const probe = await probes;
		const deadline = Date.now() + 30_000;
		while ((storedAt.size < total || acked.length < total) && Date.now() < deadline) await sleep(20);
		if (storedAt.size < total) throw new Error(`${storedAt.size} of ${total} events stored`);

		const sse = main ? onScreen(order, sentAt, main.seen, base, lastSeen) : [];
		const stored = order.map((e) => (storedAt.get(e) ?? 0) - (sentAt.get(e) ?? 0));
		return { sent: total, stored, acked, sse, probe, acceptedTwice };
	} finally {
		running = false;
		for (const off of offs) off();
		main?.stream.close();
		quiet?.stream.close();
		await Promise.all(clients.map((c) => c.endAsync(true)));
	}
}

/**
 * When each event was first on the stream. The i-th event the hub accepted is in every view holding
 * more than i ratings: the live model folds in the order batches settle.
 */
function onScreen(
	order: readonly string[],
	sentAt: ReadonlyMap<string, number>,
	seen: readonly { at: number; total: number }[],
	base: number,
	lastSeen: number,
): number[] {
	const out: number[] = [];
	let j = 0;
	for (const [k, eventId] of order.entries()) {
		while (j < seen.length && (seen[j]?.total ?? 0) - base <= k) j++;
		const at = seen[j]?.at ?? lastSeen;
		out.push(at - (sentAt.get(eventId) ?? at));
	}
	return out;
}

/** One rating at a time on the quiet centre, each waited for on its stream, while `running()`. */
async function probeLoop(
	hub: HubBase,
	probe: BenchCentre,
	watch: ReturnType<typeof watchRatings>,
	running: () => boolean,
): Promise<number[]> {
	const id = probe.centre.id;
	const node = probe.windowNodes[0] as string;
	const client = await connect(hub.mqttUrl, `e2e-${id}-${node}`);
	const out: number[] = [];
	try {
		let total = await watch.reach(0, 10_000).then(() => watch.seen.at(-1)?.total ?? 0);
		while (running()) {
			// A quiet spell first, so the stream sends the change at once (not at the throttle's end).
			await sleep(300 + Math.random() * 200);
			const t0 = performance.now();
			client.publish(`vikno/v1/${id}/${node}/rating`, rating(uuidv7(), 5), { qos: 1 });
			total++;
			out.push((await watch.reach(total, 10_000)) - t0);
		}
		return out;
	} finally {
		await client.endAsync(true);
	}
}

/** The q-quantile (0..1) of `xs`, ms to 0.01. */
export function quantile(xs: readonly number[], q: number): number {
	if (!xs.length) return Number.NaN;
	const sorted = [...xs].sort((a, b) => a - b);
	const v = sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
	return Math.round(v * 100) / 100;
}
