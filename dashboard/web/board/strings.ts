/** The hall board's words in both languages (DOMAIN.md, Words). */
import type { Lang } from "../format.ts";

const uk = {
	calls: "Запрошуємо",
	ticket: "Талон",
	window: "Вікно",
	toWindow: "вікно",
	noCalls: "Викликів ще немає",
	waits: "Очікування",
	waiting: "у черзі",
	minutes: "хв",
	noEstimate: "—",
	connecting: "Підключення…",
	stale: "Немає зв'язку з сервером — дані станом на",
	repeat: "Повторити останній виклик: клавіша R",
};
const en: typeof uk = {
	calls: "Now calling",
	ticket: "Ticket",
	window: "Window",
	toWindow: "window",
	noCalls: "No calls yet",
	waits: "Waiting times",
	waiting: "waiting",
	minutes: "min",
	noEstimate: "—",
	connecting: "Connecting…",
	stale: "No connection to the server — as of",
	repeat: "Repeat the last call: key R",
};
export type BoardStrings = typeof uk;
export const BOARD_STRINGS: Record<Lang, BoardStrings> = { uk, en };

/** An estimate as the board shows it: "15–25 хв" (the 80 % range, whole minutes). */
export function waitBand(e: { low: number; high: number } | null, lang: Lang): string {
	if (!e) return BOARD_STRINGS[lang].noEstimate;
	const lo = Math.max(0, Math.floor(e.low));
	const hi = Math.max(lo, Math.ceil(e.high));
	return lo === hi ? `${lo} ${BOARD_STRINGS[lang].minutes}` : `${lo}–${hi} ${BOARD_STRINGS[lang].minutes}`;
}
