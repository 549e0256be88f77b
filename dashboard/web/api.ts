/** Thin typed wrappers over the hub's HTTP API, in one place. */
import type { Static } from "typebox";
import type { AlertRecord } from "../../core/alertJournal.ts";
import type { Devices } from "../../core/devices.ts";
import type { LiveView } from "../../core/liveView.ts";
import type { SessionView } from "../routes/authSchemas.ts";
import type {
	ActiveAlerts,
	AlertHistory,
	ExportTable,
	Identified,
	ManagerBestTimes,
	Network,
	Trends,
} from "../routes/managerSchemas.ts";
import type { Centres, History, Quality, ServiceLevels } from "../routes/schemas.ts";

export type { ActiveAlerts, AlertHistory, AlertRecord, Devices, LiveView, ManagerBestTimes, Network, Trends };
export type QualityReport = Static<typeof Quality>;
export type ServiceLevelReport = Static<typeof ServiceLevels>;
export type HistoryReport = Static<typeof History>;

/** A centre as GET /api/v1/centres lists it. */
export type CentreSummary = Static<typeof Centres>["centres"][number];

/** The signed-in user and the session's CSRF token, as GET /api/v1/session answers. */
export type SessionInfo = Static<typeof SessionView>;

/** Local days [from, to] of a report. */
export interface Period {
	from: string;
	to: string;
}

/** The session has ended (401): to the sign-in page, coming back here afterwards. */
export function signInAgain(): void {
	location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
}

/** An answer other than the one hoped for, with the hub's error code when it sent one. */
export class ApiError extends Error {
	constructor(
		readonly status: number,
		readonly code: string | undefined,
		message: string,
	) {
		super(message);
	}
}

async function answer<T>(res: Response, what: string): Promise<T> {
	if (res.status === 401) signInAgain();
	if (!res.ok) {
		const body = (await res.json().catch(() => undefined)) as
			| { error?: { code?: string; message?: string } }
			| undefined;
		throw new ApiError(res.status, body?.error?.code, `${what}: ${body?.error?.message ?? res.status}`);
	}
	return (await res.json()) as T;
}

async function getJson<T>(path: string): Promise<T> {
	return answer<T>(await fetch(path, { headers: { accept: "application/json" } }), `GET ${path}`);
}

let session: Promise<SessionInfo> | undefined;

/** The session, asked once per page (the session bar and the views share it). */
export function fetchSession(): Promise<SessionInfo> {
	session ??= getJson<SessionInfo>("/api/v1/session");
	session.catch(() => {
		session = undefined;
	});
	return session;
}

/** POST JSON with the session's CSRF token. */
async function postJson<T>(path: string, body: object): Promise<T> {
	const { csrfToken } = await fetchSession();
	const res = await fetch(path, {
		method: "POST",
		headers: { "content-type": "application/json", accept: "application/json", "x-csrf-token": csrfToken },
		body: JSON.stringify(body),
	});
	return answer<T>(res, `POST ${path}`);
}

export async function fetchCentres(): Promise<CentreSummary[]> {
	return (await getJson<{ centres: CentreSummary[] }>("/api/v1/centres")).centres;
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

/** The stream of one centre, or of every centre the user sees. */
export function streamUrl(centre?: string): string {
	return centre ? `/api/v1/stream?centre=${encodeURIComponent(centre)}` : "/api/v1/stream";
}

const c = (centre: string) => `/api/v1/centres/${encodeURIComponent(centre)}`;
const range = (p: Period, extra: Record<string, string> = {}) =>
	new URLSearchParams({ from: p.from, to: p.to, ...extra }).toString();

export const fetchQuality = (centre: string, p: Period) => getJson<QualityReport>(`${c(centre)}/quality?${range(p)}`);
export const fetchServiceLevels = (centre: string, p: Period) =>
	getJson<ServiceLevelReport>(`${c(centre)}/service-levels?${range(p)}`);
export const fetchTrends = (centre: string, p: Period, step: string) =>
	getJson<Trends>(`${c(centre)}/trends?${range(p, { step })}`);
export const fetchHistory = (centre: string, p: Period, q: Record<string, string>) =>
	getJson<HistoryReport>(`${c(centre)}/history?${range(p, q)}`);
export const fetchBestTimes = (centre: string) => getJson<ManagerBestTimes>(`${c(centre)}/best-times`);
export const fetchAlertHistory = (centre: string, p: Period) =>
	getJson<AlertHistory>(`${c(centre)}/alerts/history?${range(p)}`);
export const fetchDevices = (centre: string) => getJson<Devices>(`${c(centre)}/devices`);
export const fetchNetwork = () => getJson<Network>("/api/v1/network");

export const acknowledge = (centre: string, alert: { key: string; since: number }, comment: string) =>
	postJson<AlertRecord>(`${c(centre)}/alerts/ack`, { key: alert.key, since: alert.since, comment });
export const identify = (centre: string, node: string, seconds = 10) =>
	postJson<Identified>(`${c(centre)}/devices/${encodeURIComponent(node)}/identify`, { seconds });

/** Where a table's CSV is (a download, the same period as on screen). */
export function exportUrl(centre: string, table: ExportTable, lang: string, p?: Period, step?: string): string {
	const q = new URLSearchParams({ ...(p ? { from: p.from, to: p.to } : {}), ...(step ? { step } : {}), lang });
	return `${c(centre)}/export/${table}?${q}`;
}
