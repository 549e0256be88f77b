/**
 * What the hall board (табло) shows: the latest calls ("A017 → вікно 7") and, per service, how
 * many wait and the estimate. The calls are kept apart from the live view because a call must
 * reach the board at once (not at the stream's throttled pace) and a recall of the same ticket is
 * a new call to show and say again. Pure: the hub feeds it events, time is in them.
 */
import Type, { type Static } from "typebox";
import { callPhrase } from "./callPhrase.ts";
import { type Board, type CentreIndex, Names } from "./centre.ts";
import type { WireEvent } from "./contract.ts";
import type { LiveView } from "./liveView.ts";
import { WaitRange } from "./liveView.ts";
import { EpochMs, orNull } from "./schemaParts.ts";
import type { Ledger } from "./ticketLedger.ts";
import { startOfLocalDay } from "./time.ts";

export const BoardCall = Type.Object({
	/** The `called` event's id (a recall has its own). */
	id: Type.String(),
	ticket: Type.String(),
	window: Type.String(),
	service: Type.String(),
	at: EpochMs,
	/** What the board shows and says: "Талон А сімнадцять, вікно сім" and the English one. */
	say: Type.Object({ uk: Type.String(), en: Type.String() }),
	/** The window's short label: "7" for w07, else its name. */
	windowLabel: Type.String(),
});
export type BoardCall = Static<typeof BoardCall>;

export const BoardView = Type.Object(
	{
		centre: Type.String(),
		name: Names,
		timeZone: Type.String(),
		at: EpochMs,
		languages: Type.Array(Type.Enum(["uk", "en"])),
		alternateS: Type.Integer(),
		/** Newest first. */
		calls: Type.Array(BoardCall),
		services: Type.Array(
			Type.Object({
				id: Type.String(),
				name: Names,
				prefix: Type.String(),
				waiting: Type.Integer({ minimum: 0 }),
				estimate: orNull(WaitRange),
			}),
		),
	},
	{ description: "The hall board: latest calls, newest first, and waits per service" },
);
export type BoardView = Static<typeof BoardView>;

export const BOARD_DEFAULTS: Board = { public: false, languages: ["uk"], alternateS: 10, calls: 6 };

/** The centre's board settings with defaults filled in. */
export function boardOf(index: CentreIndex): Board {
	return { ...BOARD_DEFAULTS, ...(index.centre.board ?? {}) };
}

function windowLabel(index: CentreIndex, window: string): string {
	const m = /^w0*(\d+)$/.exec(window);
	return m ? (m[1] as string) : (index.windows.get(window)?.name ?? window);
}

/** A board call from its parts. */
export function boardCall(
	index: CentreIndex,
	c: { id: string; ticket: string; window: string; service: string; at: number },
): BoardCall {
	const w = { id: c.window, name: index.windows.get(c.window)?.name };
	return {
		...c,
		say: { uk: callPhrase(c.ticket, w, "uk"), en: callPhrase(c.ticket, w, "en") },
		windowLabel: windowLabel(index, c.window),
	};
}

/** The board call an event makes, if it is a call. */
export function callOf(e: WireEvent, index: CentreIndex): BoardCall | undefined {
	if (e.kind !== "queue" || e.data.event !== "called" || !e.data.window) return undefined;
	return boardCall(index, {
		id: e.data.id,
		ticket: e.data.ticket,
		window: e.data.window,
		service: e.data.service,
		at: e.data.ts,
	});
}

const newer = (a: BoardCall, b: BoardCall) => a.at > b.at || (a.at === b.at && a.id > b.id);

/**
 * `calls` with `call` added, newest first (by time, then id), at most `limit`, each ticket once —
 * at its latest call (a recall, or a call at another window, replaces the earlier line): the same
 * list whatever order the calls arrive in. An id already there changes nothing.
 */
export function addCall(calls: readonly BoardCall[], call: BoardCall, limit: number): BoardCall[] {
	if (calls.some((c) => c.id === call.id)) return [...calls];
	const same = calls.find((c) => c.ticket === call.ticket);
	if (same && newer(same, call)) return [...calls];
	const out = [...calls.filter((c) => c.ticket !== call.ticket), call].sort((a, b) => (newer(a, b) ? -1 : 1));
	return out.slice(0, limit);
}

/**
 * The latest calls as the day's ledger holds them (each ticket's first call at each window) — what
 * a restarted hub shows until new calls come. A recall before the restart is not in the ledger.
 */
export function callsFromLedger(ledger: Ledger, index: CentreIndex, limit: number): BoardCall[] {
	let calls: BoardCall[] = [];
	for (const r of ledger.values())
		for (const [window, at] of r.calls)
			calls = addCall(
				calls,
				boardCall(index, { id: `${r.ticket}@${window}`, ticket: r.ticket, window, service: r.service, at }),
				limit,
			);
	return calls;
}

/** The board's view from the centre, its calls and the live view's services. */
export function boardView(
	index: CentreIndex,
	calls: readonly BoardCall[],
	live: LiveView | undefined,
	now: number,
): BoardView {
	const board = boardOf(index);
	const today = startOfLocalDay(now, index.centre.timeZone);
	const byId = new Map((live?.services ?? []).map((s) => [s.id, s]));
	return {
		centre: index.centre.id,
		name: index.centre.name,
		timeZone: index.centre.timeZone,
		at: now,
		languages: board.languages,
		alternateS: board.alternateS,
		// Yesterday's calls are not the hall's any more.
		calls: calls.filter((c) => c.at >= today).slice(0, board.calls),
		services: index.centre.services.map((s) => {
			const v = byId.get(s.id);
			return { id: s.id, name: s.name, prefix: s.prefix, waiting: v?.waiting ?? 0, estimate: v?.estimate ?? null };
		}),
	};
}
