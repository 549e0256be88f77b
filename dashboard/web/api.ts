/** Thin typed wrappers over the hub's HTTP API, in one place. */
import type { Static } from "typebox";
import type { LiveView } from "../../core/liveView.ts";
import type { SessionView } from "../routes/authSchemas.ts";
import type { Centres } from "../routes/schemas.ts";

export type { LiveView };

/** A centre as GET /api/v1/centres lists it. */
export type CentreSummary = Static<typeof Centres>["centres"][number];

/** The signed-in user and the session's CSRF token, as GET /api/v1/session answers. */
export type SessionInfo = Static<typeof SessionView>;

/** The session has ended (401): to the sign-in page, coming back here afterwards. */
export function signInAgain(): void {
	location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
}

async function getJson<T>(path: string): Promise<T> {
	const res = await fetch(path, { headers: { accept: "application/json" } });
	if (res.status === 401) signInAgain();
	if (!res.ok) throw new Error(`GET ${path}: ${res.status}`);
	return (await res.json()) as T;
}

export async function fetchCentres(): Promise<CentreSummary[]> {
	return (await getJson<{ centres: CentreSummary[] }>("/api/v1/centres")).centres;
}

export function fetchSession(): Promise<SessionInfo> {
	return getJson<SessionInfo>("/api/v1/session");
}

/** Whether the session still holds (a stream that failed may have failed for its end). */
export async function stillSignedIn(): Promise<boolean> {
	try {
		return (await fetch("/api/v1/session")).status !== 401;
	} catch {
		// The hub cannot be reached: that says nothing about the session.
		return true;
	}
}

export function streamUrl(centre: string): string {
	return `/api/v1/stream?centre=${encodeURIComponent(centre)}`;
}
