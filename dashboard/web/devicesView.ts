/**
 * <vikno-devices> (admin): every node of the centre — role, window or zone, online, last seen,
 * version, outbox depth, CPU temperature — offline ones first, and an identify button that makes
 * the node blink (the hub publishes its `cmd/identify`). Read again whenever the live view says a
 * node's status changed.
 */
import { css, html, LitElement, nothing } from "lit";
import type { DeviceView } from "../../core/devices.ts";
import { type CentreSummary, type Devices, exportUrl, fetchDevices, identify, type LiveView } from "./api.ts";
import { type Column, dataTable } from "./dataTable.ts";
import { Fetcher } from "./fetcher.ts";
import { formatClock, formatDuration, formatNumber, formatStamp, type Lang, windowLabel } from "./format.ts";
import { STRINGS } from "./i18n.ts";
import { blocks, tokens } from "./styles.ts";

const BLINK_S = 10;

export class DevicesView extends LitElement {
	static override properties = {
		centre: { attribute: false },
		lang: { type: String },
		live: { attribute: false },
		sent: { state: true },
		failure: { state: true },
	};

	static override styles = [
		tokens,
		blocks,
		css`
			.on { color: var(--ok); font-weight: 600; }
			.off { color: var(--over); font-weight: 600; }
			.never { color: var(--muted); }
			.hot { color: var(--over); font-weight: 650; }
			.sent { color: var(--ok); font-size: 0.85rem; display: block; }
			td button { white-space: nowrap; }
			tbody th, td:nth-of-type(5) { white-space: nowrap; }
		`,
	];

	centre!: CentreSummary;
	override lang: Lang = "uk";
	live: LiveView | undefined;
	sent: ReadonlyMap<string, number> = new Map();
	failure: string | undefined;

	// Read again whenever a node's status changes (its time of last status moves with every one).
	private readonly devices = new Fetcher<Devices>(this, () => [
		`${this.centre.id}/${this.live?.nodes.map((n) => `${n.online}${n.lastSeen}`).join()}`,
		() => fetchDevices(this.centre.id),
	]);

	override render() {
		const t = STRINGS[this.lang];
		const d = this.devices.value;
		if (this.devices.error && !d)
			return html`<p class="state error" role="alert">${t.error}: ${this.devices.error}</p>`;
		if (!d) return html`<p class="state" role="status">${t.loading}</p>`;
		const offline = d.devices.filter((x) => !x.online).length;
		return html`<section aria-labelledby="h-devices">
			<h2 id="h-devices">${t.devicesTitle}: ${d.devices.length - offline} / ${d.devices.length} ${t.onlineShort}</h2>
			${this.failure ? html`<p class="state error" role="alert">${this.failure}</p>` : nothing}
			${dataTable<DeviceView>(
				this.lang,
				t.devicesTitle,
				{ label: t.node, cell: (x) => x.id },
				this.columns(d.at),
				d.devices,
				{
					testId: "devices",
					csv: exportUrl(this.centre.id, "devices", this.lang),
					rowKey: ((x: DeviceView) => x.id) as never,
				},
			)}
		</section>`;
	}

	private columns(at: number): Column<DeviceView>[] {
		const t = STRINGS[this.lang];
		const lang = this.lang;
		const zone = this.centre.timeZone;
		const day = this.live?.day;
		const place = (x: DeviceView) =>
			x.window
				? windowLabel(x.window, undefined, lang)
				: x.zone
					? (this.centre.zones.find((z) => z.id === x.zone)?.name?.[lang] ?? x.zone)
					: "—";
		return [
			{ label: t.role, cell: (x) => (t.nodeRoles as Record<string, string>)[x.role] ?? x.role },
			{ label: t.where, cell: place },
			{
				label: t.status,
				cls: (x) => (x.online ? "on" : x.seen ? "off" : "never"),
				cell: (x) =>
					x.online
						? t.online
						: x.seen
							? t.offlineFor.replace("{d}", formatDuration((at - (x.lastSeen ?? at)) / 1000, lang))
							: t.neverSeen,
			},
			{
				label: t.lastSeen,
				cell: (x) =>
					x.lastSeen === null
						? "—"
						: formatStamp(x.lastSeen, zone).startsWith(day ?? "-")
							? formatClock(x.lastSeen, zone)
							: formatStamp(x.lastSeen, zone),
			},
			{ label: t.version, cell: (x) => x.version ?? "—" },
			{
				label: t.outbox,
				num: true,
				cls: (x) => ((x.buffered ?? 0) > 0 ? "near" : ""),
				cell: (x) => formatNumber(x.buffered, lang),
			},
			{
				label: t.cpuTemp,
				num: true,
				cls: (x) => ((x.cpuTempC ?? 0) >= 75 ? "hot" : ""),
				cell: (x) => (x.cpuTempC === null ? "—" : `${formatNumber(x.cpuTempC, lang, 1)} °C`),
			},
			{
				label: t.identify,
				cell: (x) => {
					const at = this.sent.get(x.id);
					return html`<button type="button" data-testid="identify-${x.id}" @click=${() => this.identify(x.id)}>${t.identifyButton}</button>${
						at
							? html`<span class="sent" role="status">${t.identifySent.replace("{s}", String(BLINK_S))}</span>`
							: nothing
					}`;
				},
			},
		];
	}

	private async identify(node: string) {
		this.failure = undefined;
		try {
			await identify(this.centre.id, node, BLINK_S);
			this.sent = new Map([...this.sent, [node, Date.now()]]);
			setTimeout(() => {
				const next = new Map(this.sent);
				next.delete(node);
				this.sent = next;
			}, BLINK_S * 1000);
		} catch (err) {
			this.failure = `${STRINGS[this.lang].identifyFailed}: ${(err as Error).message}`;
		}
	}
}
