/** Pure formatters for the web page (tested in test/unit/format.test.ts). */

export type Lang = "uk" | "en";

/** "12 хв", "1 год 05 хв", "< 1 хв" */
export function formatDuration(seconds: number, lang: Lang = "uk"): string {
	const m = Math.floor(seconds / 60);
	const min = lang === "uk" ? "хв" : "min";
	const hr = lang === "uk" ? "год" : "h";
	if (m < 1) return `< 1 ${min}`;
	if (m < 60) return `${m} ${min}`;
	return `${Math.floor(m / 60)} ${hr} ${String(m % 60).padStart(2, "0")} ${min}`;
}

/** Mean rating with one decimal, or a dash when nobody rated yet. */
export function formatMean(mean: number | null, lang: Lang = "uk"): string {
	if (mean === null) return "—";
	const s = mean.toFixed(1);
	return lang === "uk" ? s.replace(".", ",") : s;
}

export function formatPercent(share: number): string {
	return `${Math.round(share * 100)} %`;
}

/** How a waiting time compares with the service's target: ok, near (≥ 75 %), over. */
export function waitLevel(seconds: number, targetMin: number): "ok" | "near" | "over" {
	const ratio = seconds / (targetMin * 60);
	if (ratio >= 1) return "over";
	if (ratio >= 0.75) return "near";
	return "ok";
}
