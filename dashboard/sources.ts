/**
 * What the HTTP surface needs from the rest of the hub, declared here so that `dashboard/` depends
 * on these small interfaces (and `core/` types), never on `hub/`: the composition root
 * (`server/hub.ts`) hands it the live model and the insights behind them.
 */
import type { Alert } from "../core/alerts.ts";
import type { BestTimes } from "../core/bestTimes.ts";
import type { CentreIndex } from "../core/centre.ts";
import type { LiveView } from "../core/liveView.ts";
import type { OpeningState } from "../core/openingHours.ts";
import type { QrRatingRequest, QrRatingResult } from "../core/qrRating.ts";
import type { TicketView } from "../core/ticketStatus.ts";
import type { CommentBook } from "../store/types.ts";

/** The live halls and what the hub works out about them. */
export interface HallSource {
	readonly centres: ReadonlyMap<string, CentreIndex>;
	/** A centre's live view with its waiting-time estimates; undefined for an unknown centre. */
	view(centre: string): LiveView | undefined;
	/** Hear which centre changed; returns the function that stops listening. */
	onChange(listener: (centre: string) => void): () => void;
	alerts(centre: string): readonly Alert[];
	opening(centre: string): OpeningState | undefined;
	bestTimes(centre: string): Promise<BestTimes> | undefined;
	/** Best times per service id (every service of the centre). */
	bestTimesByService(centre: string): Promise<Record<string, BestTimes>> | undefined;
}

/** The residents' side beyond the live halls: their tickets, ratings by QR code and comments. */
export interface ResidentSource {
	/** A ticket issued today at the centre; undefined when none was. */
	ticket(centre: string, ticket: string): TicketView | undefined;
	/** Has the visit of this ticket a counted rating (by button or QR)? */
	rated(centre: string, ticket: string): boolean;
	/** Hand a QR rating to the hub's ingest (hub/qrRatings.ts). */
	rate(req: QrRatingRequest): Promise<QrRatingResult>;
	/** Visitors' comments, kept apart from the ratings and never published. */
	comments: CommentBook;
}
