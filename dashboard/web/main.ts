/** Browser entry: registers the page's elements. */
import { AlertsView } from "./alertsView.ts";
import { Chart } from "./chart.ts";
import { DevicesView } from "./devicesView.ts";
import { HistoryView } from "./historyView.ts";
import { LiveHall } from "./liveHall.ts";
import { NetworkView } from "./networkView.ts";
import { QualityView } from "./qualityView.ts";
import { ReportView } from "./reportView.ts";
import { SessionBar } from "./sessionBar.ts";
import { App } from "./shell.ts";

const ELEMENTS: [string, CustomElementConstructor][] = [
	["vikno-session-bar", SessionBar],
	["vikno-app", App],
	["vikno-live-hall", LiveHall],
	["vikno-chart", Chart],
	["vikno-quality", QualityView],
	["vikno-history", HistoryView],
	["vikno-alerts", AlertsView],
	["vikno-devices", DevicesView],
	["vikno-network", NetworkView],
	["vikno-report", ReportView],
];
for (const [name, element] of ELEMENTS) customElements.define(name, element);
