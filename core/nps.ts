/**
 * Where a score stands on NPS's 0..10 line, for a scale of N (N = best): placed at
 * (score − 1) / (N − 1) × 10, a promoter at 9 or more, a detractor at 6 or less, as in NPS — on a
 * 5-point scale promoters = 5, detractors = 1–3, passives = 4. Alone in its file, without schemas,
 * so the dashboard's page can use it without a schema library in its script (core/quality.ts
 * re-exports it).
 */
export function npsClass(score: number, scale: number): 1 | 0 | -1 {
	const x = ((score - 1) / (scale - 1)) * 10;
	// A small tolerance keeps 9.0 a promoter despite floating point.
	if (x >= 9 - 1e-9) return 1;
	if (x <= 6 + 1e-9) return -1;
	return 0;
}
