/**
 * `vikno hub` as a library: broker + ingest + store + live model + HTTP in one process.
 * Symmetric start/stop; ports may be 0 (any free port) and the chosen ones are returned.
 */
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import type { BrokerSettings, RunningBroker } from "../broker/broker.ts";
import type { ExternalBroker, ExternalBrokerSettings } from "../broker/external.ts";
import { isLoopbackHost } from "../broker/limits.ts";
import { DeviceRegistry, registryPath } from "../broker/registry.ts";
import { type Centre, type CentreIndex, indexCentre, timeZonesOf } from "../core/centre.ts";
import type { Kind, WireEvent } from "../core/contract.ts";
import type { HealthBounds } from "../core/health.ts";
import type { Log } from "../core/log.ts";
import type { QrRatingSettings } from "../core/qrRating.ts";
import type { Rate } from "../core/tokenBucket.ts";
import { commandTopic, hubTopic } from "../core/topic.ts";
import { buildApp } from "../dashboard/app.ts";
import type { LockoutPolicy } from "../dashboard/auth/lockout.ts";
import type { SessionTimes } from "../dashboard/auth/sessions.ts";
import type { ResponseLog } from "../dashboard/responseCheck.ts";
import { CallBoard } from "../hub/callBoard.ts";
import { Desk } from "../hub/desk.ts";
import { Dispatcher } from "../hub/dispatcher.ts";
import { Forwarder } from "../hub/forwarder.ts";
import { HubHealth } from "../hub/health.ts";
import { Ingest } from "../hub/ingest.ts";
import { Insights } from "../hub/insights.ts";
import { LiveHub } from "../hub/liveHub.ts";
import { createLogger } from "../hub/logger.ts";
import { createMetrics } from "../hub/metrics.ts";
import { NODE_RATE, NodeRate } from "../hub/nodeRate.ts";
import { QrRatings } from "../hub/qrRatings.ts";
import { type TicketLinkCheck, TicketLinks } from "../hub/ticketLinks.ts";
import { CommentStore } from "../store/comments.ts";
import { Spool } from "../store/spool.ts";
import { SqliteStore } from "../store/sqlite.ts";
import type { EventStore } from "../store/types.ts";
import { UserStore, usersPath } from "../store/users.ts";
import { startEmbeddedBroker } from "./embeddedBroker.ts";
import { startExternalBroker } from "./externalBroker.ts";
import { managerSides } from "./managerSides.ts";
import type { MqttSide } from "./mqttSide.ts";
import { observeHalls } from "./observe.ts";
import { startSpeech } from "./speech.ts";
import type { TrustProxy } from "./trustProxy.ts";
import { userSource } from "./users.ts";

export interface HubOptions {
	centres: readonly Centre[];
	dataDir: string;
	/** Default 1883; 0 = any free port. */
	mqttPort?: number;
	/** Default 8080; 0 = any free port. */
	httpPort?: number;
	/** Address to bind both servers to (default 0.0.0.0; the demo uses 127.0.0.1). */
	host?: string;
	/** Address to bind the HTTP server to, if not `host` (127.0.0.1 behind a reverse proxy on the same machine). */
	httpHost?: string;
	/**
	 * The reverse proxies whose X-Forwarded-For is believed, for HTTP requests and MQTT over
	 * WebSocket (server/trustProxy.ts); default none.
	 */
	trustProxy?: TrustProxy;
	/** When /healthz says degraded (core/health.ts; defaults in HEALTH_BOUNDS). */
	health?: Partial<HealthBounds>;
	/** The store (default: SQLite at DATA/vikno.db). The hub closes it. */
	store?: EventStore;
	log?: Log;
	now?: () => number;
	/**
	 * Let clients connect without a user name (the demo, tests). Refused unless `host` is a
	 * loopback address: anonymous clients never reach a hub on a network.
	 */
	allowAnonymous?: boolean;
	/** Broker limits, TLS, WebSocket path and session store (docs/broker.md). */
	broker?: BrokerSettings;
	/** Requests per minute per address on the public API (default 120); false lifts the limit (benchmarks). */
	publicRateLimit?: number | false;
	/** Limits of rating by QR code (default core/qrRating.ts QR_RATING: per window, per address, lockout). */
	qrRating?: Partial<QrRatingSettings>;
	/** Secret of the public forms' tokens (default: made once and kept in DATA/form-secret). */
	formSecret?: Buffer;
	/** How often alert rules are evaluated (default 5 s). */
	alertEveryMs?: number;
	/** Spool forwarding: batch size and backoff bounds (tests shorten them). */
	forwarding?: { batchSize?: number; minBackoffMs?: number; maxBackoffMs?: number };
	/** Messages a second (and at once) a device may publish before it is slowed down (hub/nodeRate.ts); false: none. */
	nodeRate?: Rate | false;
	/** Check every HTTP answer against its route's schema, writing each check here (tests; dashboard/responseCheck.ts). */
	checkResponses?: ResponseLog;
	/** The bearer token /metrics requires; without one it answers loopback clients only. */
	metricsToken?: string;
	/** When dashboard sessions end (default 30 min idle, 12 h at most). */
	sessionTimes?: Partial<SessionTimes>;
	/** Wrong passwords that lock a user name, and for how long (default 5, 15 min). */
	lockout?: Partial<LockoutPolicy>;
	/** Sign-in attempts per minute per address (default 10). */
	signInRateLimit?: number;
}

/**
 * The secret the public forms' tokens are signed with (dashboard/formToken.ts), kept in the data
 * dir so a page opened before a restart can still be sent after it. Written whole or not at all
 * (temp file, fsync, rename, fsync the dir): a crash or a disk error just after the first start
 * must not leave an empty file the next start cannot use. One that is not a secret anyway (not
 * hex of at least 16 bytes: left empty by an older hub's unsynced write) is made again; forms
 * opened before it are refused once.
 */
export function formSecret(dataDir: string): Buffer {
	const path = join(dataDir, "form-secret");
	if (existsSync(path)) {
		const text = readFileSync(path, "utf8").trim();
		if (/^(?:[0-9a-f]{2}){16,}$/i.test(text)) return Buffer.from(text, "hex");
	}
	mkdirSync(dataDir, { recursive: true });
	const secret = randomBytes(32);
	const tmp = `${path}.${process.pid}.tmp`;
	const fd = openSync(tmp, "w", 0o600);
	try {
		writeSync(fd, `${secret.toString("hex")}\n`);
		fsyncSync(fd);
	} finally {
		closeSync(fd);
	}
	renameSync(tmp, path);
	const dir = openSync(dataDir, "r");
	try {
		fsyncSync(dir);
	} finally {
		closeSync(dir);
	}
	return secret;
}

/** What a hub is, on its own broker or on an external one. */
export interface HubBase {
	httpPort: number;
	/** Where devices connect: the embedded broker, or the external broker's URL. */
	mqttUrl: string;
	httpUrl: string;
	store: EventStore;
	spool: Spool;
	live: LiveHub;
	insights: Insights;
	/** The latest calls of every centre, for the hall boards. */
	calls: CallBoard;
	ingest: Ingest;
	health: HubHealth;
	/** Ratings by QR code, handed to ingest as the window's (hub/qrRatings.ts). */
	qrRatings: QrRatings;
	/** Visitors' comments after a QR rating (never published). */
	comments: CommentStore;
	app: FastifyInstance;
	/** The dashboard's users (DATA/users.db), as `vikno user` writes them. */
	users: UserStore;
	countEvents(filter?: { centre?: string; kind?: Kind }): Promise<number>;
	/**
	 * Check a printed ticket's link `/c/{centre}/t/{ticket}?k={token}` (hub/ticketLinks.ts): the
	 * token is an HMAC under one of the centre's terminal keys, of today or yesterday.
	 */
	verifyTicketLink(centre: string, ticket: string, token: string): TicketLinkCheck;
	/** Listen to accepted events, after they are durable and applied (tools and benchmarks). */
	onAccepted(listener: (events: readonly WireEvent[]) => void): () => void;
	close(): Promise<void>;
}

/** `vikno hub`: the hub with its own broker (aedes) in the process. */
export interface Hub extends HubBase {
	mqttPort: number;
	broker: RunningBroker;
}

/** `vikno hub --broker URL`: the hub as a member of an external broker's share group. */
export interface ExternalHub extends HubBase {
	external: ExternalBroker;
}

/** The longest an unchanged `$hub/live` summary goes without being published again, ms. */
const LIVE_REFRESH_MS = 60_000;

export async function startHub(opts: HubOptions): Promise<Hub> {
	const host = opts.host ?? "0.0.0.0";
	if (opts.allowAnonymous && !isLoopbackHost(host))
		throw new Error(`anonymous MQTT clients are allowed only on a loopback address, not on "${host}"`);
	let broker: RunningBroker | undefined;
	const hub = await launch(opts, async ({ ingest, nodeRate, metrics, log, centres }) => {
		const side = await startEmbeddedBroker({
			port: opts.mqttPort ?? 1883,
			host,
			dataDir: opts.dataDir,
			allowAnonymous: opts.allowAnonymous ?? false,
			settings: opts.broker,
			trustProxy: opts.trustProxy,
			centres,
			ingest,
			nodeRate,
			metrics,
			log,
		});
		broker = side.broker;
		return side;
	});
	const running = broker as RunningBroker;
	return { ...hub, mqttPort: running.port, broker: running };
}

/**
 * The hub on an external MQTT broker: no broker of its own (the broker options, the device
 * registry's authentication and the ACL are the external broker's business), ingest a persistent
 * subscriber of the share group that acknowledges after the store commits (docs/broker.md).
 */
export async function startExternalHub(opts: HubOptions, settings: ExternalBrokerSettings): Promise<ExternalHub> {
	let external: ExternalBroker | undefined;
	const hub = await launch(opts, async ({ ingest, metrics, log }) => {
		const side = await startExternalBroker(settings, { ingest, metrics, log });
		external = side.external;
		return side;
	});
	return { ...hub, external: external as ExternalBroker };
}

interface SideDeps {
	ingest: Ingest;
	nodeRate: NodeRate | undefined;
	metrics: ReturnType<typeof createMetrics>;
	log: Log;
	centres: ReadonlyMap<string, CentreIndex>;
}

async function launch(opts: HubOptions, startSide: (deps: SideDeps) => Promise<MqttSide>): Promise<HubBase> {
	const log = opts.log ?? createLogger();
	const host = opts.host ?? "0.0.0.0";
	const now = opts.now ?? Date.now;
	const centres = new Map<string, CentreIndex>(opts.centres.map((c) => [c.id, indexCentre(c)]));
	const metrics = createMetrics({ defaults: true });
	const store = opts.store ?? new SqliteStore(join(opts.dataDir, "vikno.db"), { timeZones: timeZonesOf(opts.centres) });
	await store.init();
	const spool = new Spool(join(opts.dataDir, "spool.db"));
	const users = new UserStore(usersPath(opts.dataDir));
	metrics.deadLetters.set(spool.deadLetterSummary.count);
	if (spool.deadLetterSummary.count > 0)
		log.warn(spool.deadLetterSummary, "the spool keeps dead letters: events no store would take (docs/durability.md)");
	const health = new HubHealth({
		dataDir: opts.dataDir,
		spool,
		metrics,
		now,
		...(opts.health ? { bounds: opts.health } : {}),
	});
	const forwarder = new Forwarder({ spool, store, metrics, log, now, watch: health, ...opts.forwarding });
	if (spool.depth > 0) log.info({ spooled: spool.depth }, "events left in the spool; forwarding them to the store");
	forwarder.kick();

	const live = new LiveHub(centres, now);
	const rebuilt = await live.rebuild(
		store,
		spool.peek(Number.MAX_SAFE_INTEGER).map((r) => r.event),
	);
	if (rebuilt > 0) log.info({ events: rebuilt }, "live state rebuilt from today's events");
	if (live.unreadable > 0)
		log.warn(
			{ events: live.unreadable },
			"stored events that do not match the wire contract left out of the live state",
		);

	// Retention: raw events older than the store keeps them become hourly roll-ups (SQLite).
	const comments = new CommentStore(join(opts.dataDir, "feedback.db"));
	const prune = () => {
		try {
			comments.prune(now());
		} catch (err) {
			log.error({ err }, "pruning old comments failed");
		}
		if (!(store instanceof SqliteStore)) return;
		try {
			const pruned = store.prune(now());
			if (pruned.events > 0) log.info(pruned, "old raw events rolled up and pruned");
		} catch (err) {
			log.error({ err }, "pruning the store failed");
		}
	};
	prune();
	const pruneTimer = setInterval(prune, 6 * 3_600_000);
	pruneTimer.unref();

	// Answers "next" requests of window nodes; publishes through the broker once it is up.
	let publish: (topic: string, payload: object, retain?: boolean) => void = () => {};
	const dispatcher = new Dispatcher({
		centres,
		state: (c) => live.state(c),
		publish: (topic, answer) => publish(topic, answer),
		log,
		now,
	});
	const deviceKeys = new DeviceRegistry(registryPath(opts.dataDir));
	const ticketLinks = new TicketLinks({ centres, keys: (c) => deviceKeys.ticketKeys(c), now });
	const calls = new CallBoard(centres);
	calls.seed((c) => live.state(c));
	const speech = await startSpeech({ dir: join(opts.dataDir, "speech"), log });
	const taps = new Set<(events: readonly WireEvent[]) => void>();
	const manager = managerSides({ dataDir: opts.dataDir, centres, live, now, log });
	// QR ratings go through ingest like a node's, and out to subscribers once the broker is up.
	let forward: (topic: string, payload: Buffer) => void = () => {};
	const qrRatings = new QrRatings({
		centres,
		live,
		ingest: (topic, payload) => ingest.handle(topic, payload, { client: "$hub", origin: "qr" }),
		publish: (topic, payload) => forward(topic, payload),
		now,
		verifyLink: (centre, ticket, token) => ticketLinks.verify(centre, ticket, token).ok,
		...(opts.qrRating ? { settings: opts.qrRating } : {}),
	});
	await qrRatings.seed(store);
	const insights = new Insights({
		centres,
		live,
		store,
		log,
		now,
		publishRetained: (topic, payload) => {
			publish(topic, payload, true);
			manager.alertsChanged(payload);
		},
		health: () => health.report().reasons,
	});
	await insights.seed();
	observeHalls(metrics, centres, live, insights);
	const ingest = new Ingest({
		centres,
		store,
		spool,
		forwarder,
		metrics,
		log,
		now,
		live,
		watch: health,
		afterAccept: (events) => {
			dispatcher.onEvents(events);
			calls.onEvents(events);
			insights.onEvents(events);
			qrRatings.onEvents(events);
			for (const listener of taps) listener(events);
		},
	});

	await ingest.seedRatings();

	// If a later step fails (a port in use), close what is already open so the process can exit.
	const abort = async (err: unknown): Promise<never> => {
		clearInterval(pruneTimer);
		await forwarder.close();
		await store.close();
		await spool.close();
		users.close();
		manager.journal.close();
		comments.close();
		throw err;
	};
	const nodeRate =
		opts.nodeRate === false ? undefined : new NodeRate({ rate: opts.nodeRate ?? NODE_RATE, metrics, log, now });
	const side = await startSide({ ingest, nodeRate, metrics, log, centres }).catch(abort);
	forward = (topic, payload) => side.forward(topic, payload);
	publish = (topic, payload, retain = false) => side.publish(topic, Buffer.from(JSON.stringify(payload)), retain);

	// $hub/live for the ticket terminals: on every change (at most 4 times a second) and every 5 s
	// (the estimates move with time too).
	// The same summary again is not published: a heartbeat changes the hall model (a node's
	// status) but not the terminals' figures, and a city of a thousand centres would otherwise
	// retain a thousand unchanged messages every few seconds in each hub.
	// An unchanged summary is sent again only once a minute, to keep its `at` well inside the
	// terminals' five minutes (edge/hubLive.ts).
	const liveDue = new Map<string, NodeJS.Timeout>();
	const lastLive = new Map<string, { figures: string; at: number }>();
	const publishLive = (centre: string) => {
		const summary = insights.liveSummary(centre);
		if (!summary) return;
		const figures = JSON.stringify(summary.services);
		const last = lastLive.get(centre);
		if (last && last.figures === figures && summary.at - last.at < LIVE_REFRESH_MS) return;
		lastLive.set(centre, { figures, at: summary.at });
		publish(hubTopic(centre, "live"), summary, true);
	};
	const offLive = live.onChange((centre) => {
		if (liveDue.has(centre)) return;
		liveDue.set(
			centre,
			setTimeout(() => {
				liveDue.delete(centre);
				publishLive(centre);
			}, 250),
		);
	});
	for (const c of centres.keys()) publishLive(c);
	const liveTimer = setInterval(() => {
		for (const c of centres.keys()) publishLive(c);
	}, 5_000);
	liveTimer.unref();

	// Alerts: evaluated every few seconds (rules look at durations: offline for N s, wait over target).
	insights.checkAlerts();
	const alertTimer = setInterval(() => insights.checkAlerts(), opts.alertEveryMs ?? 5_000);
	alertTimer.unref();

	const app = await buildApp({
		hall: {
			centres,
			view: (centre) => insights.liveView(centre),
			onChange: (listener) => live.onChange(listener),
			alerts: (centre) => insights.activeAlerts(centre),
			onAlerts: manager.onAlerts,
			devices: manager.devices,
			opening: (centre) => insights.opening(centre),
			bestTimes: (centre) => insights.bestTimes(centre),
			calls: (centre) => calls.latest(centre),
			onCall: (listener) => calls.onCall(listener),
			bestTimesByService: (centre) => insights.bestTimesByService(centre),
		},
		residents: {
			ticket: (centre, ticket) => insights.ticket(centre, ticket),
			verifyLink: (centre, ticket, token) => ticketLinks.verify(centre, ticket, token).ok,
			rated: (centre, ticket) => qrRatings.rated(centre, ticket),
			rate: (req) => qrRatings.rate(req),
			comments,
		},
		formSecret: opts.formSecret ?? formSecret(opts.dataDir),
		...(opts.qrRating ? { qrRating: opts.qrRating } : {}),
		speech,
		desk: new Desk({
			centres,
			state: (c) => live.state(c),
			dispatcher,
			ingest: (topic, payload) => ingest.handle(topic, payload, { client: "desk" }),
			command: (centre, node, name, data) => publish(commandTopic(centre, node, name), data),
			now,
		}),
		registry: metrics.registry,
		now,
		store,
		journal: manager.source,
		command: (centre, node, name, data) => publish(commandTopic(centre, node, name), data),
		users: userSource(users),
		...(opts.metricsToken ? { metricsToken: opts.metricsToken } : {}),
		...(opts.sessionTimes ? { sessionTimes: opts.sessionTimes } : {}),
		...(opts.lockout ? { lockout: opts.lockout } : {}),
		...(opts.signInRateLimit ? { signInRateLimit: opts.signInRateLimit } : {}),
		...(opts.publicRateLimit !== undefined ? { publicRateLimit: opts.publicRateLimit } : {}),
		...(opts.checkResponses ? { checkResponses: opts.checkResponses } : {}),
		...(opts.trustProxy ? { trustProxy: opts.trustProxy } : {}),
		health: () => ({
			...health.report(),
			deadLetters: spool.deadLetterSummary,
			...side.facts(),
			store: store.name,
			spooled: spool.depth,
		}),
	});
	side.attach(app);
	const httpHost = opts.httpHost ?? host;
	await app.listen({ port: opts.httpPort ?? 8080, host: httpHost }).catch(async (err) => {
		clearInterval(alertTimer);
		await side.close();
		await app.close();
		return abort(err);
	});
	const httpPort = (app.server.address() as { port: number }).port;
	const shownOf = (h: string) => (h === "0.0.0.0" || h === "::" ? "127.0.0.1" : h);

	return {
		httpPort,
		mqttUrl: side.url,
		httpUrl: `http://${shownOf(httpHost)}:${httpPort}`,
		store,
		spool,
		live,
		insights,
		calls,
		ingest,
		health,
		qrRatings,
		comments,
		app,
		users,
		countEvents: (filter) => store.count(filter),
		onAccepted(listener) {
			taps.add(listener);
			return () => taps.delete(listener);
		},
		verifyTicketLink: (centre, ticket, token) => ticketLinks.verify(centre, ticket, token),
		async close() {
			clearInterval(pruneTimer);
			clearInterval(alertTimer);
			clearInterval(liveTimer);
			offLive();
			for (const t of liveDue.values()) clearTimeout(t);
			nodeRate?.close();
			await side.close();
			await ingest.drain();
			await forwarder.close();
			await app.close();
			await store.close();
			await spool.close();
			users.close();
			manager.journal.close();
			comments.close();
		},
	};
}
