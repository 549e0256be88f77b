/**
 * Ratings by QR code enter where the buttons' do: the hub builds the rating event a window's node
 * would publish — on that node's topic, with `source: "qr"` — and hands it to ingest, so it is
 * validated, deduplicated, attributed to the ticket just served (core/derive.ts), bounded per
 * window (hub/ratingGuard.ts), stored and applied exactly like a press, then forwarded to MQTT
 * subscribers. This file is the thin adapter around the policy of core/qrRating.ts: it keeps the
 * state the policy reads (each window's last counted rating, the day's rated tickets, each
 * window's allowance) from the events ingest accepts, buttons' and QR's alike.
 *
 * A ticket's own link rates that ticket, once: the link's token (an HMAC by the terminal that
 * printed it, core/ticketToken.ts, checked by `verifyLink`) makes its event id, so even a second
 * submission racing the first, or one after a restart, is the same event and stored once.
 * A window needs a node in the centre file for its QR code: the rating is that window's rating.
 */
import { v7 as uuidv7 } from "uuid";
import type { CentreIndex } from "../core/centre.ts";
import type { RatingData, WireEvent } from "../core/contract.ts";
import { derive } from "../core/derive.ts";
import {
	admit,
	judge,
	type LimitBucket,
	QR_RATING,
	type QrRatingRequest,
	type QrRatingResult,
	type QrRatingSettings,
} from "../core/qrRating.ts";
import { ticketStatus } from "../core/ticketStatus.ts";
import { localDay } from "../core/time.ts";
import { eventTopic } from "../core/topic.ts";
import type { EventStore } from "../store/types.ts";
import type { IngestResult } from "./ingest.ts";
import type { LiveHub } from "./liveHub.ts";

/** The event id of a rating from a ticket's own link: this, then the link's token. */
const LINK_ID = "qr-";

export interface QrRatingsOptions {
	centres: ReadonlyMap<string, CentreIndex>;
	live: Pick<LiveHub, "state">;
	/** Ingest's `handle`, with the hub as the sender and `origin: "qr"`. */
	ingest: (topic: string, payload: Buffer) => Promise<IngestResult>;
	/** Forward an accepted rating to MQTT subscribers, as the broker forwards a node's. */
	publish: (topic: string, payload: Buffer) => void;
	now: () => number;
	/** Is `token` the printed link's of this ticket (hub/ticketLinks.ts: an HMAC under a terminal's key)? */
	verifyLink: (centre: string, ticket: string, token: string) => boolean;
	/** The policy's limits (default core/qrRating.ts QR_RATING). */
	settings?: Partial<QrRatingSettings>;
}

interface CentreFacts {
	day: string;
	/** Tickets of the day with a counted rating. */
	rated: Set<string>;
	/** Window → edge time of its last counted rating. */
	lastCounted: Map<string, number>;
	/** Window → its allowance of QR ratings. */
	buckets: Map<string, LimitBucket>;
	/** Link tokens whose rating is being handed in now. */
	inFlight: Set<string>;
	/** Link tokens whose own link has rated (counted or not): a link rates once. */
	linked: Set<string>;
}

export class QrRatings {
	private readonly facts = new Map<string, CentreFacts>();
	/** QR ratings just accepted that the hub's burst bound marked extra (read back by `rate`). */
	private readonly markedExtra = new Set<string>();
	private readonly settings: QrRatingSettings;

	constructor(private readonly opts: QrRatingsOptions) {
		this.settings = { ...QR_RATING, ...opts.settings };
	}

	private factsOf(centre: string, index: CentreIndex): CentreFacts {
		const day = localDay(this.opts.now(), index.centre.timeZone);
		let f = this.facts.get(centre);
		if (!f || f.day !== day) {
			f = {
				day,
				rated: new Set(),
				lastCounted: f?.lastCounted ?? new Map(),
				buckets: f?.buckets ?? new Map(),
				inFlight: new Set(),
				linked: new Set(),
			};
			this.facts.set(centre, f);
		}
		return f;
	}

	/** A restarted hub: today's ratings in the store say which tickets are rated and when each window last was. */
	async seed(store: EventStore): Promise<void> {
		const now = this.opts.now();
		for (const [id, index] of this.opts.centres) {
			const f = this.factsOf(id, index);
			for (const e of await store.readRange(id, now - 86_400_000, now + 1)) {
				if (e.kind !== "rating" || localDay(e.ts, index.centre.timeZone) !== f.day) continue;
				if (e.id.startsWith(LINK_ID)) f.linked.add(e.id.slice(LINK_ID.length));
				if (e.data.extra === true) continue;
				this.counted(f, typeof e.data.window === "string" ? e.data.window : undefined, e.ts, e.data.ticket);
			}
		}
	}

	private counted(f: CentreFacts, window: string | undefined, ts: number, ticket: unknown) {
		if (window) f.lastCounted.set(window, Math.max(ts, f.lastCounted.get(window) ?? 0));
		if (typeof ticket === "string" && ticket) f.rated.add(ticket);
	}

	/** Accepted events (after ingest made them durable): every counted rating, a button's or a QR one. */
	onEvents(events: readonly WireEvent[]): void {
		for (const e of events) {
			if (e.kind !== "rating") continue;
			if (e.data.extra === true) {
				if (e.data.source === "qr") this.markedExtra.add(e.data.id);
				continue;
			}
			const index = this.opts.centres.get(e.centre);
			const state = this.opts.live.state(e.centre);
			if (!index || !state) continue;
			const window = index.nodes.get(e.node)?.window;
			const ticket = e.data.ticket ?? derive(state, e, index).rating?.ticket;
			this.counted(this.factsOf(e.centre, index), window, e.data.ts, ticket);
		}
	}

	/** Has the visit of this ticket (today) a counted rating, by button or QR? */
	rated(centre: string, ticket: string): boolean {
		const index = this.opts.centres.get(centre);
		return index ? this.factsOf(centre, index).rated.has(ticket) : false;
	}

	async rate(req: QrRatingRequest): Promise<QrRatingResult> {
		const index = this.opts.centres.get(req.centre);
		const state = this.opts.live.state(req.centre);
		if (!index || !state) return { ok: false, refusal: "unknown_window", message: `centre "${req.centre}" is unknown` };
		const f = this.factsOf(req.centre, index);
		const now = this.opts.now();

		let window: string;
		let id: string;
		let ticket: string | undefined;
		let inFlight: string | undefined;
		if (req.ticket) {
			const t = req.ticket.number;
			const record = state.tickets.get(t);
			const status = ticketStatus(state, t);
			if (!record || !status || !this.opts.verifyLink(req.centre, t, req.ticket.key))
				return { ok: false, refusal: "unknown_ticket", message: `no ticket ${t} with this link was issued today` };
			if (status.stage !== "served" || !status.window)
				return { ok: false, refusal: "not_served_yet", message: `ticket ${t} has not been served yet` };
			if (f.rated.has(t) || f.linked.has(req.ticket.key) || f.inFlight.has(req.ticket.key))
				return { ok: false, refusal: "already_rated", message: `the visit of ticket ${t} is already rated` };
			window = status.window;
			ticket = t;
			id = `${LINK_ID}${req.ticket.key}`;
			inFlight = req.ticket.key;
		} else {
			window = req.window;
			if (!index.windows.has(window) || !index.windowNode.has(window))
				return { ok: false, refusal: "unknown_window", message: `window "${window}" takes no QR ratings here` };
			id = uuidv7({ msecs: now });
		}
		const node = index.windowNode.get(window);
		if (!node) return { ok: false, refusal: "unknown_window", message: `window "${window}" has no node to rate it` };

		// No more than the window's buttons could give (ticket links too: one a visit is few).
		const allowance = admit(f.buckets.get(window), now, this.settings.perWindow);
		f.buckets.set(window, allowance.bucket);
		if (!allowance.ok)
			return {
				ok: false,
				refusal: "rate_limited",
				message: `window "${window}" took as many ratings as its buttons could lately`,
				retryAfterMs: allowance.retryAfterMs,
			};

		const data: RatingData = { id, ts: now, score: req.score, source: "qr", ...(ticket ? { ticket } : {}) };
		const attributed = derive(state, { kind: "rating", centre: req.centre, node, data }, index).rating;
		// A ticket's link names its visit: only "already rated" applies to it, not the window's lockout
		// (which keeps one visitor's presses apart from the next visitor's).
		const lastCountedAt = ticket ? undefined : f.lastCounted.get(window);
		const counts =
			judge({ lastCountedAt, ticket: ticket ?? attributed?.ticket, rated: f.rated }, now, this.settings) === "count";
		if (!counts) data.extra = true;
		const topic = eventTopic(req.centre, node, "rating");
		const payload = Buffer.from(JSON.stringify(data));
		if (inFlight) f.inFlight.add(inFlight);
		let result: IngestResult;
		try {
			result = await this.opts.ingest(topic, payload);
		} finally {
			if (inFlight) f.inFlight.delete(inFlight);
		}
		// The link's event id is the ticket's: anything but a new event means it was rated before.
		if (result !== "accepted" && ticket)
			return { ok: false, refusal: "already_rated", message: `the visit of ticket ${ticket} is already rated` };
		if (result !== "accepted") throw new Error(`QR rating ${id} was not accepted by ingest (${result})`);
		if (inFlight) f.linked.add(inFlight);
		this.opts.publish(topic, payload);
		// Past the hub's bound on ratings at the window (buttons and QR together): kept as an extra press.
		const burst = this.markedExtra.delete(id);
		return {
			ok: true,
			id,
			counted: counts && !burst,
			window,
			...(attributed?.service ? { service: attributed.service } : {}),
			...((ticket ?? attributed?.ticket) ? { ticket: ticket ?? attributed?.ticket } : {}),
		};
	}
}
