/**
 * <vikno-alerts>: the active alerts, each with its rule, figure and threshold, since when, and who
 * acknowledged it — and a form to acknowledge it with a comment (not for a viewer); below, the
 * alerts of a period, resolved ones included, with their acknowledgements.
 */
import { css, html, LitElement, nothing } from "lit";
import type { AlertRecord } from "../../core/alertJournal.ts";
import {
	type ActiveAlerts,
	type AlertHistory,
	acknowledge,
	type CentreSummary,
	exportUrl,
	fetchAlertHistory,
} from "./api.ts";
import { type Column, dataTable } from "./dataTable.ts";
import { Fetcher } from "./fetcher.ts";
import { formatClock, formatNumber, formatStamp, type Lang } from "./format.ts";
import { STRINGS } from "./i18n.ts";
import { type ChosenPeriod, periodOf } from "./period.ts";
import { periodPicker } from "./periodPicker.ts";
import type { Place } from "./router.ts";
import { blocks, tokens } from "./styles.ts";

type Alert = ActiveAlerts["alerts"][number];

export class AlertsView extends LitElement {
	static override properties = {
		centre: { attribute: false },
		lang: { type: String },
		today: { type: String },
		place: { attribute: false },
		active: { attribute: false },
		canAcknowledge: { type: Boolean },
		sending: { state: true },
		failure: { state: true },
	};

	static override styles = [
		tokens,
		blocks,
		css`
			.cards { list-style: none; padding: 0; margin: 0; display: grid; gap: 12px; }
			.card { background: var(--card); border: 1px solid var(--line); border-left: 6px solid #c77700; border-radius: 10px; padding: 12px 16px; display: grid; gap: 6px; min-width: 0; }
			.card.critical { border-left-color: var(--over); }
			.sev { font-size: 0.75rem; text-transform: uppercase; letter-spacing: 0.04em; font-weight: 700; color: var(--near); }
			.critical .sev { color: var(--over); }
			.msg { font-weight: 600; overflow-wrap: anywhere; }
			.facts { color: var(--muted); font-size: 0.85rem; display: flex; flex-wrap: wrap; gap: 2px 14px; }
			.acks { margin: 0; padding: 0; list-style: none; font-size: 0.9rem; display: grid; gap: 2px; }
			.acks li { overflow-wrap: anywhere; }
			form { display: flex; flex-wrap: wrap; gap: 8px; align-items: flex-end; }
			textarea { flex: 1 1 16rem; min-height: 2.4rem; resize: vertical; }
			.none { color: var(--ok); background: var(--ok-bg); border-radius: 10px; padding: 12px 16px; }
		`,
	];

	centre!: CentreSummary;
	override lang: Lang = "uk";
	today = "";
	place!: Place;
	active: ActiveAlerts | undefined;
	canAcknowledge = false;
	sending: string | undefined;
	failure: string | undefined;

	private get period(): ChosenPeriod {
		return periodOf(this.place.params, this.today, "week");
	}

	private readonly past = new Fetcher<AlertHistory>(this, () => {
		const p = this.period;
		// Loaded again when the active set or its acknowledgements change.
		const now = this.active ? JSON.stringify(this.active.records.map((r) => [r.key, r.since, r.acks.length])) : "";
		return [
			`${this.centre.id}/${p.from}/${p.to}/${now}/${this.active?.alerts.length ?? 0}`,
			() => fetchAlertHistory(this.centre.id, p),
		];
	});

	override render() {
		const t = STRINGS[this.lang];
		const active = this.active?.alerts ?? [];
		return html`<section aria-labelledby="h-active">
				<h2 id="h-active">${t.activeAlerts} (${active.length})</h2>
				${this.failure ? html`<p class="state error" role="alert">${this.failure}</p>` : nothing}
				${
					active.length
						? html`<ul class="cards" data-testid="active-alerts">
								${active.map((a) => this.card(a))}
							</ul>`
						: html`<p class="none" data-testid="no-alerts">${t.noActiveAlerts}</p>`
				}
			</section>
			<section aria-labelledby="h-past">
				<h2 id="h-past">${t.pastAlerts}</h2>
				${periodPicker(this.place, this.period, this.today, this.lang)} ${this.pastTable()}
			</section>`;
	}

	private record(a: { key: string; since: number }): AlertRecord | undefined {
		return this.active?.records.find((r) => r.key === a.key && r.since === a.since);
	}

	private card(a: Alert) {
		const t = STRINGS[this.lang];
		const zone = this.centre.timeZone;
		const acks = this.record(a)?.acks ?? [];
		const id = `${a.key}@${a.since}`;
		return html`<li class="card ${a.severity}" data-alert=${a.key}>
			<span class="sev">${t.severity[a.severity] ?? a.severity} · ${(t.rules as Record<string, string>)[a.rule] ?? a.rule}</span>
			<span class="msg">${a.message[this.lang]}</span>
			<span class="facts">
				<span>${t.since} ${formatClock(a.since, zone)}</span>
				<span>${t.value}: ${formatNumber(a.value, this.lang, 3)} (${t.threshold} ${formatNumber(a.threshold, this.lang, 3)})</span>
			</span>
			${
				acks.length
					? html`<ul class="acks" data-testid="acks">
							${acks.map(
								(x) =>
									html`<li>✓ <strong>${x.by}</strong>, ${formatClock(x.at, zone)}${x.comment ? html`: ${x.comment}` : nothing}</li>`,
							)}
						</ul>`
					: nothing
			}
			${
				this.canAcknowledge
					? html`<form @submit=${(e: SubmitEvent) => this.send(e, a)} data-testid="ack-form">
							<label class="sr-only" for="c-${id}">${t.comment}</label>
							<textarea id="c-${id}" name="comment" maxlength="500" placeholder=${t.commentHint}></textarea>
							<button class="primary" type="submit" ?disabled=${this.sending === id}>
								${acks.length ? t.addComment : t.acknowledge}
							</button>
						</form>`
					: nothing
			}
		</li>`;
	}

	private async send(e: SubmitEvent, a: { key: string; since: number }) {
		e.preventDefault();
		const form = e.target as HTMLFormElement;
		const comment = String(new FormData(form).get("comment") ?? "");
		this.sending = `${a.key}@${a.since}`;
		this.failure = undefined;
		try {
			await acknowledge(this.centre.id, a, comment);
			form.reset();
			// The stream brings the acknowledgement to every page; the history is read again.
			this.past.refresh();
		} catch (err) {
			this.failure = `${STRINGS[this.lang].ackFailed}: ${(err as Error).message}`;
		} finally {
			this.sending = undefined;
		}
	}

	private pastTable() {
		const t = STRINGS[this.lang];
		const lang = this.lang;
		const h = this.past.value;
		if (this.past.error) return html`<p class="state error" role="alert">${t.error}: ${this.past.error}</p>`;
		if (!h) return html`<p class="state" role="status">${t.loading}</p>`;
		const zone = this.centre.timeZone;
		const columns: Column<AlertRecord>[] = [
			{
				label: t.severityCol,
				cell: (r) => t.severity[r.severity] ?? r.severity,
				cls: (r) => (r.severity === "critical" ? "over" : "near"),
			},
			{ label: t.message, cell: (r) => r.message[lang] },
			{ label: t.resolved, cell: (r) => (r.resolvedAt === null ? t.stillActive : formatStamp(r.resolvedAt, zone)) },
			{
				label: t.acknowledgement,
				cell: (r) =>
					r.acks.length
						? r.acks.map((x) => `${x.by} (${formatClock(x.at, zone)})${x.comment ? `: ${x.comment}` : ""}`).join("; ")
						: "—",
			},
		];
		return dataTable<AlertRecord>(
			lang,
			t.pastAlerts,
			{ label: t.raised, cell: (r) => formatStamp(r.raisedAt, zone) },
			columns,
			h.alerts,
			{
				testId: "past-alerts",
				csv: exportUrl(this.centre.id, "alerts", lang, this.period),
				empty: t.noAlertsInPeriod,
				rowKey: ((r: AlertRecord) => r.key) as never,
			},
		);
	}
}
