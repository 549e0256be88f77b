/**
 * InfluxDB 1.x backend through node-influx (`influx`). Points follow DESIGN.md's layout
 * (points.ts) at nanosecond precision (ts·1e6 + an id offset), written in batches by our own
 * Batcher (node-influx has none); queries are InfluxQL (influxql.ts, shared with influx2).
 * Not locally durable: the hub spools events on its own disk and forwards them here.
 */
import { FieldType, InfluxDB, type IPoint, type IPoolOptions, type ISchemaOptions } from "influx";
import { Batcher } from "./batcher.ts";
import { StoreWriteError } from "./errors.ts";
import { InfluxQlReads, type InfluxResponse, ident } from "./influxql.ts";
import { LAYOUT, MEASUREMENTS, pointBody, pointTimeNs } from "./points.ts";
import type { EventStore, StoredEvent } from "./types.ts";

export interface Influx1Options {
	host: string;
	port: number;
	database: string;
	protocol?: "http" | "https";
	username?: string;
	password?: string;
	/** Write and read this retention policy, created (not as the default) if missing. */
	retentionPolicy?: { name: string; duration: string };
	/** Most points per HTTP write. Default 5000. */
	batchSize?: number;
	/** Wait for more points before a write that is not full. Default 0 (next event-loop turn). */
	flushMs?: number;
	/** HTTP request timeout. Default 10 000 ms. */
	timeoutMs?: number;
}

const TYPES = { int: FieldType.INTEGER, float: FieldType.FLOAT, string: FieldType.STRING, bool: FieldType.BOOLEAN };

/** node-influx's schema from our layout, so integers are written as integers (`5i`). */
export function influxSchema(): ISchemaOptions[] {
	return MEASUREMENTS.map((measurement) => ({
		measurement,
		tags: [...LAYOUT[measurement].tags],
		fields: Object.fromEntries(Object.entries(LAYOUT[measurement].fields).map(([f, t]) => [f, TYPES[t]])),
	}));
}

/** node-influx's point of an event (the body of points.ts with its time). */
function toIPoint(e: StoredEvent): IPoint {
	const p: IPoint = pointBody(e);
	p.timestamp = pointTimeNs(e.ts, e.id);
	return p;
}

/**
 * node-influx takes a host out of its pool after a failure, for up to 10 s: the hub's spool
 * would then see "No host available" long after InfluxDB is back. Our caller retries, so never.
 */
type Backoff = NonNullable<IPoolOptions["backoff"]>;
const noBackoff: Backoff = { getDelay: () => 0, next: () => noBackoff, reset: () => noBackoff };

export class Influx1Store extends InfluxQlReads implements EventStore {
	readonly name = "influx1";
	readonly localDurable = false;
	private readonly influx: InfluxDB;
	private readonly batcher: Batcher<IPoint>;
	private ready: Promise<void> | null = null;

	constructor(readonly opts: Influx1Options) {
		super();
		this.influx = new InfluxDB({
			host: opts.host,
			port: opts.port,
			protocol: opts.protocol ?? "http",
			database: opts.database,
			...(opts.username ? { username: opts.username, password: opts.password ?? "" } : {}),
			schema: influxSchema().map((s) => ({ ...s, database: opts.database })),
			pool: { maxRetries: 0, requestTimeout: opts.timeoutMs ?? 10_000, backoff: noBackoff },
		});
		this.batcher = new Batcher((points) => this.write(points), {
			batchSize: opts.batchSize ?? 5000,
			flushMs: opts.flushMs ?? 0,
		});
	}

	private get rp(): string | undefined {
		return this.opts.retentionPolicy?.name;
	}

	/** Create the database and the retention policy if missing. Retried on the next call after a failure. */
	init(): Promise<void> {
		if (!this.ready) {
			this.ready = this.setup().catch((err) => {
				this.ready = null;
				throw err;
			});
		}
		return this.ready;
	}

	private async setup() {
		const { database, retentionPolicy } = this.opts;
		await this.influx.createDatabase(database);
		if (!retentionPolicy) return;
		const existing = await this.influx.showRetentionPolicies(database);
		// An existing policy is left as it is: its duration may be managed by the database's owners.
		if (existing.some((p) => p.name === retentionPolicy.name)) return;
		await this.influx.queryRaw(
			`CREATE RETENTION POLICY ${ident(retentionPolicy.name)} ON ${ident(database)} DURATION ${retentionPolicy.duration} REPLICATION 1`,
		);
	}

	private async write(points: IPoint[]): Promise<void> {
		try {
			await this.influx.writePoints(points, { precision: "n", ...(this.rp ? { retentionPolicy: this.rp } : {}) });
		} catch (err) {
			throw new StoreWriteError("influx1", err, (err as { res?: { statusCode?: number } }).res?.statusCode);
		}
	}

	/** Resolves when every point is written (InfluxDB answered 204). Rewriting an event overwrites its identical point. */
	async append(events: readonly StoredEvent[]): Promise<null[]> {
		await this.init();
		await this.batcher.add(events.map(toIPoint));
		return events.map(() => null);
	}

	protected async raw(q: string): Promise<InfluxResponse> {
		await this.init();
		return (await this.influx.queryRaw(q, {
			precision: "ms",
			method: "POST",
			...(this.rp ? { retentionPolicy: this.rp } : {}),
		})) as InfluxResponse;
	}

	/** InfluxDB answers /ping and the database exists (created now if it did not). */
	async ping(): Promise<boolean> {
		try {
			const [host] = await this.influx.ping(this.opts.timeoutMs ?? 5_000);
			if (!host?.online) return false;
			await this.init();
			const dbs = await this.influx.getDatabaseNames();
			return dbs.includes(this.opts.database);
		} catch {
			return false;
		}
	}

	async close(): Promise<void> {
		await this.batcher.drained();
	}

	/** Show the databases' retention policies (for docs and tests). */
	async retentionPolicies(): Promise<{ name: string; duration: string }[]> {
		return (await this.influx.showRetentionPolicies(this.opts.database)).map((p) => ({
			name: p.name,
			duration: p.duration,
		}));
	}
}
