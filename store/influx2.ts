/**
 * InfluxDB 2.x / 3.x backend through @influxdata/influxdb-client: url, org, bucket, token.
 * Writes: the client's WriteApi, one flush per batch of our Batcher (so `append` resolves only
 * when InfluxDB has answered for its points; the WriteApi never flushes on its own and never
 * retries: the hub's spool does). Queries: InfluxQL over the v1 compatibility endpoint `/query`
 * (database = bucket through 2.x's DBRP mapping, `Authorization: Token …`), so both InfluxDB
 * backends share one query builder (influxql.ts) and answer alike.
 */
import { HttpError, InfluxDB, Point, setLogger, type WriteApi } from "@influxdata/influxdb-client";
import { Batcher } from "./batcher.ts";
import { StoreWriteError } from "./errors.ts";
import { InfluxQlReads, type InfluxResponse } from "./influxql.ts";
import { type EventPoint, LAYOUT, toPoint } from "./points.ts";
import type { EventStore, StoredEvent } from "./types.ts";

export interface Influx2Options {
	/** e.g. http://127.0.0.1:8086 */
	url: string;
	org: string;
	bucket: string;
	token: string;
	/** Most points per write. Default 5000. */
	batchSize?: number;
	/** Wait for more points before a write that is not full. Default 0 (next event-loop turn). */
	flushMs?: number;
	timeoutMs?: number;
}

// The client logs every failed write to the console; ours reach the caller as rejected appends.
setLogger({ error: () => {}, warn: () => {} });

export function toClientPoint(p: EventPoint): Point {
	const point = new Point(p.measurement);
	for (const [k, v] of Object.entries(p.tags)) point.tag(k, v);
	const types = LAYOUT[p.measurement].fields;
	for (const [k, v] of Object.entries(p.fields)) {
		const type = types[k];
		if (type === "int") point.intField(k, v);
		else if (type === "float") point.floatField(k, v);
		else if (type === "bool") point.booleanField(k, v as boolean);
		else point.stringField(k, v);
	}
	return point.timestamp(p.timeNs);
}

export class Influx2Store extends InfluxQlReads implements EventStore {
	readonly name = "influx2";
	readonly localDurable = false;
	private readonly writeApi: WriteApi;
	private readonly batcher: Batcher<EventPoint>;
	private readonly base: string;

	constructor(readonly opts: Influx2Options) {
		super();
		this.base = opts.url.replace(/\/+$/, "");
		const batchSize = opts.batchSize ?? 5000;
		const client = new InfluxDB({ url: this.base, token: opts.token, timeout: opts.timeoutMs ?? 10_000 });
		this.writeApi = client.getWriteApi(opts.org, opts.bucket, "ns", {
			// Our Batcher decides what goes in one request: the WriteApi must not flush by itself.
			batchSize: batchSize + 1,
			maxBatchBytes: 1 << 30,
			flushInterval: 0,
			maxRetries: 0,
		});
		this.batcher = new Batcher((points) => this.write(points), { batchSize, flushMs: opts.flushMs ?? 0 });
	}

	private async write(points: EventPoint[]): Promise<void> {
		this.writeApi.writePoints(points.map(toClientPoint));
		try {
			await this.writeApi.flush();
		} catch (err) {
			throw new StoreWriteError("influx2", err, err instanceof HttpError ? err.statusCode : undefined);
		}
	}

	/** The bucket is made by whoever runs InfluxDB 2.x (with its token); init checks it can be queried. */
	async init(): Promise<void> {
		await this.raw("SHOW MEASUREMENTS LIMIT 1");
	}

	async append(events: readonly StoredEvent[]): Promise<null[]> {
		await this.batcher.add(events.map(toPoint));
		return events.map(() => null);
	}

	protected async raw(q: string): Promise<InfluxResponse> {
		const params = new URLSearchParams({ db: this.opts.bucket, epoch: "ms" });
		const res = await fetch(`${this.base}/query?${params}`, {
			method: "POST",
			headers: { Authorization: `Token ${this.opts.token}`, "Content-Type": "application/x-www-form-urlencoded" },
			body: new URLSearchParams({ q }),
			signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
		});
		const text = await res.text();
		if (!res.ok) throw new Error(`influx2 query failed (HTTP ${res.status}): ${text.slice(0, 300)}`);
		return JSON.parse(text) as InfluxResponse;
	}

	/** InfluxDB answers /ping with 204. */
	async ping(): Promise<boolean> {
		try {
			const res = await fetch(`${this.base}/ping`, { signal: AbortSignal.timeout(this.opts.timeoutMs ?? 5_000) });
			await res.arrayBuffer();
			return res.status === 204;
		} catch {
			return false;
		}
	}

	async close(): Promise<void> {
		await this.batcher.drained();
		await this.writeApi.close().catch(() => {});
	}
}
