/**
 * The banner of active alerts above every view: the most severe first, who acknowledged each, a
 * link to the alerts view. A new alert is marked (`fresh`) and announced to screen readers; the
 * page adds a chime if the person asked for one. Template function for <vikno-app>.
 */
import { html, nothing } from "lit";
import type { ActiveAlerts } from "./api.ts";
import { formatClock, type Lang } from "./format.ts";
import { STRINGS } from "./i18n.ts";

const SHOWN = 3;

export const alertId = (a: { key: string; since: number }) => `${a.key}@${a.since}`;

export function alertsBanner(
	active: ActiveAlerts | undefined,
	lang: Lang,
	timeZone: string | undefined,
	fresh: ReadonlySet<string>,
	alertsHref: string,
) {
	const t = STRINGS[lang];
	if (!active || active.alerts.length === 0) return nothing;
	const alerts = [...active.alerts].sort(
		(a, b) => Number(b.severity === "critical") - Number(a.severity === "critical") || a.since - b.since,
	);
	const critical = alerts.some((a) => a.severity === "critical");
	const anyFresh = alerts.some((a) => fresh.has(alertId(a)));
	return html`<section
		class="banner ${critical ? "critical" : "warning"} ${anyFresh ? "fresh" : ""}"
		data-testid="alerts-banner"
		aria-labelledby="banner-title"
	>
		<h2 id="banner-title" class="sr-only">${t.activeAlerts}</h2>
		<ul>
			${alerts.slice(0, SHOWN).map((a) => {
				const ack = active.records.find((r) => r.key === a.key && r.since === a.since)?.acks[0];
				return html`<li class=${a.severity} data-alert=${a.key}>
					<span class="dot" aria-hidden="true"></span>
					<span class="msg">${fresh.has(alertId(a)) ? html`<strong class="new">${t.newAlert}</strong> ` : nothing}${a.message[lang]}</span>
					<span class="when">${timeZone ? `${t.since} ${formatClock(a.since, timeZone)}` : ""}${
						ack ? html` · <span class="acked">${t.acknowledgedBy} ${ack.by}</span>` : nothing
					}</span>
				</li>`;
			})}
		</ul>
		<a href=${alertsHref} class="all">${alerts.length > SHOWN ? `${t.allAlerts} (${alerts.length})` : t.toAlerts}</a>
	</section>`;
}
