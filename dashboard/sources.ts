/**
 * What the HTTP surface needs from the rest of the hub, declared here so that `dashboard/` depends
 * on these small interfaces (and `core/` types), never on `hub/`: the composition root
 * (`server/hub.ts`) hands it the live model and the insights behind them, and the users.
 */
import type { AlertAck, AlertId, AlertRecord } from "../core/alertJournal.ts";
import type { Alert } from "../core/alerts.ts";
import type { BestTimes } from "../core/bestTimes.ts";
import type { BoardCall } from "../core/boardView.ts";
import type { CentreIndex } from "../core/centre.ts";
import type { CommandName, CommandOf } from "../core/commands.ts";
import type { Devices } from "../core/devices.ts";
import type { LiveView } from "../core/liveView.ts";
import type { OpeningState } from "../core/openingHours.ts";
import type { QrRatingRequest, QrRatingResult } from "../core/qrRating.ts";
import type { Principal } from "../core/roles.ts";
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
	/** Hear which centre's active alerts (or their acknowledgements) changed; returns the function that stops listening. */
	onAlerts(listener: (centre: string) => void): () => void;
	/** A centre's nodes and their last status, offline first; undefined for an unknown centre. */
	devices(centre: string): Devices | undefined;
	opening(centre: string): OpeningState | undefined;
	bestTimes(centre: string): Promise<BestTimes> | undefined;
	/** The latest calls of a centre for its hall board, newest first. */
	calls(centre: string): readonly BoardCall[];
	/** Hear each new call at once (the board's stream); returns the function that stops listening. */
	onCall(listener: (centre: string, call: BoardCall) => void): () => void;
	/** Best times per service id (every service of the centre). */
	bestTimesByService(centre: string): Promise<Record<string, BestTimes>> | undefined;
}

/** The residents' side beyond the live halls: their tickets, ratings by QR code and comments. */
export interface ResidentSource {
	/** A ticket issued today at the centre; undefined when none was. */
	ticket(centre: string, ticket: string): TicketView | undefined;
	/**
	 * Is `token` the key of this ticket's own link, as its printed QR code carries it (an HMAC by
	 * the terminal that printed it: core/ticketToken.ts, hub/ticketLinks.ts)?
	 */
	verifyLink(centre: string, ticket: string, token: string): boolean;
	/** Has the visit of this ticket a counted rating (by button or QR)? */
	rated(centre: string, ticket: string): boolean;
	/** Hand a QR rating to the hub's ingest (hub/qrRatings.ts). */
	rate(req: QrRatingRequest): Promise<QrRatingResult>;
	/** Visitors' comments, kept apart from the ratings and never published. */
	comments: CommentBook;
}

/** The operator console's actions (hub/desk.ts): the window node's buttons, done by the hub. */
export interface DeskSource {
	act(
		centre: string,
		window: string,
		action: "next" | "recall" | "start" | "finish" | "no_show" | "transfer" | "pause" | "resume",
		/** For `transfer`: the service to send the visitor on to. */
		to?: string,
	): Promise<
		| { ok: true; ticket: string | null; event?: string }
		| { ok: false; reason: "unknown_window" | "no_node" | "nothing_to_do" | "rejected"; detail: string }
	>;
}

/** The hall board's voice: a phrase as WAV audio (server/speech.ts renders it with espeak-ng). */
export interface SpeechSource {
	/** Whether the hub can speak at all. */
	readonly available: boolean;
	/** The phrase as a WAV file, or undefined when it cannot be said. */
	wav(text: string): Promise<Buffer | undefined>;
}

/** A user who may sign in, as the dashboard sees one (never the password's hash). */
export interface UserAccount extends Principal {
	/** Changes whenever the password changes: a session begun before that ends. */
	stamp: string;
}

/** The users of the dashboard (DATA/users.db; `vikno user` writes it). Read at every request. */
export interface UserSource {
	/** The user now, or undefined when there is none (removed). */
	get(name: string): UserAccount | undefined;
	/** The user when the password is theirs; as slow for a name that does not exist. */
	check(name: string, password: string): Promise<UserAccount | undefined>;
	/** Set a new password; false when there is no such user. */
	setPassword(name: string, password: string): Promise<boolean>;
}

/** The alert journal (DATA/alerts.db through store/alertJournal.ts): alerts from raised to resolved, acknowledged. */
export interface AlertJournalSource {
	/** The centre's records still active. */
	open(centre: string): AlertRecord[];
	/** Records active at some time in [fromTs, toTs), newest first. */
	between(centre: string, fromTs: number, toTs: number): AlertRecord[];
	/** Add an acknowledgement or comment; undefined when no such alert was recorded. */
	acknowledge(centre: string, id: AlertId, ack: AlertAck): AlertRecord | undefined;
}

/**
 * Publish a command to a node (`vikno/v1/{centre}/{node}/cmd/{name}`, core/commands.ts) through
 * the hub's broker: QoS 1, not retained (a command is an event, not a state).
 */
export type CommandSink = <C extends CommandName>(centre: string, node: string, name: C, data: CommandOf[C]) => void;
