/** Thin typed wrappers over the hub's HTTP API, in one place. */
import type { Static } from "typebox";
import type { LiveView } from "../../core/liveView.ts";
import type { Centres } from "../routes/schemas.ts";

export type { LiveView };

/** A centre as GET /api/v1/centres lists it. */
export type CentreSummary = Static<typeof Centres>["centres"][number];

export async function fetchCentres(): Promise<CentreSummary[]> {
	const res = await fetch("/api/v1/centres");
	if (!res.ok) throw new Error(`GET /api/v1/centres: ${res.status}`);
	return ((await res.json()) as { centres: CentreSummary[] }).centres;
}

export function streamUrl(centre: string): string {
	return `/api/v1/stream?centre=${encodeURIComponent(centre)}`;
}
